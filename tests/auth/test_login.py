import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AuditAction, Role
from tests import factories
from tests.conftest import csrf_from, login, page_token


@pytest.fixture
def coach(db):
    u = factories.user(Role.coach, email="Coach@Example.se")
    db.session.commit()
    return u


def test_login_page_renders_in_swedish_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "Logga in" in html


def test_login_with_mixed_case_email_and_redirect_to_start_page(client, coach):
    token = page_token(client, "/login")
    response = client.post("/login", data={"email": "COACH@example.SE",
                                           "password": factories.PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 302
    assert home.headers["Location"].endswith("/caseload")


@pytest.mark.parametrize("email,password", [
    ("coach@example.se", "wrong-password-123"),
    ("nobody@example.se", factories.PASSWORD),
])
def test_wrong_email_or_password_gives_one_generic_message(client, coach, db, email, password):
    token = page_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Fel e-postadress eller lösenord." in html
    assert client.get("/").status_code == 302  # still anonymous → login
    assert client.get("/").headers["Location"].startswith("/login")
    failed = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == AuditAction.login_failed)).all()
    assert len(failed) == 1


def test_inactive_user_cannot_log_in(client, coach, db):
    coach.is_active = False
    db.session.commit()
    token = page_token(client, "/login")
    client.post("/login", data={"email": coach.email, "password": factories.PASSWORD,
                                "csrf_token": token})
    assert client.get("/caseload").status_code == 302


def test_login_without_csrf_token_is_refused(client, coach):
    response = client.post("/login", data={"email": coach.email,
                                           "password": factories.PASSWORD})
    assert response.status_code == 400
    assert client.get("/caseload").status_code == 302


def test_session_cookie_flags(client, coach):
    response = login(client, coach)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_is_fresh_after_login(client, coach):
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login(client, coach)
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_open_redirect_after_login_is_ignored(client, coach):
    token = page_token(client, "/login")
    response = client.post("/login?next=https://evil.example/x",
                           data={"email": coach.email, "password": factories.PASSWORD,
                                 "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_next_path_is_followed(client, coach):
    token = page_token(client, "/login")
    response = client.post("/login?next=/caseload",
                           data={"email": coach.email, "password": factories.PASSWORD,
                                 "csrf_token": token})
    assert response.headers["Location"] == "/caseload"


def _session_cookie(client) -> str:
    cookie = client.get_cookie("journey_session")
    assert cookie is not None
    return cookie.value


def test_cookie_captured_before_logout_is_not_logged_in_after(app, client, coach):
    login(client, coach)
    assert client.get("/caseload").status_code == 200
    stolen = _session_cookie(client)
    token = page_token(client, "/caseload")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/caseload").status_code == 302

    attacker = app.test_client()
    attacker.set_cookie("journey_session", stolen)
    response = attacker.get("/caseload")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_password_change_invalidates_other_sessions(app, client, coach, db):
    login(client, coach)
    other_device = app.test_client()
    login(other_device, coach)
    assert other_device.get("/caseload").status_code == 200

    token = page_token(client, "/account/password")
    new_password = "a-brand-new-long-password"
    response = client.post("/account/password", data={
        "current": factories.PASSWORD, "new": new_password, "repeat": new_password,
        "csrf_token": token})
    assert response.status_code == 302
    # This browser stays logged in; the other device is logged out.
    assert client.get("/caseload").status_code == 200
    assert other_device.get("/caseload").status_code == 302
    fresh = app.test_client()
    login(fresh, coach, password=new_password)
    assert fresh.get("/caseload").status_code == 200


def test_password_change_rejects_wrong_current_and_short_new(client, coach):
    login(client, coach)
    token = page_token(client, "/account/password")
    response = client.post("/account/password", data={
        "current": "not-my-password", "new": "long-enough-password",
        "repeat": "long-enough-password", "csrf_token": token})
    assert response.status_code == 200
    assert "Nuvarande lösenord stämmer inte." in response.get_data(as_text=True)
    response = client.post("/account/password", data={
        "current": factories.PASSWORD, "new": "short", "repeat": "short",
        "csrf_token": token})
    assert "minst 12 tecken" in response.get_data(as_text=True)


def test_passwords_are_hashed_with_scrypt(coach):
    assert coach.password_hash.startswith("scrypt:")
    assert factories.PASSWORD not in coach.password_hash


def test_anonymous_is_sent_to_login(client):
    for url in ("/", "/caseload", "/programs", "/admin/users", "/portal/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url


@pytest.mark.parametrize("role,start", [
    (Role.coach, "/caseload"), (Role.manager, "/programs"),
    (Role.admin, "/admin/users"), (Role.participant, "/portal/"),
])
def test_each_role_has_its_own_start_page(client, db, role, start):
    u = factories.user(role)
    db.session.commit()
    login(client, u)
    response = client.get("/")
    assert response.headers["Location"] == start
    assert client.get(start).status_code == 200


def test_login_form_csrf_token_is_present(client):
    assert csrf_from(client.get("/login").get_data(as_text=True))
