"""Programme report (cohorts side by side) and organisation overview: numbers and pages."""

import math
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import Role
from journey.extensions import db as _db
from journey.reports.program_queries import organization_overview, program_comparison
from tests import factories
from tests.reports.metrics_helpers import exit_

HX = {"HX-Request": "true"}
AS_OF = date(2025, 12, 31)


def wilson(k: int, n: int) -> tuple[float, float]:
    """The 95 % Wilson score interval, written out independently of journey.reports.stats."""
    z = 1.959963984540054
    p = k / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / denom, (centre + spread) / denom


def _enrol(coach, coh, enrolled_on, exit_after_days=None, outcome=None):
    enr = factories.enrollment(coach, coh, enrolled_on=enrolled_on)
    if outcome:
        exit_(enr, enrolled_on + timedelta(days=exit_after_days), outcome)
    return enr


@pytest.fixture
def two_programmes(db):
    """Org with "Alfa" (3 cohorts, one empty; target 50 %), "Beta" (target 20 %), an old one."""
    o = factories.org("Kommun R")
    coach = factories.user(Role.coach, o)
    manager = factories.user(Role.manager, o)
    alfa = factories.program(o, "Alfa")
    alfa.outcome_target = Decimal("0.500")
    # Created out of date order: the report orders by start date.
    c1 = factories.cohort(alfa, "Alfa vår 2025", starts_on=date(2025, 1, 1))
    c1.cost_sek = 60000
    c2 = factories.cohort(alfa, "Alfa höst 2024", starts_on=date(2024, 6, 1))
    c3 = factories.cohort(alfa, "Alfa höst 2025", starts_on=date(2025, 6, 1))
    d1, d2 = date(2025, 1, 1), date(2024, 6, 1)
    # c1: 6 enrolled; job 100 and 200 days, studies 150 days, neutral, job seeking, 1 active
    _enrol(coach, c1, d1, 100, "job_unsubsidized")
    _enrol(coach, c1, d1, 200, "self_employed")
    _enrol(coach, c1, d1, 150, "studies")
    _enrol(coach, c1, d1, 30, "neutral")
    _enrol(coach, c1, d1, 60, "job_seeking")
    _enrol(coach, c1, d1)
    # c2: training 90 days, 2 dropouts, a job exit after the report date (still active),
    # and one enrolled after the report date (not counted at all)
    _enrol(coach, c2, d2, 90, "training")
    _enrol(coach, c2, d2, 10, "dropout_unknown")
    _enrol(coach, c2, d2, 20, "dropout_unknown")
    _enrol(coach, c2, date(2025, 11, 1), 120, "job_subsidized")
    _enrol(coach, c2, date(2026, 1, 10), 5, "job_unsubsidized")
    # c3: nobody yet
    beta = factories.program(o, "Beta")
    beta.outcome_target = Decimal("0.200")
    b1 = factories.cohort(beta, "Beta 1", starts_on=date(2025, 2, 1))
    for i in range(10):
        _enrol(coach, b1, date(2025, 2, 1), 50 + i, "job_unsubsidized" if i < 8 else "neutral")
    old = factories.program(o, "Aaa gammalt")
    old.is_active = False
    # Another organisation's programme never shows
    other = factories.program(factories.org(), "Främmande")
    factories.cohort(other, "Främmande 1")
    db.session.commit()
    return {"org": o, "manager": manager, "coach": coach, "alfa": alfa, "beta": beta,
            "old": old, "c1": c1, "c2": c2, "c3": c3}


def test_program_comparison_numbers_by_hand(two_programmes):
    comp = program_comparison(two_programmes["alfa"], AS_OF)
    assert comp.target == 0.5 and comp.as_of == AS_OF
    assert [c.name for c in comp.cohorts] == ["Alfa höst 2024", "Alfa vår 2025", "Alfa höst 2025"]
    c2, c1, c3 = comp.cohorts
    counts = lambda r: (r.counts.enrolled, r.counts.active, r.counts.leavers,  # noqa: E731
                        r.counts.job, r.counts.studies, r.counts.other, r.counts.neutral)
    assert counts(c1) == (6, 1, 5, 2, 1, 2, 1)
    assert counts(c2) == (4, 1, 3, 0, 1, 2, 0)
    assert counts(c3) == (0, 0, 0, 0, 0, 0, 0)
    # c1: 3 of 5, excluding the neutral leaver 3 of 4
    r = c1.job_or_studies
    assert (r.numerator, r.denominator) == (3, 5) and r.value == pytest.approx(0.6)
    assert (r.ci_low, r.ci_high) == pytest.approx(wilson(3, 5))
    assert c1.job_or_studies_excl_neutral.value == pytest.approx(0.75)
    assert (c1.job_or_studies_excl_neutral.ci_low,
            c1.job_or_studies_excl_neutral.ci_high) == pytest.approx(wilson(3, 4))
    assert c1.median_days == 150 and c1.cost_per_outcome_sek == pytest.approx(20000)
    assert c2.job_or_studies.value == pytest.approx(1 / 3)
    assert (c2.job_or_studies.ci_low, c2.job_or_studies.ci_high) == pytest.approx(wilson(1, 3))
    assert c2.median_days == 90 and c2.cost_per_outcome_sek is None
    # The empty cohort: no rate at all (null, never 0)
    assert c3.job_or_studies.value is None and c3.job_or_studies.ci_low is None
    assert c3.median_days is None
    # Pooled totals: the sums, and the rate of the sums
    total = comp.total
    assert counts(total) == (10, 2, 8, 2, 2, 4, 1)
    assert total.job_or_studies.value == pytest.approx(0.5)
    assert (total.job_or_studies.ci_low, total.job_or_studies.ci_high) == pytest.approx(
        wilson(4, 8))
    assert total.job_or_studies_excl_neutral.value == pytest.approx(4 / 7)
    assert total.median_days == pytest.approx(125)  # days 90, 100, 150, 200
    assert total.cost_per_outcome_sek == pytest.approx(20000)  # only c1 has a cost


def test_organization_overview_numbers_and_target(two_programmes):
    rows = organization_overview(two_programmes["org"].id, AS_OF)
    assert [r.name for r in rows] == ["Alfa", "Beta", "Aaa gammalt"]  # active first
    alfa, beta, old = rows
    assert (alfa.cohorts, alfa.counts.enrolled, alfa.counts.active, alfa.counts.leavers) == (
        3, 10, 2, 8)
    assert alfa.job_or_studies.value == pytest.approx(0.5)
    assert (alfa.job_or_studies.ci_low, alfa.job_or_studies.ci_high) == pytest.approx(
        wilson(4, 8))
    # 50 % meets a 50 % target, but the interval reaches well below it
    assert alfa.target == 0.5 and alfa.meets_target is True
    assert alfa.clearly_above_target is False
    assert (beta.cohorts, beta.counts.leavers, beta.job_or_studies.numerator) == (1, 10, 8)
    low, _high = wilson(8, 10)
    assert low > 0.2 and beta.job_or_studies.ci_low == pytest.approx(low)
    assert beta.meets_target is True and beta.clearly_above_target is True
    assert old.is_active is False and old.cohorts == 0 and old.counts.enrolled == 0
    assert old.job_or_studies.value is None and old.target is None
    assert old.meets_target is None and old.clearly_above_target is None


def test_below_target(two_programmes, db):
    two_programmes["alfa"].outcome_target = Decimal("0.700")
    db.session.commit()
    alfa = organization_overview(two_programmes["org"].id, AS_OF)[0]
    assert alfa.meets_target is False and alfa.clearly_above_target is False


def _programme_with_cohorts(n: int, db):
    o = factories.org()
    coach = factories.user(Role.coach, o)
    prog = factories.program(o)
    for i in range(n):
        coh = factories.cohort(prog, starts_on=date(2025, 1, 1) + timedelta(days=i))
        _enrol(coach, coh, coh.starts_on, 40, "job_unsubsidized")
        _enrol(coach, coh, coh.starts_on)
    db.session.commit()
    return o, prog


def test_query_count_does_not_grow_with_cohorts_or_programmes(db, count_queries):
    o2, p2 = _programme_with_cohorts(2, db)
    o10, p10 = _programme_with_cohorts(10, db)
    for _i in range(9):
        factories.program(o10)
    db.session.commit()
    with count_queries() as small:
        assert len(program_comparison(p2, AS_OF).cohorts) == 2
    with count_queries() as large:
        comp = program_comparison(p10, AS_OF)
    assert len(comp.cohorts) == 10 and comp.total.counts.enrolled == 20
    assert large.count == small.count <= 4  # incl. reloading the expired programme
    with count_queries() as small:
        assert len(organization_overview(o2.id, AS_OF)) == 1
    with count_queries() as large:
        assert len(organization_overview(o10.id, AS_OF)) == 10
    assert large.count == small.count <= 4  # incl. reloading the expired programme


# --- pages ---------------------------------------------------------------------------------


def _row_html(html: str, row_id: str) -> str:
    return re.search(rf'<tr id="{row_id}">.*?</tr>', html, re.S).group(0)


def test_manager_sees_the_programme_report(client, login_as, two_programmes):
    alfa, c1, c3 = two_programmes["alfa"], two_programmes["c1"], two_programmes["c3"]
    login_as(two_programmes["manager"])
    response = client.get(f"/programs/{alfa.id}/report?as_of=2025-12-31")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Programrapport: Alfa" in html and 'value="2025-12-31"' in html
    assert "progreport.css" in html
    # Cohorts by start date, each linking to its own report for the same date
    assert html.index("Alfa höst 2024") < html.index("Alfa vår 2025") < html.index(
        "Alfa höst 2025")
    assert f'href="/cohorts/{c1.id}/report?as_of=2025-12-31"' in html
    row1 = _row_html(html, f"cohort-{c1.id}")
    low, high = wilson(3, 5)
    interval = f"{round(low * 100)}–{round(high * 100)}\u00a0%"
    assert "60\u00a0%" in row1 and "3 av 5" in row1 and interval in row1
    assert "75\u00a0%" in row1 and "150" in row1 and "20\u00a0000 kr" in row1
    empty = _row_html(html, f"cohort-{c3.id}")
    assert "–" in empty and "%" not in empty
    total = _row_html(html, "cohort-total")
    assert "50\u00a0%" in total and "4 av 8" in total
    # The chart: bars with whiskers per cohort and the target line
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 1
    assert 'class="ci"' in html and "Mål 50\u00a0%" in html
    assert "Programmets mål: 50\u00a0% i arbete eller studier." in html
    assert "Förnamn" not in html and "Efternamn" not in html  # no personal data
    assert "HX-Request" in response.headers["Vary"]


def test_programme_report_htmx_gets_only_the_body(client, login_as, two_programmes):
    login_as(two_programmes["manager"])
    url = f"/programs/{two_programmes['alfa'].id}/report?as_of=2025-12-31"
    html = client.get(url, headers=HX).get_data(as_text=True)
    assert html.lstrip().startswith('<div id="report-body"')
    assert "<html" not in html and "4 av 8" in html
    full = client.get(url).get_data(as_text=True)
    assert "<html" in full and 'hx-target="#report-body"' in full
    assert 'hx-disabled-elt="find button"' in full


def test_overview_page(client, login_as, two_programmes):
    login_as(two_programmes["manager"])
    response = client.get("/reports?as_of=2025-12-31")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    alfa, beta, old = (two_programmes[k] for k in ("alfa", "beta", "old"))
    assert html.index(">Alfa<") < html.index(">Beta<") < html.index(">Aaa gammalt<")
    assert f'href="/programs/{alfa.id}/report?as_of=2025-12-31"' in html
    a = _row_html(html, f"program-{alfa.id}")
    assert "50\u00a0%" in a and "4 av 8" in a and "Når målet" in a
    b = _row_html(html, f"program-{beta.id}")
    assert "80\u00a0%" in b and "Säkert över målet" in b
    o = _row_html(html, f"program-{old.id}")
    assert "Inaktivt program" in o and "Inget mål" in o
    assert "Främmande" not in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 1
    partial = client.get("/reports?as_of=2025-12-31", headers=HX).get_data(as_text=True)
    assert partial.lstrip().startswith('<div id="report-body"') and "<html" not in partial


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize("which", ["program", "overview"])
def test_invalid_date_gives_a_clear_message(client, login_as, world, db, headers, which):
    login_as(world["manager1"])
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    prog = world["enr_a"].cohort.program
    url = f"/programs/{prog.id}/report" if which == "program" else "/reports"
    response = client.get(f"{url}?as_of=2026-13-01", headers=headers)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Ange rapportdatumet som ÅÅÅÅ-MM-DD, t.ex. 2026-06-30." in html
    if not headers:
        assert 'aria-invalid="true"' in html and 'value="2026-13-01"' in html
    assert client.get(f"{url}?as_of=30/06/2026").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before


def test_scope_of_the_programme_pages(client, login_as, world):
    prog1, prog2 = world["enr_a"].cohort.program, world["enr_c"].cohort.program
    for url in (f"/programs/{prog1.id}/report", "/reports"):
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for who in ("coach_a", "admin1", "portal_a"):
        with client.session_transaction() as session:
            session.clear()
        login_as(world[who])
        for url in (f"/programs/{prog1.id}/report", "/reports"):
            assert client.get(url).status_code == 404, (who, url)
            assert client.get(url, headers=HX).status_code == 404, (who, url)
    with client.session_transaction() as session:
        session.clear()
    login_as(world["manager2"])
    assert client.get(f"/programs/{prog1.id}/report").status_code == 404  # other organisation
    assert client.get(f"/programs/{prog2.id}/report").status_code == 200
    with client.session_transaction() as session:
        session.clear()
    login_as(world["manager1"])
    assert client.get(f"/programs/{prog1.id}/report").status_code == 200
    assert client.get(f"/programs/{prog2.id}/report").status_code == 404
    assert client.get("/programs/999999/report").status_code == 404
    html = client.get("/reports").get_data(as_text=True)
    assert "Jobbpunkt" in html and "Miljövärdar" not in html


def test_page_query_count_does_not_grow(client, login_as, db, count_queries):
    o, prog = _programme_with_cohorts(2, db)
    manager = factories.user(Role.manager, o)
    login_as(manager)
    url = f"/programs/{prog.id}/report?as_of=2025-12-31"
    client.get(url)
    client.get("/reports")
    with count_queries() as small:
        assert client.get(url).status_code == 200
    with count_queries() as small_overview:
        assert client.get("/reports").status_code == 200
    coach = factories.user(Role.coach, o)
    for i in range(8):
        coh = factories.cohort(prog, starts_on=date(2025, 3, 1) + timedelta(days=i))
        _enrol(coach, coh, coh.starts_on, 40, "studies")
        factories.program(o)
    _db.session.commit()
    with count_queries() as large:
        response = client.get(url)
    assert response.status_code == 200
    assert large.count == small.count
    assert response.get_data(as_text=True).count('<tr id="cohort-') == 11  # 10 + total
    with count_queries() as large_overview:
        assert client.get("/reports").status_code == 200
    assert large_overview.count == small_overview.count


def test_long_names_are_shortened_in_the_chart_only():
    from journey.reports.program_pages import short_label

    assert short_label("Alfa vår 2025") == "Alfa vår 2025"
    long = "Jobbpunkt löpande intag HT 2026"
    assert short_label(long) == "Jobbpunkt löpande intag H…" and len(short_label(long)) == 26


def test_programme_pdf_for_the_board(client, login_as, two_programmes, world, db):
    import subprocess

    from journey.enums import AuditAction

    alfa, c1 = two_programmes["alfa"], two_programmes["c1"]
    login_as(two_programmes["manager"])
    response = client.get(f"/programs/{alfa.id}/report.pdf?as_of=2025-12-31")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="programrapport-{alfa.id}-2025-12-31.pdf"')
    text = subprocess.run(["/usr/bin/pdftotext", "-layout", "-", "-"], input=response.data,
                          capture_output=True, check=True).stdout.decode()
    flat = " ".join(text.split())
    assert "Programrapport" in flat and "Alfa höst 2024" in flat and "Alfa höst 2025" in flat
    assert "60 %" in flat and "3 av 5" in flat  # cohort c1 as on the page
    assert "Sida 2 av" in flat
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.export, AuditEvent.object_type == "program")).all()
    assert [(e.object_id, "2025-12-31" in e.detail) for e in events] == [(alfa.id, True)]
    assert c1.id  # the cohort exists; its rows are in the table above


def test_programme_pdf_scope(client, login_as, two_programmes, world):
    alfa = two_programmes["alfa"]
    url = f"/programs/{alfa.id}/report.pdf"
    assert client.get(url).headers["Location"].startswith("/login")
    login_as(world["manager1"])  # another organisation's manager
    assert client.get(url).status_code == 404
    assert client.get(f"/programs/{alfa.id}/report.pdf?as_of=2025-13-01").status_code == 404
