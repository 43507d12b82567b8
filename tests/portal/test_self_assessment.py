"""The participant's own self-assessment: rate each area, then see the change over time."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from journey.enums import AssessmentArea, AssessmentPhase, AuditAction, EnrollmentStatus
from journey.extensions import db as _db
from journey.journeys.models import Assessment, AssessmentScore
from tests.portal.helpers import (
    AREAS,
    HX,
    assessment,
    client_for,
    count,
    events,
    header_token,
    scores_form,
    section,
    token,
)

TODAY = date.today()


def _url(enr) -> str:
    return f"/portal/enrollments/{enr.id}/assessment"


def _saved() -> list[Assessment]:
    _db.session.expire_all()
    return list(_db.session.scalars(sa.select(Assessment).order_by(Assessment.id)))


def test_first_visit_shows_ten_big_choices_per_area(client, login_as, world):
    enr = world["enr_a"]
    login_as(world["portal_a"])
    response = client.get(_url(enr))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Skatta dig själv för första gången" in html
    assert "Den här gången: Inskrivning" in html
    assert html.count('<fieldset class="my-scale"') == 7
    assert html.count('type="radio"') == 70
    for area in AREAS:
        fieldset = section(html, f"area-{area}")
        assert fieldset.count(f'name="score_{area}"') == 10
        assert f'aria-describedby="score_{area}-help"' in fieldset
    # Each area is named and explained in plain words.
    assert "<legend>Hälsa</legend>" in html and "Hur du mår, i kroppen och i huvudet." in html
    assert 'type="range"' not in html
    assert 'id="results"' not in html  # nothing to show yet


def test_viewing_is_audited(client, login_as, world):
    enr = world["enr_a"]
    login_as(world["portal_a"])
    client.get(_url(enr))
    views = events(AuditAction.view, "enrollment")
    assert [(e.object_id, e.participant_id, e.user_id) for e in views] == [
        (enr.id, enr.participant_id, world["portal_a"].id)]


def test_saving_the_first_assessment(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["portal_a"])
    tok = token(client)
    scores = {area: i + 2 for i, area in enumerate(AREAS)}
    response = client.post(_url(enr), data={**scores_form(scores), "csrf_token": tok})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{_url(enr)}?saved=1#results")
    [saved] = _saved()
    assert (saved.enrollment_id, saved.phase, saved.taken_on, saved.created_by_id) == (
        enr.id, AssessmentPhase.intake, TODAY, world["portal_a"].id)
    stored = {s.area.value: s.score for s in
              _db.session.scalars(sa.select(AssessmentScore))}
    assert stored == scores
    created = events(AuditAction.create, "assessment")
    assert [(e.object_id, e.participant_id, e.user_id) for e in created] == [
        (saved.id, enr.participant_id, world["portal_a"].id)]
    page = client.get(response.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "Tack! Din självskattning är sparad." in page
    results = section(page, "results")
    assert "<svg" in results and 'role="img"' in results
    assert "Du har skattat dig själv 1 gång." in results
    assert "Nu: 5 av 10" in results  # language, the fourth area
    assert "Skatta dig själv igen" in page
    # The next one is a midway assessment.
    assert "Den här gången: Halvvägs" in page
    assert "Förra gången: 5" in section(page, "area-language")


def test_change_since_the_first_time_is_shown_with_a_table(client, login_as, world, db):
    enr = world["enr_a"]
    assessment(enr, TODAY - timedelta(days=60), scores=4)
    db.session.commit()
    login_as(world["portal_a"])
    tok = token(client)
    scores = {**{area: 4 for area in AREAS}, "health": 7, "language": 2}
    response = client.post(_url(enr), data={**scores_form(scores), "csrf_token": tok})
    assert response.status_code == 302
    assert [a.phase for a in _saved()] == [AssessmentPhase.intake, AssessmentPhase.midway]
    page = client.get(f"{_url(enr)}?saved=1").get_data(as_text=True)
    results = section(page, "results")
    assert "Du har skattat dig själv 2 gånger." in results
    charts = results[results.index('class="my-charts"'):]
    health = charts[charts.index("<h3>Hälsa</h3>"):].split("</li>")[0]
    assert "Sedan första gången:" in health and "+3" in health and "<polyline" in health
    assert "Hälsa, från första gången till senaste: 4, 7 (av 10)" in health
    language = charts[charts.index("<h3>Språk</h3>"):].split("</li>")[0]
    assert "−2" in language
    # The same numbers as a table, for screen readers and anyone who prefers one.
    table = results[results.index("<table"):]
    assert '<th scope="row">Hälsa</th>' in table and "Sedan första gången" in table
    row = table[table.index('<th scope="row">Hälsa</th>'):].split("</tr>")[0]
    assert [c.split("<")[0] for c in row.split('<td class="num">')[1:]] == ["4", "7", "+3"]


def test_after_the_programme_it_is_a_follow_up(client, login_as, world, db):
    enr = world["enr_a"]
    assessment(enr, TODAY - timedelta(days=200), scores=3)
    enr.status = EnrollmentStatus.exited
    db.session.commit()
    login_as(world["portal_a"])
    page = client.get(_url(enr)).get_data(as_text=True)
    assert "Den här gången: Uppföljning" in page
    client.post(_url(enr), data={**scores_form(5), "csrf_token": token(client)})
    assert [a.phase for a in _saved()] == [AssessmentPhase.intake, AssessmentPhase.follow_up]


def test_a_missing_area_writes_nothing(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["portal_a"])
    tok = token(client)
    data = {**scores_form(6, skip=("health",)), "score_motivation": "11", "csrf_token": tok}
    response = client.post(_url(enr), data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Dina svar sparades inte." in html
    assert "Hälsa: välj ett tal från 1 till 10." in section(html, "area-health")
    assert "Motivation: välj ett tal från 1 till 10." in section(html, "area-motivation")
    health = section(html, "area-health")
    assert 'aria-describedby="score_health-help score_health-error"' in health
    # What was chosen stays chosen.
    assert 'value="6" checked' in section(html, "area-job_skills")
    assert _saved() == [] and count(AssessmentScore) == 0
    assert events(AuditAction.create, "assessment") == []


def test_without_csrf_token_nothing_is_saved(client, login_as, world):
    enr = world["enr_a"]
    login_as(world["portal_a"])
    assert client.post(_url(enr), data=scores_form(5)).status_code == 400
    assert client.post(_url(enr), data=scores_form(5), headers=HX).status_code == 400
    assert _saved() == []


def test_scope(client, login_as, world, db):
    login_as(world["portal_a"])
    tok = token(client)
    for enr in (world["enr_b"], world["enr_c"]):
        assert client.get(_url(enr)).status_code == 404
        response = client.post(_url(enr), data={**scores_form(5), "csrf_token": tok})
        assert response.status_code == 404
    assert _saved() == []


@pytest.mark.parametrize("role", ["coach_a", "manager1", "admin1"])
def test_staff_get_404(client, login_as, world, role):
    enr = world["enr_a"]
    login_as(world[role])
    tok = header_token(client, "/")
    assert client.get(_url(enr)).status_code == 404
    assert client.post(_url(enr), data={**scores_form(5), "csrf_token": tok}).status_code == 404
    assert _saved() == []


def test_anonymous_redirects_to_login(client, world):
    response = client.get(_url(world["enr_a"]))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_coach_sees_the_participants_assessment(app, client, login_as, world):
    enr = world["enr_a"]
    login_as(world["portal_a"])
    client.post(_url(enr), data={**scores_form({a: 9 for a in AREAS}), "csrf_token": token(client)})
    coach = client_for(app, world["coach_a"])
    assessments = section(coach.get(f"/enrollments/{enr.id}").get_data(as_text=True),
                          "assessments")
    assert "Inskrivning" in assessments and TODAY.isoformat() in assessments
    assert assessments.count('<td class="num">9</td>') == len(AssessmentArea)


def test_query_count_is_fixed(client, login_as, world, count_queries, db):
    enr = world["enr_a"]
    for i in range(2):
        assessment(enr, TODAY - timedelta(days=100 - i), scores=1 + i)
    db.session.commit()
    url = _url(enr)  # built outside the counted blocks
    login_as(world["portal_a"])
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    for i in range(2, 30):
        assessment(enr, TODAY - timedelta(days=100 - i), scores=1 + i % 10)
    db.session.commit()
    with count_queries() as large:
        html = client.get(url).get_data(as_text=True)
    assert "Du har skattat dig själv 30 gånger." in html
    assert large.count == small.count, (small.statements, large.statements)
