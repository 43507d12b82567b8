"""The cohort report as an HTML page and as a PDF for boards and funders.

Both are rendered from the report JSON dict (shared/DOMAIN.md "Report JSON"),
whose keys are a contract: the same data feeds the page, the PDF and the JSON.
Neither contains any participant's personal data, only aggregates whose small
breakdown cells are suppressed.
"""

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, render_template, request, url_for

from journey import enums
from journey.audit.services import record
from journey.auth.access import get_cohort_or_404, roles_required
from journey.enums import AuditAction, Role
from journey.extensions import db
from journey.i18n import gettext as _
from journey.i18n import lazy_gettext as _l
from journey.reports import charts
from journey.reports.pdf import pdf_download
from journey.web.htmx_helpers import render_partial_or_page

bp = Blueprint("report_pages", __name__)

# JSON count key -> outcome code, in the order of DOMAIN.md "Exit outcomes".
OUTCOME_KEYS = {
    "job_unsubsidized": enums.Outcome.job_unsubsidized,
    "job_subsidized": enums.Outcome.job_subsidized,
    "self_employed": enums.Outcome.self_employed,
    "studies_regular": enums.Outcome.studies,
    "training": enums.Outcome.training,
    "job_seeking": enums.Outcome.job_seeking,
    "neutral": enums.Outcome.neutral,
    "dropout_unknown": enums.Outcome.dropout_unknown,
}

BREAKDOWNS = (
    ("gender", _l("Gender")),
    ("age_band", _l("Age at enrollment")),
    ("birth_region", _l("Region of birth")),
    ("isced", _l("Education (ISCED)")),
    ("long_term_unemployed", _l("Long-term unemployed at entry")),
    ("district", _l("District")),
)

# The definitions of shared/DOMAIN.md "Report definitions", for readers of the report.
DEFINITIONS = {
    "enrolled": _l("Enrollments in the cohort with an enrollment date on or before the "
                   "report date."),
    "active": _l("Enrolled participants who have not left the programme by the report date."),
    "leavers": _l("Enrollments with an exit outcome dated on or before the report date."),
    "job_or_studies": _l("Leavers who went to a job (with or without subsidy, or their own "
                         "business) or to studies (regular studies or labour-market "
                         "training), divided by all leavers. The interval is a 95 % Wilson "
                         "score interval."),
    "job_or_studies_excl_neutral": _l("As the job-or-studies rate, but leavers who left for "
                                      "another known reason (moved, parental leave, illness) "
                                      "are left out of the denominator."),
    "job": _l("Leavers who went to a job, divided by all leavers."),
    "studies": _l("Leavers who went to studies, divided by all leavers."),
    "time_to_outcome": _l("Days from enrollment to exit for leavers who went to a job or "
                          "studies: the median and the quartiles. The curve shows the "
                          "cumulative share in job or studies by month since enrollment "
                          "(Aalen–Johansen estimate: participants still active are counted "
                          "until the report date; other exits are competing events)."),
    "attendance": _l("Attended activities divided by attended plus no-shows, for activities "
                     "dated on or before the report date. Planned and cancelled activities "
                     "are not counted."),
    "sustained_6m": _l("Follow-ups six months after exit with the status employed, "
                       "self-employed or studies, divided by the six-month follow-ups "
                       "recorded. Follow-ups due but not recorded are shown separately."),
    "cost_per_outcome": _l("The cohort's cost divided by the number of leavers who went to "
                           "a job or studies."),
    "distance_travelled": _l("Per area, the mean change from the first to the latest "
                             "self-assessment (scale 1–10), for participants with at least "
                             "two assessments, and the share who improved by 2 points or "
                             "more."),
    "funnel": _l("Per programme step: enrollments whose step is in progress or done "
                 "(reached), and done."),
    "suppression": _l("To protect individuals, breakdown counts of 1–4 are shown as “<5” "
                      "without a rate. Where a row or a column has a single hidden count, the "
                      "next smallest count in it is hidden too and shown as “hidden”."),
}


def load_report(cohort, as_of: date) -> dict:
    """The report JSON dict for ``cohort`` as of ``as_of`` (the one place data comes from)."""
    from journey.reports.queries import annotate_small_cells, cohort_report, report_to_json

    report = cohort_report(cohort, as_of)
    return annotate_small_cells(report_to_json(report), report)


def parse_as_of(raw: str | None) -> tuple[date, str | None]:
    """``(date, error)``: today when empty, an error message when not YYYY-MM-DD.

    The same strict rule as the JSON route and the CLI.
    """
    from journey.reports.views import InvalidDate
    from journey.reports.views import parse_as_of as parse_strict

    try:
        return parse_strict(raw), None
    except InvalidDate:
        return date.today(), _("Enter the report date as YYYY-MM-DD, e.g. 2026-06-30.")


# --- presentation helpers (pure: dict in, display values out) ---------------------------

def count_text(value, suppressed: bool = False) -> str:
    """A breakdown count: "<5" when suppressed (or, defensively, 1–4)."""
    if value is None:
        return charts.SUPPRESSED_LABEL if suppressed else "–"
    if 1 <= value <= 4:
        return charts.SUPPRESSED_LABEL
    return charts.num(value)


BREAKDOWN_CELLS = ("enrolled", "leavers", "job_or_studies")


def breakdown_cells(row: dict) -> dict[str, str]:
    """The three counts of a breakdown row as shown.

    A hidden count is "<5", unless a shown count it cannot be smaller than
    (enrolled ≥ leavers ≥ job or studies) is 5 or more: then it was hidden only
    so that another cell cannot be worked out, and "<5" would be untrue.
    """
    shown = {}
    if "_small" in row:
        # Exact: the report says which hidden cells are small ("<5") and which were
        # hidden by the secondary rule ("hidden").
        for key in BREAKDOWN_CELLS:
            value = row.get(key)
            if value is None and row.get("suppressed"):
                shown[key] = charts.SUPPRESSED_LABEL if key in row["_small"] else _("hidden")
            else:
                shown[key] = count_text(value, row.get("suppressed"))
        return shown
    for i, key in enumerate(BREAKDOWN_CELLS):
        text = count_text(row.get(key), row.get("suppressed"))
        if row.get(key) is None and text == charts.SUPPRESSED_LABEL:
            floor = [row.get(k) for k in BREAKDOWN_CELLS[i + 1:] if row.get(k) is not None]
            if floor and max(floor) >= 5:
                text = _("hidden")
        shown[key] = text
    return shown


def row_rate(row: dict) -> float | None:
    """A breakdown row's rate, or None when any count behind it is hidden or small."""
    leavers = row.get("leavers")
    if row.get("rate") is None or leavers is None or 1 <= leavers <= 4:
        return None
    jos = row.get("job_or_studies")
    if jos is None or 1 <= jos <= 4:  # the rate would give the hidden count away
        return None
    return row["rate"]


def breakdown_label(dimension: str, key) -> str:
    if key is None or key in ("", "unknown"):
        return _("Unknown")
    if dimension == "gender":
        return enums.label(enums.Gender, key)
    if dimension == "birth_region":
        return enums.label(enums.BirthRegion, key)
    if dimension == "isced":
        return {"isced_0_2": _("ISCED 0–2 (compulsory school)"),
                "isced_3_4": _("ISCED 3–4 (upper secondary)"),
                "isced_5_8": _("ISCED 5–8 (post-secondary)"),
                "unknown": _("Unknown")}.get(str(key), str(key))
    if dimension == "long_term_unemployed":
        if key in (True, "true", "yes", "1", 1):
            return _("Yes")
        if key in (False, "false", "no", "0", 0):
            return _("No")
        return _("Unknown") if key == "unknown" else str(key)
    if dimension == "age_band":
        return _("under 18") if key == "<18" else (
            _("%(band)s years", band=str(key)))
    return str(key)


@dataclass
class Headline:
    key: str
    label: str
    value: str
    detail: str
    definition: str
    wide: bool = False


def _rate_detail(rate: dict | None) -> str:
    if not rate or rate.get("value") is None:
        denominator = (rate or {}).get("denominator")
        return _("No leavers yet.") if not denominator else ""
    parts = [_("%(num)s of %(den)s", num=charts.num(rate.get("numerator")),
               den=charts.num(rate.get("denominator")))]
    if rate.get("ci_low") is not None and rate.get("ci_high") is not None:
        parts.append(_("95 %% interval %(range)s",
                       range=charts.pct_range(rate["ci_low"], rate["ci_high"])))
    return " · ".join(parts)


def _days(value) -> str:
    return charts.num(round(value)) if value is not None else "–"


def headlines(report: dict) -> list[Headline]:
    counts, rates = report.get("counts", {}), report.get("rates", {})
    tto = report.get("time_to_outcome") or {}
    att = report.get("attendance") or {}
    s6 = report.get("sustained_6m") or {}
    out = [
        Headline("enrolled", _("Enrolled"), charts.num(counts.get("enrolled")), "",
                 str(DEFINITIONS["enrolled"])),
        Headline("active", _("Still active"), charts.num(counts.get("active")), "",
                 str(DEFINITIONS["active"])),
        Headline("leavers", _("Leavers"), charts.num(counts.get("leavers")), "",
                 str(DEFINITIONS["leavers"])),
    ]
    for key, text in (
        ("job_or_studies", _("Job or studies")),
        ("job_or_studies_excl_neutral", _("Job or studies, excluding other known reasons")),
        ("job", _("Job")),
        ("studies", _("Studies")),
    ):
        rate = rates.get(key) or {}
        out.append(Headline(key, text, charts.pct(rate.get("value")), _rate_detail(rate),
                            str(DEFINITIONS[key])))
    if tto.get("median_days") is not None:
        value = _("%(days)s days", days=charts.num(round(tto["median_days"])))
        detail = _("median; quartiles %(q1)s–%(q3)s days", q1=_days(tto.get("q1_days")),
                   q3=_days(tto.get("q3_days")))
    else:
        value, detail = "–", _("No one has left for a job or studies yet.")
    out.append(Headline("time_to_outcome", _("Time to job or studies"), value, detail,
                        str(DEFINITIONS["time_to_outcome"])))
    attended, no_show = att.get("attended") or 0, att.get("no_show") or 0
    out.append(Headline(
        "attendance", _("Attendance"), charts.pct(att.get("rate")),
        _("%(num)s of %(den)s activities", num=charts.num(attended),
          den=charts.num(attended + no_show)),
        str(DEFINITIONS["attendance"])))
    out.append(Headline(
        "sustained_6m", _("In job or studies after 6 months"), charts.pct(s6.get("rate")),
        _("%(num)s of %(den)s recorded · %(pending)s pending · %(unknown)s unknown",
          num=charts.num(s6.get("positive") or 0), den=charts.num(s6.get("recorded") or 0),
          pending=charts.num(s6.get("pending") or 0),
          unknown=charts.num(s6.get("unknown") or 0)),
        str(DEFINITIONS["sustained_6m"])))
    cost = report.get("cost_per_outcome_sek")
    out.append(Headline(
        "cost_per_outcome", _("Cost per job or studies"),
        _("%(amount)s kr", amount=charts.num(round(cost))) if cost is not None else "–",
        "" if cost is not None else _("No cost recorded for the cohort, or no outcomes yet."),
        str(DEFINITIONS["cost_per_outcome"])))
    return out


def _lower_first(text: str) -> str:
    # "Utbildning (ISCED)" -> "utbildning (ISCED)": keep acronyms as written.
    return text[:1].lower() + text[1:]


def report_context(report: dict, cohort, as_of: date) -> dict:
    """Everything the page and PDF templates show, from the report dict and the cohort."""
    program = cohort.program
    counts = report.get("counts", {})
    outcome_labels = {k: enums.label(enums.Outcome, code) for k, code in OUTCOME_KEYS.items()}
    outcome_groups = {k: str(enums.OUTCOME_GROUP[code]) for k, code in OUTCOME_KEYS.items()}
    rates = report.get("rates", {})
    rate_rows = [
        {"key": text, **(rates.get(key) or {}), "rate": (rates.get(key) or {}).get("value")}
        for key, text in (
            ("job_or_studies", _("Job or studies")),
            ("job_or_studies_excl_neutral", _("Excl. other known reasons")),
            ("job", _("Job")),
            ("studies", _("Studies")),
        )
    ]
    breakdowns = []
    for dimension, title in BREAKDOWNS:
        rows = (report.get("breakdowns") or {}).get(dimension) or []
        shown = []
        for row in rows:
            cells = breakdown_cells(row)
            shown.append({
                "label": breakdown_label(dimension, row.get("key")), **cells,
                "rate": row_rate(row),
                "suppressed": bool(row.get("suppressed"))
                or any(c in (charts.SUPPRESSED_LABEL, _("hidden")) for c in cells.values()),
            })
        chart_rows = [{"key": r["label"], "rate": r["rate"],
                       "suppressed": r["rate"] is None and r["suppressed"]} for r in shown]
        has_rates = any(r["rate"] is not None for r in shown)
        breakdowns.append({
            "dimension": dimension, "title": str(title), "rows": shown,
            # No chart of empty bars when no row has a rate to show: the table says it all.
            "chart": charts.rate_chart(
                chart_rows,
                title=_("Job or studies by %(dimension)s", dimension=_lower_first(str(title))),
            ) if has_rates else None,
        })
    target = program.outcome_target
    target = float(target) if target is not None else None
    area_label = lambda code: enums.label(enums.AssessmentArea, code)  # noqa: E731
    return {
        "report": report,
        "cohort": cohort,
        "program": program,
        "organization": program.organization,
        "as_of": as_of,
        "target": target,
        "headlines": headlines(report),
        "definitions": {k: str(v) for k, v in DEFINITIONS.items()},
        "outcome_rows": [
            {"label": outcome_labels[k], "group": outcome_groups[k], "count": counts.get(k)}
            for k in OUTCOME_KEYS
        ],
        "breakdowns": breakdowns,
        "area_label": area_label,
        "pct_range": charts.pct_range,
        "charts": {
            "outcomes": charts.outcome_chart(counts, outcome_labels, outcome_groups),
            "rates": charts.rate_chart(
                rate_rows, title=_("Outcome rates with confidence intervals (95 %)"),
                target=target),
            "cumulative": charts.cumulative_chart(
                (report.get("time_to_outcome") or {}).get("cumulative") or [], target=target),
            "funnel": charts.funnel_chart(report.get("funnel") or [],
                                          enrolled=counts.get("enrolled")),
            "distance": charts.diverging_chart(report.get("distance_travelled") or [],
                                               label_of=area_label),
        },
    }


def page_links(cohort, as_of: date) -> dict:
    """The page's links to the same report as PDF and JSON (not needed in the PDF itself)."""
    return {
        "json_url": f"{url_for('report_pages.report_page', cohort_id=cohort.id)}.json"
                    f"?as_of={as_of.isoformat()}",
        "pdf_url": url_for("report_pages.report_pdf", cohort_id=cohort.id,
                           as_of=as_of.isoformat()),
        "file_urls": [
            (label, url_for(endpoint, cohort_id=cohort.id, fmt=fmt, as_of=as_of.isoformat()))
            for label, endpoint, fmt in (
                (_("Tables as Excel"), "report_exports.report_file", "xlsx"),
                (_("Tables as CSV"), "report_exports.report_file", "csv"),
                (_("ESF+ indicators (Excel)"), "report_exports.esf_file", "xlsx"),
            )
        ],
    }


def pdf_filename(cohort_id: int, as_of: date) -> str:
    # Ids and dates only: a cohort name could carry a person's name.
    stem = _("cohort-report")
    return f"{stem}-{cohort_id}-{as_of.isoformat()}.pdf"


def render_report_pdf(report: dict, cohort, as_of: date, base_url: str) -> bytes:
    from journey.reports.pdf import render_pdf

    html = render_template("reports/pdf/report.html", **report_context(report, cohort, as_of))
    return render_pdf(html, base_url)


@bp.route("/cohorts/<int:cohort_id>/report")
@roles_required(Role.manager)
def report_page(cohort_id: int):
    """The cohort report: headline rates, charts, funnel and breakdowns as of a date."""
    cohort = get_cohort_or_404(cohort_id)
    as_of, error = parse_as_of(request.args.get("as_of"))
    if error:
        html = render_partial_or_page("reports/page.html", "reports/_body.html",
                                      cohort=cohort, program=cohort.program, error=error,
                                      as_of_raw=request.args.get("as_of", ""))
        return html, 400
    context = report_context(load_report(cohort, as_of), cohort, as_of)
    return render_partial_or_page("reports/page.html", "reports/_body.html",
                                  error=None, as_of_raw=as_of.isoformat(),
                                  **page_links(cohort, as_of), **context)


@bp.route("/cohorts/<int:cohort_id>/report.pdf")
@roles_required(Role.manager)
def report_pdf(cohort_id: int):
    """The cohort report as a PDF (an export: recorded in the audit log)."""
    cohort = get_cohort_or_404(cohort_id)
    as_of, error = parse_as_of(request.args.get("as_of"))
    if error:
        return render_template("reports/page.html", cohort=cohort, program=cohort.program,
                               error=error, as_of_raw=request.args.get("as_of", "")), 400
    pdf = render_report_pdf(load_report(cohort, as_of), cohort, as_of, request.url_root)
    record(AuditAction.export, object_type="cohort", object_id=cohort.id,
           detail=f"cohort report pdf as_of {as_of.isoformat()}")
    db.session.commit()
    return pdf_download(pdf, pdf_filename(cohort.id, as_of))

