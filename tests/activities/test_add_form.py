"""The add-activity form is fetched when the section's box is opened (or is a page)."""

import re

import pytest

from journey.enums import AuditAction
from tests.activities.helpers import HX, TODAY, activities_of, audit, form, text


def _section(html: str) -> str:
    start = html.index('<section id="activities"')
    return html[start:html.index("</section>", start)]


def test_the_section_draws_a_closed_box_that_fetches_the_form(client, login_as, world):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    box = _section(text(client.get(f"/enrollments/{enr.id}")))
    box = box[box.index('<details class="card activity-add"'):box.index("</details>")]
    assert " open" not in box.split(">")[0]
    assert f'hx-get="/enrollments/{enr.id}/activities/new"' in box
    assert 'hx-trigger="toggle once"' in box
    assert f'<a href="/enrollments/{enr.id}/activities/new">' in box  # without JavaScript
    assert "<form" not in box and 'name="kind"' not in box


def test_htmx_gets_the_blank_form_alone(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = client.get(f"/enrollments/{enr.id}/activities/new", headers=HX)
    html = text(response)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith("<form")
    assert f'hx-post="/enrollments/{enr.id}/activities"' in html
    assert 'hx-target="#activities"' in html
    assert re.search(r'name="csrf_token" value="[^"]+"', html)
    assert re.search(rf'<input [^>]*name="date"[^>]*value="{TODAY.isoformat()}"', html)
    for name in ("kind", "date", "time", "duration_minutes", "attendance", "note"):
        assert f'name="{name}"' in html
    # A blank form shows nothing of the record: no audit event, nothing written.
    assert audit(AuditAction.view, object_type="enrollment") == []


def test_without_javascript_a_page_whose_form_adds_the_activity(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = client.get(f"/enrollments/{enr.id}/activities/new")
    html = text(response)
    assert response.status_code == 200 and "<html" in html
    assert "<h1>Lägg till en aktivitet</h1>" in html and "Amina Ali" in html
    assert f'action="/enrollments/{enr.id}/activities"' in html
    [event] = audit(AuditAction.view, object_type="enrollment")
    assert (event.object_id, event.participant_id) == (enr.id, enr.participant_id)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(f"/enrollments/{enr.id}/activities",
                           data={**form(note="Från sidan"), "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("?saved=activity-created#activities")
    assert [a.note for a in activities_of(enr)] == ["Från sidan"]


def test_after_an_add_with_htmx_the_box_is_closed_and_fetches_again(client, login_as, world,
                                                                    db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      text(client.get(f"/enrollments/{enr.id}/activities/new",
                                      headers=HX))).group(1)
    response = client.post(f"/enrollments/{enr.id}/activities", data=form(note="Möte"),
                           headers={**HX, "X-CSRFToken": token})
    html = text(response)
    assert response.status_code == 200 and "Aktiviteten har lagts till." in html
    assert f'hx-get="/enrollments/{enr.id}/activities/new"' in html
    assert '<details class="card activity-add" id="activity-add" open>' not in html


@pytest.mark.parametrize("who, whose, status", [
    ("coach_a", "enr_a", 200),
    ("manager1", "enr_a", 200),
    ("coach_b", "enr_a", 404),   # another coach's participant
    ("coach_a", "enr_b", 404),
    ("manager2", "enr_a", 404),  # another organisation
    ("admin1", "enr_a", 404),
    ("portal_a", "enr_a", 404),
])
def test_scope(client, login_as, world, who, whose, status):
    login_as(world[who])
    for headers in ({}, HX):
        response = client.get(f"/enrollments/{world[whose].id}/activities/new",
                              headers=headers)
        assert response.status_code == status


def test_anonymous_goes_to_login(client, world):
    for headers in ({}, HX):
        response = client.get(f"/enrollments/{world['enr_a'].id}/activities/new",
                              headers=headers)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
