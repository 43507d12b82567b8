"""ESF+ common indicators per cohort: counts worked out by hand, suppression, the route."""

import csv
import io
from datetime import date

import openpyxl
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AuditAction, LabourStatus
from journey.extensions import db
from journey.reports.esf import esf_counts, esf_report
from tests.conftest import login
from tests.reports.metrics_helpers import AS_OF, add, exit_, follow_up, org_setup

ENROLLED = date(2025, 1, 10)


def _cohort():
    """By hand (ages on 2025-01-10):

    - 6 women, unemployed 24 months (long-term), 30 years, upper secondary (ISCED 3–4);
      all left: 5 to a job without subsidy (2 of them with a qualification), 1 job seeking.
      6-month follow-ups: the 5 employed; the job seeker still job seeking.
    - 1 woman, inactive, 17 years, compulsory school (ISCED 0–2), still active.
    - 5 men, unemployed 3 months (not long-term), 20 years, post-secondary (ISCED 5–8); all
      left: 3 to studies, 2 to training. One 6-month follow-up "employed" recorded after
      AS_OF and one 3-month "employed": neither counts for EECR05.
    - 1 man, employed, 60 years, education unknown, months unknown, still active.
    - 1 non-binary person, unemployed 8 months at 22 (long-term: under 25), post-secondary,
      left self-employed; 6-month follow-up self-employed.
    - 1 woman enrolled after AS_OF and 1 man studying at entry who left after AS_OF
      (an exit after the report date is no result yet).
    """
    s = org_setup()
    coh, coach = s["cohort"], s["coach"]
    for i in range(6):
        enr = add(coh, coach, ENROLLED, months=24, gender="woman", birth_date=date(1995, 1, 1),
                  education_level="upper_secondary")
        if i < 5:
            exit_(enr, date(2025, 3, 1), "job_unsubsidized", qualification_gained=i < 2)
            follow_up(enr, 6, date(2025, 9, 1), recorded_on=date(2025, 9, 2), status="employed")
        else:
            exit_(enr, date(2025, 3, 1), "job_seeking")
            follow_up(enr, 6, date(2025, 9, 1), recorded_on=date(2025, 9, 2),
                      status="job_seeking")
    young = add(coh, coach, ENROLLED, months=None, gender="woman", birth_date=date(2007, 6, 1),
                education_level="pre_upper_secondary")
    young.labour_status_at_entry = LabourStatus.inactive
    for i in range(5):
        enr = add(coh, coach, ENROLLED, months=3, gender="man", birth_date=date(2004, 6, 1),
                  education_level="post_secondary")
        exit_(enr, date(2025, 4, 1), "studies" if i < 3 else "training")
        if i == 0:
            follow_up(enr, 6, date(2025, 10, 1), recorded_on=date(2026, 1, 5),
                      status="employed")
            follow_up(enr, 3, date(2025, 7, 1), recorded_on=date(2025, 7, 1),
                      status="employed")
    older = add(coh, coach, ENROLLED, months=None, gender="man", birth_date=date(1964, 6, 1),
                education_level="unknown")
    older.labour_status_at_entry = LabourStatus.employed
    nb = add(coh, coach, ENROLLED, months=8, gender="non_binary", birth_date=date(2002, 6, 1),
             education_level="post_secondary")
    exit_(nb, date(2025, 5, 1), "self_employed")
    follow_up(nb, 6, date(2025, 11, 1), recorded_on=date(2025, 11, 1), status="self_employed")
    add(coh, coach, date(2026, 1, 5), months=1, gender="woman")
    late = add(coh, coach, ENROLLED, months=2, gender="man", birth_date=date(1990, 1, 1))
    late.labour_status_at_entry = LabourStatus.studying
    exit_(late, date(2026, 2, 1), "job_unsubsidized")
    db.session.commit()
    return s


def _g(woman=0, man=0, non_binary=0, unknown=0) -> dict:
    return {"woman": woman, "man": man, "non_binary": non_binary, "unknown": unknown}


def test_esf_counts_by_hand(db):
    s = _cohort()
    counts = esf_counts(s["cohort"].id, AS_OF)
    assert counts == {
        "participants": _g(7, 7, 1),
        "unemployed": _g(6, 5, 1),
        "long_term": _g(6, 0, 1),
        "inactive": _g(1, 1),  # the studying man counts as inactive
        "employed": _g(0, 1),
        "<18": _g(1),
        "18-29": _g(0, 5, 1),
        "30-54": _g(6, 1),
        "55+": _g(0, 1),
        "age_unknown": _g(),
        "isced_0_2": _g(1),
        "isced_3_4": _g(6),
        "isced_5_8": _g(0, 5, 1),
        "isced_unknown": _g(0, 2),  # the older man, and the late man (unknown by default)
        "leavers": _g(6, 5, 1),
        "job_seeking": _g(1),
        "education": _g(0, 5),
        "qualification": _g(2),
        "employment": _g(5, 0, 1),
        "employment_6m": _g(5, 0, 1),
    }


def _rows(blocks) -> dict:
    return {(row.code or row.label): row.cells for block in blocks for row in block.rows}


def test_esf_report_suppresses_small_cells(db):
    s = _cohort()
    rows = _rows(esf_report(s["cohort"].id, AS_OF))
    # EECO11 [7, 7, 1, 0 | 15]: the non-binary 1 is "<5"; it is the row's only hidden cell,
    # so the next smallest non-zero cell (a 7, the women's by order) is hidden too.
    assert rows["EECO11"] == {"woman": "dolt", "man": 7, "non_binary": "<5", "unknown": 0,
                              "total": 15}
    # EECR05 [5, 0, 1, 0 | 6]: the 1 is "<5", and the 5 goes with it ("dolt", not "<5").
    assert rows["EECR05"] == {"woman": "dolt", "man": 0, "non_binary": "<5", "unknown": 0,
                              "total": 6}
    # Results block, by hand: leavers [6, 5, 1, 0 | 12]: the 1 is small and alone in its row,
    # so the men's 5 goes; the men's column then has one hidden cell, so EECR02's men's 5
    # goes ("dolt": not small itself); that row then has one, so its total 5 goes too.
    assert rows["Avslutade"] == {
        "woman": 6, "man": "dolt", "non_binary": "<5", "unknown": 0, "total": 12}
    assert rows["EECR02"] == {"woman": 0, "man": "dolt", "non_binary": 0, "unknown": 0,
                              "total": "dolt"}
    assert rows["EECR01"]["woman"] == "<5" and rows["EECR01"]["total"] == "<5"
    # No cell of 1–4 is ever shown anywhere.
    for cells in rows.values():
        assert not any(isinstance(v, int) and 1 <= v <= 4 for v in cells.values()), cells


def _url(cohort, fmt="csv", as_of="2025-12-31") -> str:
    return f"/cohorts/{cohort.id}/esf.{fmt}?as_of={as_of}"


def test_manager_downloads_the_esf_csv(client, login_as, db):
    s = _cohort()
    login_as(s["manager"])
    response = client.get(_url(s["cohort"]))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="esf-{s["cohort"].id}-2025-12-31.csv"')
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert ["Indikator", "Kvinnor", "Män", "Icke-binära", "Okänt kön", "Totalt"] in rows
    by_label = {r[0]: r[1:] for r in rows if r}
    assert by_label["EECO11 – Deltagare totalt"] == ["dolt", "7", "<5", "0", "15"]
    assert by_label["EECO01 – Arbetslösa, inkl. långtidsarbetslösa"][-1] == "12"
    assert by_label["EECR02 – I utbildning vid avslut"] == ["0", "dolt", "0", "0", "dolt"]
    assert by_label["EECR04 – I arbete, inkl. eget företag, vid avslut"] == [
        "dolt", "0", "<5", "0", "6"]
    assert by_label["EECR05 – I arbete, inkl. eget företag, sex månader efter avslut"] == [
        "dolt", "0", "<5", "0", "6"]
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.export)).one()
    assert (event.object_type, event.object_id) == ("cohort", s["cohort"].id)
    assert event.detail == "esf.csv as_of 2025-12-31"


def test_manager_downloads_the_esf_xlsx(client, login_as, db):
    s = _cohort()
    login_as(s["manager"])
    response = client.get(_url(s["cohort"], "xlsx"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="esf-{s["cohort"].id}-2025-12-31.xlsx"')
    ws = openpyxl.load_workbook(io.BytesIO(response.data)).active
    by_label = {r[0]: list(r[1:6]) for r in ws.iter_rows(values_only=True) if r[0]}
    assert by_label["EECO11 – Deltagare totalt"] == ["dolt", 7, "<5", 0, 15]
    assert db.session.scalars(sa.select(AuditEvent.detail).where(
        AuditEvent.action == AuditAction.export)).one() == "esf.xlsx as_of 2025-12-31"


def test_scope_of_the_esf_download(app, client, world, db):
    own, other = world["enr_a"].cohort, world["enr_c"].cohort
    response = client.get(_url(own))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, world["manager1"])
    assert client.get(_url(own)).status_code == 200
    assert client.get(_url(other)).status_code == 404
    assert client.get(_url(own, as_of="2025-02-30")).status_code == 400
    for who in ("coach_a", "portal_a", "admin1"):
        other_client = app.test_client()
        login(other_client, world[who])
        assert other_client.get(_url(own)).status_code == 404, who
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.export)) == 1


def test_esf_query_count_does_not_grow(app, count_queries, db):
    counts = []
    for n in (3, 40):
        s = org_setup()
        for i in range(n):
            enr = add(s["cohort"], s["coach"], ENROLLED, months=i % 20, gender="woman",
                      birth_date=date(1970 + i % 40, 1, 1))
            if i % 2:
                exit_(enr, date(2025, 6, 1), "job_unsubsidized")
                follow_up(enr, 6, date(2025, 12, 1), recorded_on=date(2025, 12, 1),
                          status="employed")
        db.session.commit()
        c = app.test_client()
        login(c, s["manager"])
        c.get(_url(s["cohort"]))
        with count_queries() as q:
            assert c.get(_url(s["cohort"])).status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] and counts[1] <= 8, counts
