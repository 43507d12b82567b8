"""The cohort report page: managers of the organisation only, htmx and full page."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import Role
from journey.reports import pages
from tests import factories
from tests.reports.sample_report import sample_report

HX = {"HX-Request": "true"}


@pytest.fixture
def sample(monkeypatch):
    """Serve the hand-made report, so the page is tested apart from the numbers."""
    seen = []

    def fake(cohort, as_of):
        seen.append(as_of)
        return sample_report(cohort.id, name=cohort.name)

    monkeypatch.setattr(pages, "load_report", fake)
    return seen


def test_manager_sees_the_report_page(client, login_as, world, sample):
    coh = world["enr_a"].cohort
    login_as(world["manager1"])
    response = client.get(f"/cohorts/{coh.id}/report?as_of=2026-06-30")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert sample == [date(2026, 6, 30)]
    assert "Kullrapport: Jobbpunkt HT" in html
    assert 'value="2026-06-30"' in html and '<label for="as_of">Rapportdatum</label>' in html
    # Headline numbers, each with its definition one click away
    kpi = re.search(r'id="kpi-job_or_studies".*?</li>', html, re.S).group(0)
    assert "73\u00a0%" in kpi and "82 av 112" in kpi and "64–80\u00a0%" in kpi
    assert "<details" in kpi and "Wilson" in kpi
    for key in ("enrolled", "active", "leavers", "job_or_studies_excl_neutral", "job",
                "studies", "time_to_outcome", "attendance", "sustained_6m",
                "cost_per_outcome"):
        assert f'id="kpi-{key}"' in html
    assert "187 dagar" in html and "51\u00a0829 kr" in html
    # The same report as files, for the same date
    for url in (f"/cohorts/{coh.id}/report.xlsx?as_of=2026-06-30",
                f"/cohorts/{coh.id}/report.csv?as_of=2026-06-30",
                f"/cohorts/{coh.id}/esf.xlsx?as_of=2026-06-30"):
        assert f'href="{url}"' in html
    # Charts (inline SVG), funnel table, suppressed breakdowns, distance travelled
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 11
    assert '<th scope="row">2. Coachning</th>' in html
    lagersberg = re.search(r"<tr><th scope=\"row\">Lagersberg</th>.*?</tr>", html, re.S).group(0)
    assert lagersberg.count("&lt;5") == 3 and "%" not in lagersberg
    assert "Språk" in html and "+2,9" in html
    # Links to the PDF and JSON for the same date
    assert f'href="/cohorts/{coh.id}/report.pdf?as_of=2026-06-30"' in html
    assert f'href="/cohorts/{coh.id}/report.json?as_of=2026-06-30"' in html
    assert "Amina" not in html and "Bo Berg" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_request_gets_only_the_report_body(client, login_as, world, sample):
    coh = world["enr_a"].cohort
    login_as(world["manager1"])
    response = client.get(f"/cohorts/{coh.id}/report?as_of=2026-01-31", headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="report-body"')
    assert "<html" not in html and "Rapportdatum" not in html
    assert "73\u00a0%" in html
    assert sample == [date(2026, 1, 31)]
    full = client.get(f"/cohorts/{coh.id}/report?as_of=2026-01-31").get_data(as_text=True)
    assert "<html" in full and 'hx-target="#report-body"' in full
    assert 'hx-disabled-elt="find button"' in full


def test_default_date_is_today(client, login_as, world, sample):
    login_as(world["manager1"])
    response = client.get(f"/cohorts/{world['enr_a'].cohort.id}/report")
    assert response.status_code == 200
    assert sample == [date.today()]
    assert f'value="{date.today().isoformat()}"' in response.get_data(as_text=True)


@pytest.mark.parametrize("headers", [{}, HX])
def test_invalid_date_gives_a_clear_message_and_writes_nothing(client, login_as, world,
                                                               sample, db, headers):
    login_as(world["manager1"])
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    response = client.get(f"/cohorts/{world['enr_a'].cohort.id}/report?as_of=2026-13-01",
                          headers=headers)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Ange rapportdatumet som ÅÅÅÅ-MM-DD, t.ex. 2026-06-30." in html
    if not headers:
        assert 'aria-describedby="as_of-hint as_of-error"' in html
        assert 'aria-invalid="true"' in html
    assert sample == []
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before


def test_scope_of_the_report_page(client, login_as, world, sample):
    coh1, coh2 = world["enr_a"].cohort, world["enr_c"].cohort
    anonymous = client.get(f"/cohorts/{coh1.id}/report")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for who in ("coach_a", "admin1", "portal_a", "manager2"):
        with client.session_transaction() as session:
            session.clear()
        login_as(world[who])
        assert client.get(f"/cohorts/{coh1.id}/report").status_code == 404, who
        assert client.get(f"/cohorts/{coh1.id}/report", headers=HX).status_code == 404, who
    with client.session_transaction() as session:
        session.clear()
    login_as(world["manager1"])
    assert client.get(f"/cohorts/{coh1.id}/report").status_code == 200
    assert client.get(f"/cohorts/{coh2.id}/report").status_code == 404  # other organisation
    assert client.get("/cohorts/999999/report").status_code == 404


def test_english_user_gets_english_labels(client, login_as, world, sample, db):
    manager = factories.user(Role.manager, world["orgs"][0], locale="en")
    login_as(manager)
    html = client.get(f"/cohorts/{world['enr_a'].cohort.id}/report").get_data(as_text=True)
    assert "Cohort report: Jobbpunkt HT" in html and "Key figures" in html


def _grow(world, n):
    coh = world["enr_a"].cohort
    coach = world["coach_a"]
    for _i in range(n):
        enr = factories.enrollment(coach, coh, enrolled_on=coh.starts_on + timedelta(days=5))
        factories.activity(enr, on=coh.starts_on + timedelta(days=10))


def test_query_count_does_not_grow_with_the_cohort(client, login_as, world, db,
                                                   count_queries):
    """Against the real report queries: the page costs the same for 2 or 22 enrollments."""
    coh = world["enr_a"].cohort
    login_as(world["manager1"])
    url = f"/cohorts/{coh.id}/report"
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _grow(world, 20)
    db.session.commit()
    with count_queries() as large:
        response = client.get(url)
    assert response.status_code == 200
    assert large.count == small.count
    assert large.count <= 25
    # The real numbers are on the page: world's 2 enrollments plus 20.
    kpi = re.search(r'id="kpi-enrolled".*?</li>', response.get_data(as_text=True), re.S)
    assert '<span class="kpi-value">22</span>' in kpi.group(0)


def test_hidden_cells_say_less_than_five_only_when_true(app):
    with app.test_request_context():
        # Primary suppression: the hidden counts are 1–4.
        assert pages.breakdown_cells({"enrolled": None, "leavers": None,
                                      "job_or_studies": None, "suppressed": True}) == {
            "enrolled": "<5", "leavers": "<5", "job_or_studies": "<5"}
        # Enrolled hidden next to 6 leavers was hidden to protect another cell: not "<5".
        assert pages.breakdown_cells({"enrolled": None, "leavers": 6, "job_or_studies": None,
                                      "suppressed": True}) == {
            "enrolled": "dolt", "leavers": "6", "job_or_studies": "<5"}
        # Small counts are shown as "<5" even if the data forgot to hide them; 0 is shown.
        assert pages.breakdown_cells({"enrolled": 7, "leavers": 3, "job_or_studies": 0,
                                      "suppressed": False}) == {
            "enrolled": "7", "leavers": "<5", "job_or_studies": "0"}
        assert pages.row_rate({"enrolled": 7, "leavers": 3, "job_or_studies": 0,
                               "rate": 0.0}) is None
        assert pages.row_rate({"enrolled": 30, "leavers": 20, "job_or_studies": 3,
                               "rate": 0.15}) is None
        assert pages.row_rate({"enrolled": 9, "leavers": 8, "job_or_studies": 6,
                               "rate": 0.75}) == 0.75


def test_report_page_date_is_as_strict_as_the_json_route():
    from datetime import date

    from journey.reports.pages import parse_as_of

    assert parse_as_of("20251231")[1] is not None
    assert parse_as_of("2025-12-31") == (date(2025, 12, 31), None)
