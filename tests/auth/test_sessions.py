"""Idle and absolute session limits, and the audit trail of logins and logouts."""

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AuditAction, Role
from tests import factories
from tests.conftest import login, page_token

MINUTE = 60
HOUR = 60 * MINUTE


@pytest.fixture
def coach(db):
    u = factories.user(Role.coach, name="Coach Sessionsson")
    db.session.commit()
    return u


def _shift_clocks(client, *, login_ago: int | None = None, seen_ago: int | None = None):
    """Move the session's stored instants into the past (instead of sleeping)."""
    now = int(time.time())
    with client.session_transaction() as sess:
        if login_ago is not None:
            sess["login_at"] = now - login_ago
        if seen_ago is not None:
            sess["seen_at"] = now - seen_ago


def _events(db, action, **where):
    db.session.expire_all()
    stmt = sa.select(AuditEvent).where(AuditEvent.action == action)
    for name, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, name) == value)
    return db.session.scalars(stmt).all()


def test_login_stores_both_instants_in_the_session(client, coach):
    before = int(time.time())
    login(client, coach)
    with client.session_transaction() as sess:
        assert before <= sess["login_at"] <= int(time.time())
        assert sess["seen_at"] == sess["login_at"]


def test_each_request_refreshes_last_seen(client, coach):
    login(client, coach)
    _shift_clocks(client, seen_ago=20 * MINUTE)
    assert client.get("/caseload").status_code == 200
    with client.session_transaction() as sess:
        assert sess["seen_at"] >= int(time.time()) - 5
    # Twenty minutes later again: still in, because the last request was recent.
    _shift_clocks(client, seen_ago=20 * MINUTE)
    assert client.get("/caseload").status_code == 200


def test_last_seen_is_written_back_at_most_once_a_minute(client, coach):
    login(client, coach)
    client.get("/caseload")  # the first page also stores the CSRF token
    _shift_clocks(client, seen_ago=30)
    with client.session_transaction() as sess:
        seen = sess["seen_at"]
    # Seen half a minute ago: nothing in the session changes, so no cookie is sent.
    response = client.get("/caseload")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    with client.session_transaction() as sess:
        assert sess["seen_at"] == seen
    # Seen two minutes ago: the instant moves on and the cookie carries it.
    _shift_clocks(client, seen_ago=2 * MINUTE)
    response = client.get("/caseload")
    assert response.status_code == 200
    assert "journey_session=" in response.headers["Set-Cookie"]
    with client.session_transaction() as sess:
        assert sess["seen_at"] >= int(time.time()) - 5


def test_idle_limit_counts_from_the_last_written_instant(client, coach):
    # Requests within the minute do not move the instant, so the limit is never
    # later than IDLE_TIMEOUT after the last request (at most a minute earlier).
    login(client, coach)
    _shift_clocks(client, seen_ago=30 * MINUTE - 30)
    assert client.get("/caseload").status_code == 200  # 29.5 minutes: still in
    _shift_clocks(client, seen_ago=30 * MINUTE + 30)
    assert client.get("/caseload").status_code == 302


def test_idle_session_is_logged_out_with_a_swedish_message(client, coach, db):
    login(client, coach)
    _shift_clocks(client, seen_ago=31 * MINUTE)
    response = client.get("/caseload")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/caseload"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Du har loggats ut eftersom du varit inaktiv i 30 minuter." in page
    # Logged out for good: the session was cleared.
    with client.session_transaction() as sess:
        assert "_user_id" not in sess and "login_at" not in sess
    assert client.get("/caseload").headers["Location"].startswith("/login")
    [event] = _events(db, AuditAction.logout, object_id=coach.id)
    assert event.detail == "idle timeout" and event.user_id == coach.id


def test_just_under_the_idle_limit_stays_logged_in(client, coach):
    login(client, coach)
    _shift_clocks(client, seen_ago=29 * MINUTE)
    assert client.get("/caseload").status_code == 200


def test_absolute_limit_applies_even_to_an_active_session(client, coach, db):
    login(client, coach)
    _shift_clocks(client, login_ago=12 * HOUR + MINUTE, seen_ago=10)
    response = client.get("/caseload")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert "Du har loggats ut efter 12 timmar. Logga in igen." in page
    assert client.get("/caseload").status_code == 302
    [event] = _events(db, AuditAction.logout, object_id=coach.id)
    assert event.detail == "absolute timeout"


def test_eleven_hours_of_activity_is_still_fine(client, coach):
    login(client, coach)
    _shift_clocks(client, login_ago=11 * HOUR, seen_ago=MINUTE)
    assert client.get("/caseload").status_code == 200


def test_htmx_request_gets_hx_redirect_instead_of_a_swap(client, coach):
    login(client, coach)
    _shift_clocks(client, seen_ago=45 * MINUTE)
    response = client.get("/caseload", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/login"
    assert response.get_data() == b""
    page = client.get("/login").get_data(as_text=True)
    assert "inaktiv i 30 minuter" in page


def test_expired_htmx_post_is_not_carried_out(client, coach, db):
    login(client, coach)
    token = page_token(client, "/caseload")
    _shift_clocks(client, seen_ago=HOUR)
    response = client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/login"
    # The session ended on time, not through the logout view.
    assert [e.detail for e in _events(db, AuditAction.logout)] == ["idle timeout"]


def test_limits_are_configurable(app, client, coach, monkeypatch):
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT", timedelta(minutes=5))
    login(client, coach)
    _shift_clocks(client, seen_ago=6 * MINUTE)
    client.get("/caseload")
    assert "inaktiv i 5 minuter" in client.get("/login").get_data(as_text=True)

    monkeypatch.setitem(app.config, "ABSOLUTE_TIMEOUT", timedelta(hours=2))
    login(client, coach)
    _shift_clocks(client, login_ago=2 * HOUR + 1)
    client.get("/caseload")
    assert "efter 2 timmar" in client.get("/login").get_data(as_text=True)


def test_session_without_clocks_is_not_trusted(client, coach):
    login(client, coach)
    with client.session_transaction() as sess:
        del sess["login_at"]
        del sess["seen_at"]
    response = client.get("/caseload")
    assert response.headers["Location"].startswith("/login")
    assert "Logga in för att fortsätta." in client.get("/login").get_data(as_text=True)


def test_copy_of_an_expired_cookie_stays_expired(app, client, coach):
    login(client, coach)
    _shift_clocks(client, seen_ago=HOUR)
    stale = client.get_cookie("journey_session").value
    client.get("/caseload")  # logged out
    login(client, coach)  # the user logs in again: a new session
    assert client.get("/caseload").status_code == 200
    copy = app.test_client()
    copy.set_cookie("journey_session", stale)
    assert copy.get("/caseload").headers["Location"].startswith("/login")


def test_anonymous_requests_are_untouched(client):
    assert client.get("/login").status_code == 200
    with client.session_transaction() as sess:
        assert "seen_at" not in sess


# --- audit trail of logins -------------------------------------------------------------


def test_login_and_logout_are_audited(client, coach, db):
    login(client, coach)
    [event] = _events(db, AuditAction.login)
    assert (event.user_id, event.object_type, event.object_id) == (coach.id, "user", coach.id)
    assert event.ip == "127.0.0.1"
    token = page_token(client, "/caseload")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    [event] = _events(db, AuditAction.logout)
    assert (event.user_id, event.object_id, event.detail) == (coach.id, coach.id, "")
    assert "Du är utloggad." in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("email,password,detail,known", [
    ("{email}", "fel-lösenord-123", "wrong password", True),
    ("nobody@example.se", factories.PASSWORD, "unknown account", False),
])
def test_failed_login_is_audited_with_the_reason(client, coach, db, email, password,
                                                 detail, known):
    token = page_token(client, "/login")
    response = client.post("/login", data={"email": email.format(email=coach.email),
                                           "password": password, "csrf_token": token})
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)
    [event] = _events(db, AuditAction.login_failed)
    assert event.detail == detail
    assert event.user_id is None
    assert event.object_id == (coach.id if known else None)
    # The submitted email is never written to the audit trail.
    assert "nobody" not in event.detail


def test_failed_login_of_a_deactivated_account_is_audited(client, coach, db):
    coach.is_active = False
    db.session.commit()
    token = page_token(client, "/login")
    response = client.post("/login", data={"email": coach.email, "password": factories.PASSWORD,
                                           "csrf_token": token})
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)
    [event] = _events(db, AuditAction.login_failed)
    assert (event.object_id, event.detail) == (coach.id, "deactivated")
    assert _events(db, AuditAction.login) == []
