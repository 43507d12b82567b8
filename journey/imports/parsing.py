"""Read an uploaded spreadsheet (CSV or XLSX) into rows of trimmed strings.

Only the file's shape is checked here (size, zip-bomb guard, header row, row
count); the values are checked in ``validation.py``. Unknown columns are an
error rather than ignored: a misspelt header ("enroled_on") would otherwise
silently drop a whole column of data.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from journey.i18n import gettext as _

# The column contract of shared/DOMAIN.md, in the documented order.
COLUMNS = (
    "first_name", "last_name", "enrolled_on", "gender", "birth_date", "national_id",
    "birth_region", "district", "education_level", "swedish_level",
    "labour_status_at_entry", "unemployed_months_at_entry", "coach_email", "exited_on",
    "outcome", "neutral_reason", "qualification_gained", "employer", "followup_6m_status",
)
REQUIRED_COLUMNS = COLUMNS[:4]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# Zip-bomb guard for XLSX: checked on the declared sizes before openpyxl opens it.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Members smaller than this are not ratio-checked: tiny XML parts compress oddly well.
RATIO_CHECK_MIN_BYTES = 1024 * 1024


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; ``message`` says why (translated)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """The header (canonical column names) and the data rows.

    ``rows`` holds ``(row_number, {column: text})`` where the row number is the
    one the spreadsheet shows (the header is row 1). Fully empty rows are skipped.
    """

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def file_kind(filename: str, data: bytes) -> str:
    """``"xlsx"`` or ``"csv"``, from the file's content first and its name second."""
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith((".csv", ".txt")) or not name:
        return "csv"
    raise ImportFileError(_("Upload a CSV or XLSX file."))


def read_sheet(data: bytes, filename: str = "") -> Sheet:
    """Parse the uploaded bytes into a :class:`Sheet`.

    :param data: the whole file.
    :param filename: the uploaded file's name (only its extension is used).
    :raises ImportFileError: too large, not a spreadsheet, a zip bomb, bad
        header, no data rows or more than ``MAX_ROWS`` rows.
    """
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is too large: at most %(mb)s MB.", mb=MAX_FILE_BYTES // (1024 * 1024)))
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if file_kind(filename, data) == "xlsx":
        raw_rows = _xlsx_rows(data)
    else:
        raw_rows = _csv_rows(data)
    return _build_sheet(raw_rows)


# -- CSV ------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Swedish Excel saves "CSV" as Windows-1252 (å, ä, ö as single bytes).
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    """``;`` (Swedish Excel, where the comma is the decimal sign), tab or ``,``."""
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(data: bytes):
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        yield from reader
    except csv.Error:
        raise ImportFileError(_("The file could not be read as CSV.")) from None


# -- XLSX -----------------------------------------------------------------------------


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFileError(_("The file could not be read as an XLSX file.")) from None
    with archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if (info.file_size >= RATIO_CHECK_MIN_BYTES
                    and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
                raise ImportFileError(_("The file is packed suspiciously hard and was refused."))
        if total > MAX_UNCOMPRESSED_BYTES:
            raise ImportFileError(_("The file is too large when unpacked: at most %(mb)s MB.",
                                    mb=MAX_UNCOMPRESSED_BYTES // (1024 * 1024)))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes):
    _check_zip(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The file could not be read as an XLSX file.")) from None
    try:
        if not workbook.worksheets:
            return
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    finally:
        workbook.close()


# -- header and rows ------------------------------------------------------------------


def _build_sheet(raw_rows) -> Sheet:
    rows_iter = iter(raw_rows)
    header = None
    header_number = 0
    for raw in rows_iter:
        header_number += 1
        if any((cell or "").strip() for cell in raw):
            header = raw
            break
    if header is None:
        raise ImportFileError(_("The file is empty."))
    columns = [(cell or "").strip().lower() for cell in header]
    # Trailing empty header cells (Excel's used range) are not columns.
    while columns and not columns[-1]:
        columns.pop()
    unknown = [c or _("(empty)") for c in columns if c not in COLUMNS]
    if unknown:
        raise ImportFileError(_(
            "Unknown columns: %(columns)s. Allowed columns: %(allowed)s.",
            columns=", ".join(unknown), allowed=", ".join(COLUMNS)))
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise ImportFileError(_("Columns given twice: %(columns)s.", columns=", ".join(repeated)))
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ImportFileError(_("Required columns are missing: %(columns)s.",
                                columns=", ".join(missing)))
    sheet = Sheet(columns=columns)
    width = len(columns)
    for number, raw in enumerate(rows_iter, start=header_number + 1):
        cells = [(cell or "").strip() for cell in raw[:width]]
        extra = [cell for cell in raw[width:] if (cell or "").strip()]
        if not any(cells) and not extra:
            continue
        if extra:
            raise ImportFileError(_(
                "Row %(row)s has more values than the header has columns.", row=number))
        if len(sheet.rows) >= MAX_ROWS:
            raise ImportFileError(_(
                "The file has more than %(max)s rows. Split it into several files.",
                max=f"{MAX_ROWS:,}".replace(",", " ")))
        cells += [""] * (width - len(cells))
        sheet.rows.append((number, dict(zip(columns, cells, strict=True))))
    if not sheet.rows:
        raise ImportFileError(_("The file has a header row but no data rows."))
    return sheet
