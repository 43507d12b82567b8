"""Self-assessments: recording one, and the table of change since the first."""

import re

import pytest

from journey.enums import AssessmentArea, AssessmentPhase, AuditAction
from journey.journeys.models import Assessment, AssessmentScore
from tests.journeys.helpers import (
    HX,
    assessment,
    assessment_form_data,
    count,
    days_ago,
    events,
    section,
    token_for,
)


def _row(html: str, area_label: str) -> str:
    return html[html.index(f'<th scope="row">{area_label}</th>'):].split("</tr>")[0]


def test_no_assessment_yet_shows_the_form_open_with_intake_chosen(client, login_as, world):
    login_as(world["coach_a"])
    html = section(client.get(f"/enrollments/{world['enr_a'].id}").get_data(as_text=True),
                   "assessments")
    assert '<h2 id="assessments-heading">Självskattning</h2>' in html
    assert "Ingen skattning ännu." in html
    assert '<details class="card add-form" id="assessment-add" open>' in html
    assert '<option selected value="intake">' in html
    for area in ("Yrkeskunskap", "Motivation", "Jobbsökande", "Hälsa"):
        assert f">{area}</label>" in html


def test_table_shows_change_since_the_first_and_a_chart_per_area(client, login_as, world, db):
    enr = world["enr_a"]
    base = {area: 5 for area in AssessmentArea}
    assessment(enr, days_ago(90), AssessmentPhase.intake,
               {**base, AssessmentArea.job_skills: 3, AssessmentArea.health: 7})
    assessment(enr, days_ago(45), AssessmentPhase.midway,
               {**base, AssessmentArea.job_skills: 5, AssessmentArea.health: 6})
    assessment(enr, days_ago(1), AssessmentPhase.exit,
               {**base, AssessmentArea.job_skills: 6, AssessmentArea.health: 6})
    db.session.commit()
    login_as(world["coach_a"])
    html = section(client.get(f"/enrollments/{enr.id}").get_data(as_text=True), "assessments")
    assert "3 skattningar" in html
    # Closed once there are assessments, and the form is fetched when it is opened.
    box = section(html, "assessment-add")
    assert "<details" in box and " open" not in box.split(">")[0]
    assert f'hx-get="/enrollments/{enr.id}/assessments/new"' in box
    assert 'hx-trigger="toggle once"' in box
    assert f'<a href="/enrollments/{enr.id}/assessments/new">' in box  # without JavaScript
    assert "<form" not in box and "assessment-score_" not in html
    header = html.split("</thead>")[0]
    assert header.index("Inskrivning") < header.index("Halvvägs") < header.index("Avslut")
    assert days_ago(90).isoformat() in header
    job = _row(html, "Yrkeskunskap")
    assert '<td class="num change change-up">+3</td>' in job
    assert re.findall(r'<td class="num">(\d+|–)</td>', job) == ["3", "5", "6"]
    health = _row(html, "Hälsa")
    assert '<td class="num change change-down">−1</td>' in health
    assert '<td class="num change">0</td>' in _row(html, "Motivation")
    # A chart of bars drawn on the server, with the scores as its text alternative.
    assert 'role="img"' in job and "<script" not in html
    assert "<title id=\"spark-job_skills-title\">Yrkeskunskap över tid: 3, 5, 6 (av 10)" in job
    assert job.count('class="spark-bar') == 3 and "spark-latest" in job
    heights = re.findall(r'class="spark-bar[^"]*" x="[\d.]+" y="[\d.]+" width="10" '
                         r'height="([\d.]+)"', job)
    assert [float(h) for h in heights] == [9.6, 16.0, 19.2]


def test_a_single_assessment_has_no_change_yet(client, login_as, world, db):
    enr = world["enr_a"]
    assessment(enr, days_ago(3), AssessmentPhase.intake, 4)
    db.session.commit()
    login_as(world["coach_a"])
    html = section(client.get(f"/enrollments/{enr.id}").get_data(as_text=True), "assessments")
    assert '<span class="muted">–</span>' in _row(html, "Motivation")


def test_record_with_htmx_returns_the_section(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    token = token_for(client, enr)
    data = assessment_form_data(taken_on=days_ago(2), phase="intake", score=4,
                                **{"assessment-score_health": "9"})
    response = client.post(f"/enrollments/{enr.id}/assessments", data=data,
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="assessments"')
    assert "Skattningen har sparats." in html
    assert '<td class="num">9</td>' in _row(html, "Hälsa")
    db.session.expire_all()
    [saved] = db.session.query(Assessment).all()
    assert saved.taken_on == days_ago(2) and saved.phase == AssessmentPhase.intake
    scores = {s.area: s.score for s in db.session.query(AssessmentScore)}
    assert scores == {**{area: 4 for area in AssessmentArea}, AssessmentArea.health: 9}
    [event] = events(AuditAction.create, "assessment")
    assert (event.object_id, event.participant_id) == (saved.id, enr.participant_id)


def test_record_without_javascript_redirects_to_the_section(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["manager1"])
    token = token_for(client, enr)
    response = client.post(f"/enrollments/{enr.id}/assessments",
                           data={**assessment_form_data(phase="midway"), "csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith("?notice=assessment-added#assessments")
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    assert "Skattningen har sparats." in section(page, "assessments")
    assert count(Assessment) == 1


def test_every_area_needs_a_score_from_1_to_10(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    token = token_for(client, enr)
    cases = [
        ({"assessment-score_language": ""}, "assessment-score_language"),
        ({"assessment-score_motivation": "11"}, "assessment-score_motivation"),
        ({"assessment-score_health": "0"}, "assessment-score_health"),
        ({"assessment-score_stability": "sju"}, "assessment-score_stability"),
    ]
    for override, field_id in cases:
        data = assessment_form_data(**override)
        response = client.post(f"/enrollments/{enr.id}/assessments", data=data,
                               headers={**HX, "X-CSRFToken": token})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Skattningen sparades inte. Rätta de markerade fälten." in html
        error = html.split(f'id="{field_id}-error">')[1].split("</p>")[0]
        assert error == "Ange en poäng från 1 till 10."  # one clear message, not two
        assert '<details class="card add-form" id="assessment-add" open>' in html
        response = client.post(f"/enrollments/{enr.id}/assessments",
                               data={**data, "csrf_token": token})
        assert response.status_code == 422
        assert "Ange en poäng från 1 till 10." in section(response.get_data(as_text=True),
                                                         "assessments")
    assert count(Assessment) == 0 and count(AssessmentScore) == 0
    assert events(AuditAction.create, "assessment") == []


def test_date_must_be_given_and_not_in_the_future_and_phase_known(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    token = token_for(client, enr)
    cases = [({"assessment-taken_on": ""}, "Ange datum för skattningen."),
             ({"assessment-taken_on": days_ago(-1).isoformat()},
              "Datumet kan inte ligga i framtiden."),
             ({"assessment-phase": "someday"}, "Inte ett giltigt val")]
    for override, message in cases:
        response = client.post(f"/enrollments/{enr.id}/assessments",
                               data=assessment_form_data(**override),
                               headers={**HX, "X-CSRFToken": token})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert count(Assessment) == 0


def test_assessments_section_url(client, login_as, world):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    partial = client.get(f"/enrollments/{enr.id}/assessments", headers=HX)
    assert partial.get_data(as_text=True).lstrip().startswith('<section id="assessments"')
    plain = client.get(f"/enrollments/{enr.id}/assessments")
    assert plain.status_code == 302
    assert plain.headers["Location"].endswith(f"/enrollments/{enr.id}#assessments")


def test_errors_come_back_in_the_open_form_also_after_the_first(client, login_as, world, db):
    # With assessments the form is fetched on demand, but a rejected one comes back
    # drawn in the section, open, with the values and the message.
    enr = world["enr_a"]
    assessment(enr, days_ago(30), AssessmentPhase.intake, 5)
    db.session.commit()
    login_as(world["coach_a"])
    token = token_for(client, enr)
    data = assessment_form_data(phase="midway", **{"assessment-score_health": "12"})
    response = client.post(f"/enrollments/{enr.id}/assessments", data=data,
                           headers={**HX, "X-CSRFToken": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<details class="card add-form" id="assessment-add" open>' in html
    assert 'id="assessment-score_health-error">Ange en poäng från 1 till 10.' in html
    assert '<option selected value="midway">' in html
    assert count(Assessment) == 1


def test_the_form_on_demand_with_htmx(client, login_as, world, db):
    enr = world["enr_a"]
    assessment(enr, days_ago(30), AssessmentPhase.intake, 5)
    db.session.commit()
    login_as(world["coach_a"])
    response = client.get(f"/enrollments/{enr.id}/assessments/new", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith("<form")
    assert f'hx-post="/enrollments/{enr.id}/assessments"' in html
    assert 'name="assessment-csrf_token" type="hidden" value="' in html
    assert f'value="{days_ago(0).isoformat()}"' in html
    assert '<option selected value="midway">' in html  # after the intake one
    assert html.count('class="field') >= 9  # date, phase and the seven areas
    # Fetching it counts as a view of the enrollment (it tells whether one was assessed).
    [event] = [e for e in events(AuditAction.view, "enrollment")]
    assert (event.object_id, event.participant_id) == (enr.id, enr.participant_id)


def test_the_form_on_demand_is_intake_before_the_first(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    html = client.get(f"/enrollments/{enr.id}/assessments/new", headers=HX).get_data(
        as_text=True)
    assert '<option selected value="intake">' in html


def test_the_form_without_javascript_is_a_page_that_posts_back(client, login_as, world, db):
    enr = world["enr_a"]
    assessment(enr, days_ago(30), AssessmentPhase.intake, 5)
    db.session.commit()
    login_as(world["coach_a"])
    response = client.get(f"/enrollments/{enr.id}/assessments/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert "<h1>Registrera en skattning</h1>" in html and "Amina Ali" in html
    assert 'name="assessment-score_health"' in html
    assert f'action="/enrollments/{enr.id}/assessments#assessments"' in html
    # Its POST is the section's: saved, and back to the section with the confirmation.
    token = re.search(r'name="assessment-csrf_token" type="hidden" value="([^"]+)"', html)
    response = client.post(f"/enrollments/{enr.id}/assessments",
                           data={**assessment_form_data(phase="midway"),
                                 "assessment-csrf_token": token.group(1)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("?notice=assessment-added#assessments")
    assert count(Assessment) == 2


@pytest.mark.parametrize("who, whose, status", [
    ("coach_a", "enr_a", 200),
    ("manager1", "enr_a", 200),
    ("coach_b", "enr_a", 404),   # another coach's participant
    ("coach_a", "enr_b", 404),
    ("manager2", "enr_a", 404),  # another organisation
    ("admin1", "enr_a", 404),
    ("portal_a", "enr_a", 404),  # the participant records theirs in the portal
])
def test_the_form_on_demand_scope(client, login_as, world, who, whose, status):
    login_as(world[who])
    for headers in ({}, HX):
        response = client.get(f"/enrollments/{world[whose].id}/assessments/new",
                              headers=headers)
        assert response.status_code == status


def test_the_form_on_demand_anonymous_goes_to_login(client, world):
    for headers in ({}, HX):
        response = client.get(f"/enrollments/{world['enr_a'].id}/assessments/new",
                              headers=headers)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
