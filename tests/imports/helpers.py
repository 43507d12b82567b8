"""Build import files for the tests and the benchmark."""

import csv
import io
from datetime import date, timedelta

from journey.imports.parsing import COLUMNS
from journey.participants.personnummer import luhn_digit

HEADER = list(COLUMNS)


def personnummer(birth: date, serial: int, *, woman: bool = True) -> str:
    """A valid 12-digit number for ``birth``; ``serial`` 0–499 picks the digits."""
    serial3 = (serial % 500) * 2 + (0 if woman else 1)
    nine = f"{birth:%y%m%d}{serial3:03d}"
    return f"{birth:%Y%m%d}-{serial3:03d}{luhn_digit(nine)}"


def row(**values) -> dict:
    base = {"first_name": "Amal", "last_name": "Hassan", "enrolled_on": "2023-02-01",
            "gender": "woman"}
    base.update(values)
    return base


def csv_bytes(rows, *, columns=None, delimiter=",", bom=False, encoding="utf-8") -> bytes:
    columns = columns or HEADER
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, extrasaction="ignore",
                            lineterminator="\r\n")
    writer.writeheader()
    for r in rows:
        writer.writerow(r)
    text = out.getvalue()
    return (("\ufeff" if bom else "") + text).encode(encoding)


def xlsx_bytes(rows, *, columns=None) -> bytes:
    from openpyxl import Workbook

    columns = columns or HEADER
    wb = Workbook()
    ws = wb.active
    ws.append(columns)
    for r in rows:
        ws.append([r.get(c, "") or None for c in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def many_rows(n: int, *, coach_email: str = "", start: date = date(2022, 1, 10)) -> list[dict]:
    """``n`` distinct valid rows; every third has exited with a job, some with follow-up."""
    rows = []
    for i in range(n):
        birth = date(1970, 1, 1) + timedelta(days=i // 400)
        woman = i % 2 == 0
        r = row(first_name=f"Förnamn{i}", last_name=f"Efternamn{i}",
                enrolled_on=(start + timedelta(days=i % 60)).isoformat(),
                gender="woman" if woman else "man",
                national_id=personnummer(birth, i % 400, woman=woman),
                birth_region="outside_europe", district="Bäckby",
                unemployed_months_at_entry=str(i % 30), coach_email=coach_email)
        if i % 3 == 0:
            r.update(exited_on=(start + timedelta(days=200)).isoformat(),
                     outcome="job_unsubsidized", employer="Mälarenergi",
                     qualification_gained="ja", followup_6m_status="employed")
        rows.append(r)
    return rows
