"""The enrollment page as a whole: contents, section anchors and a fixed query count."""

import re

import pytest

from journey.enums import AssessmentPhase, EnrollmentStatus
from journey.journeys.models import Note, PlanItem
from tests.journeys.helpers import HX, assessment, count, days_ago, note, plan_item, token_for


def test_contents_links_point_at_sections_on_the_page(client, login_as, world):
    login_as(world["coach_a"])
    html = client.get(f"/enrollments/{world['enr_a'].id}").get_data(as_text=True)
    toc = html.split('<nav class="page-toc" aria-label="På sidan">')[1].split("</nav>")[0]
    targets = re.findall(r'href="#([\w-]+)"', toc)
    assert targets == ["journey-steps", "plan", "activities-section", "assessments", "notes",
                       "outcome-section"]
    for target in targets:
        assert html.count(f'id="{target}"') == 1, target
    for text in ("Plan", "Självskattning", "Anteckningar"):
        assert f">{text}</a>" in toc
    # Headings in order: h1 for the person, h2 per section.
    assert '<h2 id="plan-heading">' in html and '<h2 id="notes-heading">' in html
    assert html.index('id="journey-steps"') < html.index('id="plan"') \
        < html.index('id="assessments"') < html.index('id="notes"')


def _fill(world, plan_n, assessment_n, note_n):
    enr = world["enr_a"]
    for i in range(plan_n):
        plan_item(enr, f"Uppgift {i}", due_on=days_ago(i - 3) if i % 3 else None,
                  done_on=days_ago(1) if i % 4 == 0 else None, created_by=world["coach_a"])
    for i in range(assessment_n):
        assessment(enr, days_ago(300 - i * 10),
                   AssessmentPhase.intake if i == 0 else AssessmentPhase.midway, 1 + i % 10)
    for i in range(note_n):
        note(enr, world["coach_a"] if i % 2 else world["manager1"], f"Anteckning {i}")


@pytest.mark.parametrize("small, large", [((5, 0, 0), (50, 0, 0)),
                                          ((0, 2, 0), (0, 20, 0)),
                                          ((0, 0, 1), (0, 0, 30)),
                                          ((5, 2, 1), (50, 20, 30))])
def test_page_query_count_does_not_grow_with_the_sections(client, login_as, world, db,
                                                          count_queries, small, large):
    enr = world["enr_a"]
    url = f"/enrollments/{enr.id}"
    _fill(world, *small)
    db.session.commit()
    login_as(world["coach_a"])
    with count_queries() as few:
        response = client.get(url)
    assert response.status_code == 200
    _fill(world, *(b - a for a, b in zip(small, large, strict=True)))
    db.session.commit()
    with count_queries() as many:
        response = client.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('<li class="plan-item') == large[0]
    assert html.count('<li class="note"') == large[2]
    assert many.count == few.count, many.statements
    # 11: the activity section takes three (counts, upcoming, the latest earlier ones).
    assert many.count <= 11, many.statements


def test_htmx_section_answers_are_small_and_bounded(client, login_as, world, db, count_queries):
    enr = world["enr_a"]
    _fill(world, 40, 15, 25)
    db.session.commit()
    login_as(world["coach_a"])
    token = token_for(client, enr)
    with count_queries() as q:
        response = client.post(f"/enrollments/{enr.id}/notes", data={"note-body": "Ny"},
                               headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    assert q.count <= 12, q.statements


def test_an_exited_enrollment_keeps_its_plan_and_notes_editable(client, login_as, world, db):
    """Exit does not freeze the record: follow-up work goes on after it."""
    enr = world["enr_a"]
    enr.status = EnrollmentStatus.exited
    db.session.commit()
    login_as(world["coach_a"])
    token = token_for(client, enr)
    headers = {**HX, "X-CSRFToken": token}
    assert client.post(f"/enrollments/{enr.id}/plan", data={"plan-title": "Uppföljning",
                                                            "plan-owner": "coach"},
                       headers=headers).status_code == 200
    assert client.post(f"/enrollments/{enr.id}/notes", data={"note-body": "Har fått jobb."},
                       headers=headers).status_code == 200
    assert count(PlanItem) == 1 and count(Note) == 1


def test_an_unknown_notice_code_shows_nothing(client, login_as, world):
    login_as(world["coach_a"])
    html = client.get(f"/enrollments/{world['enr_a'].id}?notice=bogus&item=x")
    assert html.status_code == 200
    assert 'class="saved"' not in html.get_data(as_text=True)
