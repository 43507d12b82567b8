"""Login throttling: per client address and per account (failed attempts only)."""

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.config import Config, TestConfig
from journey.enums import AuditAction, Role
from journey.extensions import limiter
from tests import factories
from tests.conftest import page_token

THROTTLED = "För många inloggningsförsök. Vänta {n} minuter och försök igen."
OTHER_IP = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture
def coach(db):
    u = factories.user(Role.coach, email="throttle.coach@example.se")
    db.session.commit()
    return u


@pytest.fixture
def production_limits(app, monkeypatch):
    """The production values, also for the per-address limit that tests raise."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_IP", Config.LOGIN_LIMIT_PER_IP)
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", Config.LOGIN_LIMIT_PER_ACCOUNT)
    limiter.reset()


def _attempt(client, email, password, environ=None):
    token = page_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token}, environ_base=environ or {})


def _logged_in(client) -> bool:
    return client.get("/caseload").status_code == 200


def _logout(client):
    client.post("/logout", data={"csrf_token": page_token(client, "/caseload")})


def _throttled_events(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.login_failed, AuditEvent.detail == "throttled")).all()


def test_the_configured_limits():
    assert Config.LOGIN_LIMIT_PER_IP == "20 per 5 minutes"
    assert Config.LOGIN_LIMIT_PER_ACCOUNT == "5 per 15 minutes"
    # The suite logs in from 127.0.0.1 hundreds of times: only the address limit is
    # raised there; the account limit keeps its production value.
    assert TestConfig.LOGIN_LIMIT_PER_ACCOUNT == Config.LOGIN_LIMIT_PER_ACCOUNT


def test_five_failures_lock_the_account_even_with_the_right_password(app, client, coach, db):
    for _ in range(5):
        response = _attempt(client, coach.email, "fel-lösenord-123")
        assert response.status_code == 200
        assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)
    response = _attempt(client, coach.email, factories.PASSWORD)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert THROTTLED.format(n=15) in html
    assert 'name="password"' in html  # the login page, not a bare error
    assert 800 < int(response.headers["Retry-After"]) <= 900
    assert not _logged_in(client)
    [event] = _throttled_events(db)
    assert event.object_id == coach.id and event.user_id is None


def test_the_locked_account_is_locked_from_other_addresses_too(app, coach, db):
    attacker = app.test_client()
    for _ in range(5):
        _attempt(attacker, coach.email.upper(), "fel-lösenord-123")  # case does not matter
    owner = app.test_client()
    response = _attempt(owner, coach.email, factories.PASSWORD, environ=OTHER_IP)
    assert response.status_code == 429
    assert THROTTLED.format(n=15) in response.get_data(as_text=True)
    assert not _logged_in(owner)
    assert _throttled_events(db)[0].ip == "203.0.113.7"


def test_other_accounts_are_not_affected(app, client, coach, db):
    other = factories.user(Role.coach)
    db.session.commit()
    for _ in range(5):
        _attempt(client, coach.email, "fel-lösenord-123")
    assert _attempt(client, other.email, factories.PASSWORD).status_code == 302
    assert _logged_in(client)


def test_an_unknown_account_gets_the_same_answer(client, coach, db):
    for _ in range(5):
        _attempt(client, "nobody@example.se", "fel-lösenord-123")
    unknown = _attempt(client, "nobody@example.se", "fel-lösenord-123")
    for _ in range(5):
        _attempt(client, coach.email, "fel-lösenord-123")
    known = _attempt(client, coach.email, "fel-lösenord-123")
    assert unknown.status_code == known.status_code == 429
    for response in (unknown, known):
        assert THROTTLED.format(n=15) in response.get_data(as_text=True)
    events = _throttled_events(db)
    assert sorted(e.object_id or 0 for e in events) == [0, coach.id]


def test_successful_logins_do_not_count_against_the_account(client, coach):
    for _ in range(7):
        assert _attempt(client, coach.email, factories.PASSWORD).status_code == 302
        _logout(client)


def test_a_successful_login_forgives_earlier_failures(client, coach):
    for _ in range(4):
        _attempt(client, coach.email, "fel-lösenord-123")
    assert _attempt(client, coach.email, factories.PASSWORD).status_code == 302
    _logout(client)
    for _ in range(4):
        _attempt(client, coach.email, "fel-lösenord-123")
    assert _attempt(client, coach.email, factories.PASSWORD).status_code == 302


def test_invalid_form_and_missing_csrf_do_not_count(client, coach):
    token = page_token(client, "/login")
    for _ in range(6):
        client.post("/login", data={"email": coach.email, "password": "", "csrf_token": token})
        client.post("/login", data={"email": coach.email, "password": "fel-lösenord-123"})
    assert _attempt(client, coach.email, factories.PASSWORD).status_code == 302


def test_address_limit_counts_every_attempt(client, coach, db, production_limits):
    # Twenty attempts at twenty different accounts from one address (password spraying).
    for n in range(20):
        response = _attempt(client, f"person{n}@example.se", "sommar-2026-x")
        assert response.status_code == 200, n
    response = _attempt(client, coach.email, factories.PASSWORD)
    assert response.status_code == 429
    assert THROTTLED.format(n=5) in response.get_data(as_text=True)
    assert not _logged_in(client)
    assert len(_throttled_events(db)) == 1


def test_address_limit_spares_other_addresses(app, client, coach, production_limits):
    for n in range(20):
        _attempt(client, f"person{n}@example.se", "sommar-2026-x")
    elsewhere = app.test_client()
    assert _attempt(elsewhere, coach.email, factories.PASSWORD,
                    environ=OTHER_IP).status_code == 302


def test_lower_limits_from_config_apply_at_once(app, client, coach, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "2 per 1 hour")
    for _ in range(2):
        _attempt(client, coach.email, "fel-lösenord-123")
    response = _attempt(client, coach.email, factories.PASSWORD)
    assert response.status_code == 429
    assert THROTTLED.format(n=60) in response.get_data(as_text=True)


def test_one_minute_left_is_singular(app, client, coach, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "1 per 1 minute")
    _attempt(client, coach.email, "fel-lösenord-123")
    response = _attempt(client, coach.email, factories.PASSWORD)
    assert response.status_code == 429
    assert "Vänta 1 minut och försök igen." in response.get_data(as_text=True)


def test_reset_of_the_limiter_storage_lifts_the_lock(client, coach):
    for _ in range(5):
        _attempt(client, coach.email, "fel-lösenord-123")
    assert _attempt(client, coach.email, factories.PASSWORD).status_code == 429
    limiter.reset()
    assert _attempt(client, coach.email, factories.PASSWORD).status_code == 302
