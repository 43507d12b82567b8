"""GET /cohorts/<id>/report.csv and .xlsx: tables, suppression, formula injection, scope."""

import csv
import io
from datetime import date, timedelta

import openpyxl
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AuditAction
from journey.extensions import db
from journey.reports.exports import Percent, Table, neutralise, to_csv, to_xlsx
from tests.conftest import login
from tests.reports.metrics_helpers import add, assessment, exit_, org_setup

EVIL_COHORT = '=HYPERLINK("http://evil.example","klicka")'
EVIL_PROGRAM = "@SUM(1+1)"


def _cohort():
    """12 women in district "+cmd" (8 leavers, 3 to a job) and 9 men in "-Råby" (7 leavers,
    6 to a job); two assessments that fall by 2 and by 1 points (mean change -1.5)."""
    s = org_setup()
    s["cohort"].name = EVIL_COHORT
    s["program"].name = EVIL_PROGRAM
    start = date(2025, 1, 1)
    enrs = []
    for gender, district, n, leavers, jobs in (("woman", "+cmd", 12, 8, 3),
                                               ("man", "-Råby", 9, 7, 6)):
        for i in range(n):
            enr = add(s["cohort"], s["coach"], start, gender=gender, district=district)
            if i < leavers:
                exit_(enr, start + timedelta(days=40),
                      "job_unsubsidized" if i < jobs else "job_seeking")
            enrs.append(enr)
    assessment(enrs[0], date(2025, 1, 5), job_skills=6)
    assessment(enrs[0], date(2025, 2, 5), job_skills=4)
    assessment(enrs[1], date(2025, 1, 5), job_skills=5)
    assessment(enrs[1], date(2025, 2, 5), job_skills=4)
    db.session.commit()
    return s


def _url(cohort, fmt: str, as_of: str | None = "2025-12-31") -> str:
    return f"/cohorts/{cohort.id}/report.{fmt}" + (f"?as_of={as_of}" if as_of else "")


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _block(rows: list[list], title: str) -> list[list]:
    """The rows of the table titled ``title`` (after its header), up to the blank line."""
    start = next(i for i, r in enumerate(rows) if r and r[0] == title and len(
        [c for c in r if c not in ("", None)]) == 1)
    out = []
    for r in rows[start + 2:]:
        if not r or all(c in ("", None) for c in r):
            break
        out.append(r)
    return out


def _by_label(rows: list[list]) -> dict:
    return {r[0]: r[1:] for r in rows}


# --- pure writers -------------------------------------------------------------------------


def test_neutralise_prefixes_formula_starts_only():
    for text in ("=1+1", "+cmd", "-rm", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    for text in ("Bäckby", "<5", "dolt", "", "1-2"):
        assert neutralise(text) == text


def test_csv_writes_numbers_as_numbers_and_neutralises_text(app):
    tables = [Table("=T", ["-h", "b"], [["+x", -1.5], [7, Percent(0.617)]]),
              Table("Två", ["a"], [[None]])]
    with app.test_request_context():
        rows = _csv_rows(to_csv(tables))
    assert rows == [["'=T"], ["'-h", "b"], ["'+x", "-1,5"], ["7", "0,617"], [], ["Två"],
                    ["a"], [""]]


def test_xlsx_keeps_numbers_numeric_and_text_inert(app):
    tables = [Table("=T", ["-h", "b"], [["+x", -1.5], ["@y\x01", Percent(0.617)]])]
    with app.test_request_context():
        ws = openpyxl.load_workbook(io.BytesIO(to_xlsx(tables))).active
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [
        ["'=T", None], ["'-h", "b"], ["'+x", -1.5], ["'@y", 0.617]]
    assert ws["B3"].data_type == "n" and ws["B4"].number_format == "0.0%"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


# --- the CSV route ------------------------------------------------------------------------


def test_manager_downloads_the_csv(client, login_as, db):
    s = _cohort()
    login_as(s["manager"])
    response = client.get(_url(s["cohort"], "csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="kullrapport-{s["cohort"].id}-2025-12-31.csv"')
    rows = _csv_rows(response.data)
    assert all(len(r) <= 6 for r in rows)
    cohort = _by_label(_block(rows, "Kull"))
    # User-supplied names are neutralised.
    assert cohort["Kull"] == ["'" + EVIL_COHORT]
    assert cohort["Program"] == ["'" + EVIL_PROGRAM]
    assert cohort["Rapportdatum"] == ["2025-12-31"]
    assert not any(c.startswith(("=", "+", "@")) for r in rows for c in r)
    key = _by_label(_block(rows, "Nyckeltal"))
    assert key["Inskrivna"][0] == "21" and key["Avslutade"][0] == "15"
    # 9 jobs of 15 leavers: a fraction with a decimal comma, with numerator and denominator.
    assert key["Arbete eller studier"][:3] == ["0,6", "9", "15"]
    low, high = (float(x.replace(",", ".")) for x in key["Arbete eller studier"][3:5])
    assert 0.3 < low < 0.6 < high < 0.85
    outcomes = _by_label(_block(rows, "Utfall vid avslut"))
    assert outcomes["Arbete utan stöd"][-1] == "9"
    # Suppression: the women's 3 jobs are "<5"; the cells hidden only so that it cannot be
    # worked out are "dolt"; enrolled (12 and 9) is shown; no rate where anything is hidden.
    gender = _by_label(_block(rows, "Kön"))
    assert gender["Kvinna"] == ["12", "dolt", "<5", ""]
    assert gender["Man"] == ["9", "dolt", "dolt", ""]
    assert gender["Icke-binär"] == ["0", "0", "0", ""]
    districts = _by_label(_block(rows, "Bostadsområde"))
    assert districts["'+cmd"] == ["12", "dolt", "<5", ""]
    assert districts["'-Råby"] == ["9", "dolt", "dolt", ""]
    # A negative mean change stays a number: -1,5 (not neutralised text).
    distance = _by_label(_block(rows, "Förflyttning"))
    assert distance["Yrkeskunskap"][:2] == ["2", "-1,5"]
    # The audit log says who exported what, and in which format.
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.export)).one()
    assert (event.object_type, event.object_id) == ("cohort", s["cohort"].id)
    assert event.user_id == s["manager"].id
    assert event.detail == "report.csv as_of 2025-12-31"


def test_manager_downloads_the_xlsx(client, login_as, db):
    s = _cohort()
    login_as(s["manager"])
    response = client.get(_url(s["cohort"], "xlsx"))
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="kullrapport-{s["cohort"].id}-2025-12-31.xlsx"')
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = wb.active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    # No formula anywhere; the user-supplied names are text with a leading quote.
    assert all(c.data_type != "f" for c in cells)
    assert not any(isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))
                   for c in cells)
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    cohort = _by_label(_block(rows, "Kull"))
    assert cohort["Kull"][0] == "'" + EVIL_COHORT
    assert cohort["Program"][0] == "'" + EVIL_PROGRAM
    key = _by_label(_block(rows, "Nyckeltal"))
    assert key["Inskrivna"][0] == 21
    assert key["Arbete eller studier"][:3] == [0.6, 9, 15]
    rate_cell = next(c for c in cells if c.value == "Arbete eller studier")
    assert ws.cell(row=rate_cell.row, column=2).number_format == "0.0%"
    gender = _by_label(_block(rows, "Kön"))
    assert gender["Kvinna"][:4] == [12, "dolt", "<5", None]
    assert gender["Man"][:4] == [9, "dolt", "dolt", None]
    districts = _by_label(_block(rows, "Bostadsområde"))
    assert districts["'+cmd"][:3] == [12, "dolt", "<5"]
    assert districts["'-Råby"][:3] == [9, "dolt", "dolt"]
    distance = _by_label(_block(rows, "Förflyttning"))
    assert distance["Yrkeskunskap"][:2] == [2, -1.5]  # numeric, not text
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.export)).one()
    assert event.detail == "report.xlsx as_of 2025-12-31"


def test_as_of_defaults_to_today_and_bad_dates_are_refused(client, login_as, world, db):
    cohort = world["enr_a"].cohort
    login_as(world["manager1"])
    response = client.get(_url(cohort, "csv", as_of=None))
    assert response.status_code == 200
    assert f"-{date.today().isoformat()}.csv" in response.headers["Content-Disposition"]
    for bad in ("2025-13-01", "31/12/2025", "igår"):
        for fmt in ("csv", "xlsx"):
            response = client.get(_url(cohort, fmt, as_of=bad))
            assert response.status_code == 400, bad
            assert "Ange rapportdatumet som ÅÅÅÅ-MM-DD" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.export)) == 1


def test_scope_of_the_downloads(app, client, world):
    own, other = world["enr_a"].cohort, world["enr_c"].cohort
    for fmt in ("csv", "xlsx"):
        response = client.get(_url(own, fmt))
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, world["manager1"])
    for fmt in ("csv", "xlsx"):
        assert client.get(_url(own, fmt)).status_code == 200
        assert client.get(_url(other, fmt)).status_code == 404  # another organisation
        assert client.get(f"/cohorts/999999/report.{fmt}").status_code == 404
    for who in ("coach_a", "portal_a", "admin1"):
        other_client = app.test_client()
        login(other_client, world[who])
        for fmt in ("csv", "xlsx"):
            assert other_client.get(_url(own, fmt)).status_code == 404, who


def _cohort_of_size(n: int):
    s = org_setup()
    start = date(2025, 1, 1)
    for i in range(n):
        enr = add(s["cohort"], s["coach"], start, district=f"Område {i % 7}",
                  birth_date=date(1980 + i % 30, 1, 1), months=i % 30)
        if i % 3:
            exit_(enr, start + timedelta(days=60 + i), ("studies", "job_seeking")[i % 2])
    db.session.commit()
    return s


def test_query_count_does_not_grow_with_the_cohort(app, count_queries):
    small, large = _cohort_of_size(5), _cohort_of_size(60)
    counts = []
    for s in (small, large):
        c = app.test_client()
        login(c, s["manager"])
        c.get(_url(s["cohort"], "xlsx"))  # warm up
        with count_queries() as q:
            assert c.get(_url(s["cohort"], "xlsx")).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] and counts[1] <= 14, counts
