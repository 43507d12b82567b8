"""Removing an exit recorded by mistake: managers only, confirmation, reason, audit."""

import pytest

from journey.enums import AuditAction, EnrollmentStatus
from journey.participants.models import Enrollment
from tests.outcomes.helpers import (
    HX,
    days_ago,
    events,
    exit_of,
    follow_ups,
    record_exit,
    record_follow_ups,
    session_token,
)


def _url(enr):
    return f"/enrollments/{enr.id}/exit/reopen"


def _post(client, enr, reason, *, htmx=True):
    token = session_token(client)
    data = {"reopen-reason": reason}
    if htmx:
        return client.post(_url(enr), data=data, headers={**HX, "X-CSRFToken": token})
    return client.post(_url(enr), data={**data, "csrf_token": token})


@pytest.fixture
def exited(world, db):
    for key, coach in (("enr_a", "coach_a"), ("enr_b", "coach_b"), ("enr_c", "coach_c")):
        enr = world[key]
        enr.enrolled_on = days_ago(400)
        record_exit(enr, world[coach], exited_on=days_ago(200))
    return world


def _is_exited(db, enr) -> bool:
    db.session.expire_all()
    return exit_of(enr) is not None


def test_confirmation_page_warns_about_recorded_follow_ups(client, login_as, exited, db):
    enr = exited["enr_a"]
    record_follow_ups(enr, exited["coach_a"], 2)
    login_as(exited["manager1"])
    response = client.get(_url(enr))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html and "<h1>Ta bort avslutet</h1>" in html
    assert "Ta bort avslutet?" in html
    assert "2 registrerade uppföljningar tas också bort." in html
    assert 'name="reopen-reason"' in html and "Varför tas avslutet bort?" in html
    assert _is_exited(db, enr)  # asking is not doing


def test_confirmation_via_htmx_without_recorded_follow_ups(client, login_as, exited):
    enr = exited["enr_a"]
    login_as(exited["manager1"])
    response = client.get(_url(enr), headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="exit"') and "<html" not in html
    assert "Ta bort avslutet?" in html and "tas också bort." not in html
    assert f'hx-post="/enrollments/{enr.id}/exit/reopen"' in html


def test_one_recorded_follow_up_is_named_in_the_singular(client, login_as, exited):
    enr = exited["enr_a"]
    record_follow_ups(enr, exited["coach_a"], 1)
    login_as(exited["manager1"])
    html = client.get(_url(enr), headers=HX).get_data(as_text=True)
    assert "1 registrerad uppföljning tas också bort." in html


@pytest.mark.parametrize("htmx", [True, False])
def test_reason_is_required(client, login_as, exited, db, htmx):
    enr = exited["enr_a"]
    login_as(exited["manager1"])
    response = _post(client, enr, "   ", htmx=htmx)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert ("<html" in html) is not htmx
    error = html[html.index('id="reopen-reason-error"'):].split("</p>")[0]
    assert "Skriv varför avslutet tas bort." in error
    assert _is_exited(db, enr) and len(follow_ups(enr)) == 3
    assert events(AuditAction.delete) == []


def test_reopen_via_htmx(client, login_as, exited, db):
    enr = exited["enr_a"]
    record_follow_ups(enr, exited["coach_a"], 2)
    exit_id = exit_of(enr).id
    login_as(exited["manager1"])
    response = _post(client, enr, "Registrerat på fel deltagare")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="exit"')
    assert "Avslutet är borttaget och inskrivningen är aktiv igen." in html
    assert "Registrera avslut" in html
    assert not _is_exited(db, enr) and follow_ups(enr) == []
    assert db.session.get(Enrollment, enr.id).status == EnrollmentStatus.active
    deleted = events(AuditAction.delete, "exit_outcome")
    assert len(deleted) == 1
    event = deleted[0]
    assert (event.object_id, event.participant_id, event.user_id) == (
        exit_id, enr.participant_id, exited["manager1"].id)
    assert "Reason: Registrerat på fel deltagare" in event.detail
    assert "2 of them recorded" in event.detail


def test_reopen_without_javascript(client, login_as, exited, db):
    enr = exited["enr_b"]
    login_as(exited["manager1"])
    response = _post(client, enr, "Fel datum", htmx=False)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith(f"/enrollments/{enr.id}?outcome=reopened#exit")
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    assert "Avslutet är borttaget" in page[page.index('<section id="exit"'):]
    assert not _is_exited(db, enr)


def test_reopen_when_nothing_is_exited(client, login_as, exited, db):
    enr = exited["enr_a"]
    login_as(exited["manager1"])
    assert _post(client, enr, "Fel").status_code == 200
    # A second (e.g. double) submit: nothing to remove, the section as it is now.
    response = _post(client, enr, "Fel")
    assert response.status_code == 200
    assert "Registrera avslut" in response.get_data(as_text=True)
    response = client.get(_url(enr))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/enrollments/{enr.id}#exit")
    assert len(events(AuditAction.delete, "exit_outcome")) == 1


def test_managers_see_the_remove_link_coaches_do_not(client, login_as, exited):
    enr = exited["enr_a"]
    login_as(exited["coach_a"])
    html = client.get(f"/enrollments/{enr.id}").get_data(as_text=True)
    assert "Ta bort avslutet" not in html and "/exit/reopen" not in html
    client.delete_cookie("journey_session")
    login_as(exited["manager1"])
    html = client.get(f"/enrollments/{enr.id}").get_data(as_text=True)
    assert f'href="/enrollments/{enr.id}/exit/reopen"' in html


@pytest.mark.parametrize("htmx", [True, False])
def test_post_without_csrf_token_is_refused(client, login_as, exited, db, htmx):
    enr = exited["enr_a"]
    login_as(exited["manager1"])
    response = client.post(_url(enr), data={"reopen-reason": "Fel"},
                           headers=HX if htmx else {})
    assert response.status_code == 400
    assert _is_exited(db, enr)


@pytest.mark.parametrize(("who", "target", "expected"), [
    ("manager1", "enr_a", 200),
    ("manager1", "enr_b", 200),
    ("coach_a", "enr_a", 404),    # coaches cannot remove exits, not even their own
    ("coach_b", "enr_a", 404),
    ("manager1", "enr_c", 404),   # another organisation
    ("manager2", "enr_a", 404),
    ("portal_a", "enr_a", 404),
    ("admin1", "enr_a", 404),
])
def test_scope(client, login_as, exited, db, who, target, expected):
    enr = exited[target]
    login_as(exited[who])
    assert client.get(_url(enr)).status_code == expected
    assert client.get(_url(enr), headers=HX).status_code == expected
    assert _post(client, enr, "Fel").status_code == expected
    assert _is_exited(db, enr) is (expected != 200)


def test_anonymous_is_sent_to_login(client, exited, db):
    enr = exited["enr_a"]
    response = client.get(_url(enr))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    token = session_token(client)
    response = client.post(_url(enr), data={"reopen-reason": "Fel", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _is_exited(db, enr)
