"""The cohort report as CSV and XLSX tables (shared/DOMAIN.md "Report definitions").

``report_tables`` turns the report JSON dict (``report_to_json``, annotated by
``annotate_small_cells`` so that hidden breakdown cells can be told apart) into
plain ``Table`` objects; ``to_csv`` and ``to_xlsx`` write them. Nothing here
touches the database: the same dict feeds the JSON, the page, the PDF and these.

Cell rules, the same in both formats:

- Numbers stay numbers (``int``/``float``), negative ones too (a mean change of
  −1.5 is the number -1.5, not text). Rates are fractions (``Percent``): in XLSX
  a number with a percent format, in CSV the fraction itself.
- CSV is for Swedish Excel: UTF-8 with BOM, ``;`` between cells, decimal comma
  (``0,617``, ``-1,5``), a title line before each table and a blank line between
  tables. Numbers are written by us from floats, so they carry no formula.
- Every *text* cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return gets a leading ``'`` (formula injection: cohort, programme,
  step and district names come from users). Only text is neutralised, never a
  number.
- Suppressed breakdown cells are the text ``<5`` (a count of 1–4) or "dolt"
  (hidden only so that a small count cannot be worked out); their rate is empty.
"""

import csv
import io
from dataclasses import dataclass, field

from journey import enums
from journey.i18n import gettext as _
from journey.reports import pages


class Percent(float):
    """A share 0..1 shown as a percentage in XLSX."""


Cell = str | int | float | None


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text that no spreadsheet will run as a formula (a leading ``'``)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _pct(value) -> Percent | None:
    return None if value is None else Percent(value)


# --- tables -------------------------------------------------------------------------------


def report_tables(report: dict) -> list[Table]:
    """The report JSON dict as tables, in the order of the PDF."""
    return [
        _cohort_table(report),
        _key_figures(report),
        _outcomes(report),
        _funnel(report),
        _attendance(report),
        _sustained(report),
        _distance(report),
        *_breakdowns(report),
    ]


def _cohort_table(report: dict) -> Table:
    c = report["cohort"]
    return Table(_("Cohort"), [_("Field"), _("Value")], [
        [_("Cohort"), c["name"]],
        [_("Programme"), c["program"]],
        [_("Start date"), c["starts_on"]],
        [_("End date"), c["ends_on"] or ""],
        [_("Report date"), report["as_of"]],
    ])


def _key_figures(report: dict) -> Table:
    counts, rates = report["counts"], report["rates"]
    rows: list[list[Cell]] = [
        [_("Enrolled"), counts["enrolled"], None, None, None, None],
        [_("Still active"), counts["active"], None, None, None, None],
        [_("Leavers"), counts["leavers"], None, None, None, None],
    ]
    for key, text in (
        ("job_or_studies", _("Job or studies")),
        ("job_or_studies_excl_neutral", _("Job or studies, excluding other known reasons")),
        ("job", _("Job")),
        ("studies", _("Studies")),
    ):
        r = rates[key]
        rows.append([text, _pct(r["value"]), r["numerator"], r["denominator"],
                     _pct(r["ci_low"]), _pct(r["ci_high"])])
    tto = report.get("time_to_outcome") or {}
    rows.append([_("Time to job or studies, median days"), tto.get("median_days"),
                 None, None, None, None])
    rows.append([_("Cost per job or studies"), report.get("cost_per_outcome_sek"),
                 None, None, None, None])
    return Table(_("Key figures"), [_("Measure"), _("Value"), _("Numerator"),
                                    _("Denominator"), _("95 % interval, low"),
                                    _("95 % interval, high")], rows)


def _outcomes(report: dict) -> Table:
    counts = report["counts"]
    groups = {"job": _("Job"), "studies": _("Studies"), "other": _("Other")}
    rows: list[list[Cell]] = [
        [enums.label(enums.Outcome, code), groups[enums.OUTCOME_GROUP[code]], counts[key]]
        for key, code in pages.OUTCOME_KEYS.items()
    ]
    rows.append([_("Qualification gained"), "", counts["qualification_gained"]])
    return Table(_("Exit outcomes"), [_("Outcome"), _("Group"), _("Count")], rows)


def _funnel(report: dict) -> Table:
    return Table(_("Programme steps"), [_("Position"), _("Step"), _("Kind"),
                                        _("Reached"), _("Done")], [
        [s["position"], s["name"], enums.label(enums.StepKind, s["kind"]), s["reached"],
         s["done"]]
        for s in report.get("funnel") or []
    ])


def _attendance(report: dict) -> Table:
    a = report["attendance"]
    return Table(_("Attendance"), [_("Attended"), _("No-show"), _("Rate")],
                 [[a["attended"], a["no_show"], _pct(a["rate"])]])


def _sustained(report: dict) -> Table:
    s = report["sustained_6m"]
    return Table(_("In job or studies after 6 months"),
                 [_("In job or studies"), _("Recorded"), _("Pending"), _("Unknown"),
                  _("Rate")],
                 [[s["positive"], s["recorded"], s["pending"], s["unknown"], _pct(s["rate"])]])


def _distance(report: dict) -> Table:
    return Table(_("Distance travelled"),
                 [_("Area"), _("Participants"), _("Mean change"), _("Improved by 2 or more")],
                 [[enums.label(enums.AssessmentArea, d["area"]), d["n"], d["mean_change"],
                   _pct(d["improved_share"])]
                  for d in report.get("distance_travelled") or []])


def _breakdowns(report: dict) -> list[Table]:
    tables = []
    header = [_("Group"), _("Enrolled"), _("Leavers"), _("Job or studies"), _("Rate")]
    for dimension, title in pages.BREAKDOWNS:
        rows: list[list[Cell]] = []
        for row in (report.get("breakdowns") or {}).get(dimension) or []:
            texts = pages.breakdown_cells(row)
            cells: list[Cell] = [pages.breakdown_label(dimension, row.get("key"))]
            for key in pages.BREAKDOWN_CELLS:
                value = row.get(key)
                # A shown count is a number; a hidden one is its text ("<5" or "dolt").
                cells.append(value if value is not None and not 1 <= value <= 4
                             else texts[key])
            cells.append(_pct(pages.row_rate(row)))
            rows.append(cells)
        tables.append(Table(str(title), header, rows))
    return tables


# --- writers ------------------------------------------------------------------------------


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return neutralise(str(value))


def to_csv(tables: list[Table]) -> bytes:
    """Semicolon-separated UTF-8 with BOM, for Swedish Excel (see the module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for i, table in enumerate(tables):
        if i:
            writer.writerow([])
        writer.writerow([_csv_cell(table.title)])
        writer.writerow([_csv_cell(h) for h in table.header])
        for row in table.rows:
            writer.writerow([_csv_cell(c) for c in row])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(tables: list[Table], sheet_title: str | None = None) -> bytes:
    """One sheet with a block per table: numbers as numbers, rates in percent format."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    # A fixed title: sheet names may not hold user text safely ([]:*?/\ and 31 chars).
    ws.title = (sheet_title or _("Report"))[:31]
    bold = Font(bold=True)
    widths: dict[int, int] = {}

    def put(r: int, c: int, value: Cell, font=None) -> None:
        cell = ws.cell(row=r, column=c)
        if value is None:
            return
        if isinstance(value, bool):
            cell.value = _("Yes") if value else _("No")
        elif isinstance(value, Percent):
            cell.value = float(value)
            cell.number_format = "0.0%"
        elif isinstance(value, int | float):
            cell.value = value
            if isinstance(value, float):
                cell.number_format = "0.0#"
        else:
            text = neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
            cell.value = text
            cell.data_type = "s"  # never a formula, whatever openpyxl guesses
            widths[c] = max(widths.get(c, 0), min(len(text), 60))
        if font is not None:
            cell.font = font

    r = 1
    for table in tables:
        put(r, 1, table.title, bold)
        r += 1
        for c, h in enumerate(table.header, 1):
            put(r, c, h, bold)
        r += 1
        for row in table.rows:
            for c, value in enumerate(row, 1):
                put(r, c, value)
            r += 1
        r += 1
    from openpyxl.utils import get_column_letter

    for c, width in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = max(10, width + 2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
