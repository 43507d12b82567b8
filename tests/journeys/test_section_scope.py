"""Every route of the steps, plan, assessment and note sections × every kind of caller."""

import pytest

from journey.extensions import db as _db
from journey.journeys.models import Assessment, JourneyStep, Note, PlanItem
from tests.journeys.helpers import (
    HX,
    anonymous_token,
    assessment_form_data,
    client_for,
    count,
    note,
    plan_item,
    step_of,
    token_for,
)


@pytest.fixture
def objs(world, db):
    """A step, a plan item and a note of each of enr_a and enr_b."""
    out = {}
    for key in ("enr_a", "enr_b"):
        enr = world[key]
        coach = world["coach_a" if key == "enr_a" else "coach_b"]
        out[key] = {"enr": enr, "step": step_of(enr),
                    "item": plan_item(enr, "Ringa Arbetsförmedlingen"), "note": note(enr, coach)}
    db.session.commit()
    return out


def _routes(o, step=None, item=None, note_=None):
    """(method, url, form data) of every route, for enrollment ``o`` and its sub-objects."""
    e = o["enr"].id
    s = (step or o["step"]).id
    i = (item or o["item"]).id
    n = (note_ or o["note"]).id
    return [
        ("GET", f"/enrollments/{e}/steps/{s}", {}),
        ("GET", f"/enrollments/{e}/steps/{s}/edit", {}),
        ("POST", f"/enrollments/{e}/steps/{s}/edit",
         {f"step-{s}-edit-note": "Ny notering", f"step-{s}-edit-started_on": "",
          f"step-{s}-edit-completed_on": ""}),
        ("GET", f"/enrollments/{e}/plan", {}),
        ("POST", f"/enrollments/{e}/plan", {"plan-title": "Söka tre jobb", "plan-owner": "coach"}),
        ("GET", f"/enrollments/{e}/plan/{i}", {}),
        ("GET", f"/enrollments/{e}/plan/{i}/edit", {}),
        ("POST", f"/enrollments/{e}/plan/{i}/edit",
         {f"plan-{i}-title": "Ringa AF i dag", f"plan-{i}-owner": "participant"}),
        ("POST", f"/enrollments/{e}/plan/{i}/toggle", {"done": "1"}),
        ("GET", f"/enrollments/{e}/assessments", {}),
        ("POST", f"/enrollments/{e}/assessments", assessment_form_data()),
        ("GET", f"/enrollments/{e}/notes", {}),
        ("POST", f"/enrollments/{e}/notes", {"note-body": "Bra samtal i dag."}),
        ("POST", f"/enrollments/{e}/plan/{i}/delete", {}),
        ("POST", f"/enrollments/{e}/notes/{n}/delete", {}),
    ]


def _snapshot(objs) -> tuple:
    _db.session.expire_all()
    steps = tuple((s.status, s.note, s.started_on) for s in _db.session.query(JourneyStep))
    items = tuple((p.id, p.title, p.done_on) for p in _db.session.query(PlanItem))
    return steps, items, count(Note), count(Assessment)


@pytest.mark.parametrize("role", ["coach_b", "coach_c", "manager2", "portal_a", "admin1"])
def test_every_route_is_404_outside_the_callers_scope(app, world, objs, role):
    before = _snapshot(objs)
    client = client_for(app, world[role])
    # A page the caller can open gives the session's CSRF token (the portal or the start page).
    token = _token_from_home(client)
    for method, url, data in _routes(objs["enr_a"]):
        for headers in ({**HX, "X-CSRFToken": token}, {}):
            response = client.open(url, method=method, data={**data, "csrf_token": token},
                                   headers=headers)
            assert response.status_code == 404, (role, method, url, headers)
    assert _snapshot(objs) == before


def _token_from_home(client) -> str:
    from tests.conftest import csrf_from

    # Every logged-in page carries the token (the log-out form in the header).
    return csrf_from(client.get("/", follow_redirects=True).get_data(as_text=True))


@pytest.mark.parametrize("role", ["coach_a", "manager1"])
def test_every_route_answers_the_coach_and_the_manager_of_the_enrollment(app, world, objs, db,
                                                                         role):
    user = world[role]
    own_note = note(objs["enr_a"]["enr"], user, "Egen anteckning")
    own_note_id, enr_id = own_note.id, objs["enr_a"]["enr"].id
    client = client_for(app, user)
    token = token_for(client, objs["enr_a"]["enr"])
    for method, url, data in _routes(objs["enr_a"], note_=own_note):
        response = client.open(url, method=method, data=data,
                               headers={**HX, "X-CSRFToken": token})
        assert response.status_code == 200, (method, url, response.get_data(as_text=True)[:300])
        assert "<html" not in response.get_data(as_text=True), (method, url)
    db.session.expire_all()
    assert count(Note, id=own_note_id) == 0
    assert count(PlanItem, enrollment_id=enr_id) == 1  # added one, removed one
    assert count(Assessment, enrollment_id=enr_id) == 1


def test_anonymous_callers_are_sent_to_login_and_nothing_changes(client, world, objs):
    before = _snapshot(objs)
    token = anonymous_token(client)
    for method, url, data in _routes(objs["enr_a"]):
        response = client.open(url, method=method, data={**data, "csrf_token": token})
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login"), (method, url)
    assert _snapshot(objs) == before


@pytest.mark.parametrize("role", ["coach_a", "manager1"])
def test_sub_objects_of_another_enrollment_are_404(app, world, objs, role):
    """The manager may see both enrollments, yet a step, item or note only under its own."""
    before = _snapshot(objs)
    client = client_for(app, world[role])
    token = token_for(client, objs["enr_a"]["enr"])
    other = objs["enr_b"]
    routes = _routes(objs["enr_a"], step=other["step"], item=other["item"], note_=other["note"])
    sub_object_routes = [r for r in routes if r[1].count("/") > 3]
    assert len(sub_object_routes) == 9
    for method, url, data in sub_object_routes:
        response = client.open(url, method=method, data=data,
                               headers={**HX, "X-CSRFToken": token})
        assert response.status_code == 404, (role, method, url)
    assert _snapshot(objs) == before


def test_posts_without_csrf_token_are_400_and_change_nothing(app, world, objs):
    before = _snapshot(objs)
    client = client_for(app, world["coach_a"])
    for method, url, data in _routes(objs["enr_a"]):
        if method != "POST":
            continue
        for headers in (HX, {}):
            response = client.post(url, data=data, headers=headers)
            assert response.status_code == 400, (url, headers)
    assert _snapshot(objs) == before
    # And a wrong token is no better than none.
    response = client.post(f"/enrollments/{objs['enr_a']['enr'].id}/notes",
                           data={"note-body": "x", "csrf_token": "forged"})
    assert response.status_code == 400
    assert _snapshot(objs) == before


def test_a_coach_cannot_delete_another_coachs_note(app, world, objs, db):
    manager_note = note(objs["enr_a"]["enr"], world["manager1"], "Chefens anteckning")
    client = client_for(app, world["coach_a"])
    token = token_for(client, objs["enr_a"]["enr"])
    page = client.get(f"/enrollments/{objs['enr_a']['enr'].id}").get_data(as_text=True)
    assert "Chefens anteckning" in page
    assert f"/notes/{manager_note.id}/delete" not in page  # no button for others' notes
    assert f"/notes/{objs['enr_a']['note'].id}/delete" in page
    response = client.post(f"/enrollments/{objs['enr_a']['enr'].id}/notes/{manager_note.id}/delete",
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 404
    db.session.expire_all()
    assert count(Note, id=manager_note.id) == 1
