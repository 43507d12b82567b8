"""Password rules: length, the list of common passwords, the user's own name and email."""

import pytest
import sqlalchemy as sa
from flask import session
from flask_babel import refresh

from journey.audit.models import AuditEvent
from journey.auth.models import User
from journey.auth.passwords import common_passwords, password_problems
from journey.demo import DEMO_PASSWORD
from journey.enums import AuditAction, Role
from tests import factories
from tests.conftest import login, page_token

TOO_COMMON = "Lösenordet är för vanligt och lätt att gissa. Välj ett annat."
HAS_NAME = "Lösenordet får inte innehålla ditt namn."
HAS_EMAIL = "Lösenordet får inte innehålla din e-postadress eller delar av den."


@pytest.fixture
def sv(app):
    with app.test_request_context("/"):
        yield


def _messages(password, **kwargs) -> list[str]:
    return [str(m) for m in password_problems(password, **kwargs)]


def test_the_bundled_list_is_large_and_has_swedish_passwords():
    listed = common_passwords()
    assert len(listed) >= 10_000
    for word in ("password", "123456", "qwerty", "sommar", "lösenord", "hejsan", "sverige"):
        assert word in listed, word


@pytest.mark.parametrize("password", [
    factories.PASSWORD, DEMO_PASSWORD, "ett-långt-lösenord-123", "Tre Gröna Äpplen I Maj",
    "vinter-i-västerås-1999",
])
def test_good_passwords_pass(sv, password):
    assert _messages(password, email="anna.coach@journey.example", name="Anna Lindqvist") == []


def test_the_demo_password_passes_for_every_demo_login(sv):
    from journey.demo import _STAFF

    for _key, _org, _role, email, name in _STAFF:
        assert _messages(DEMO_PASSWORD, email=email, name=name) == [], email


@pytest.mark.parametrize("password", [
    "Sommar2026!!", "sommar-2026!", "Lösenord2026!", "LOSENORD2026!", "hejsan123456",
    "Password1234", "2026password!", "iloveyou2026", "qwertyuiop123", "123456789012",
    "aaaaaaaaaaaaaa", "abababababab", "abcdefghijklm", "987654321098",
])
def test_common_passwords_are_refused(sv, password):
    assert _messages(password) == [TOO_COMMON]


def test_length_limits(sv):
    assert _messages("kort") == ["Lösenordet måste vara minst 12 tecken långt."]
    assert _messages("Elva tecken") == ["Lösenordet måste vara minst 12 tecken långt."]
    assert _messages("Tolv  tecken") == []
    long = "Långa meningar är bra lösenord. " * 5
    assert _messages(long[:128]) == []
    assert _messages(long[:129]) == ["Lösenordet får vara högst 128 tecken långt."]


def test_name_and_email_are_refused(sv):
    kwargs = {"email": "karin.holmgren@kommun.se", "name": "Karin Holmgren"}
    assert _messages("Holmgren-på-semester", name="Karin Holmgren") == [HAS_NAME]
    assert _messages("karinholmgren-2026", **kwargs) == [HAS_EMAIL, HAS_NAME]
    assert _messages("mitt-jobb-på-kommun", email="jobbkonto@kommun.se") == []
    assert _messages("jobbkonto-på-kommun", email="jobbkonto@kommun.se") == [HAS_EMAIL]
    # Case and Swedish letters do not hide a name.
    assert _messages("ÖSTLUND har ett hus", name="Åsa Östlund") == [HAS_NAME]
    # Very short names and local parts would refuse good passwords by chance.
    assert _messages("ett-långt-lösenord-123", email="a@k.se", name="Bo Ek") == []


def test_messages_are_lazy_and_follow_the_locale(app):
    problems = password_problems("sommar2026!!")  # outside any request: still lazy
    with app.test_request_context("/"):
        session["locale"] = "en"  # the language switch of an anonymous visitor
        assert [str(p) for p in problems] == [
            "This password is too common and easy to guess. Choose another one."]
        session["locale"] = "sv"
        refresh()  # Flask-Babel caches the locale per app context
        assert [str(p) for p in problems] == [TOO_COMMON]


# --- through the password change page ---------------------------------------------------


@pytest.fixture
def coach(db):
    u = factories.user(Role.coach, email="ragnar.coach@example.se", name="Ragnar Lodbrok")
    db.session.commit()
    return u


@pytest.mark.parametrize("new,message", [
    ("Sommar2026!!!", TOO_COMMON),
    ("lösenord12345", TOO_COMMON),
    ("ragnar-har-en-båt", HAS_NAME),
    ("lodbrok-kan-segla", HAS_NAME),
    ("mitt-ragnar.coach-konto", HAS_EMAIL),
    ("kort", "minst 12 tecken"),
    ("å" * 129, "högst 128 tecken"),
])
def test_password_change_refuses_weak_passwords(client, coach, db, new, message):
    login(client, coach)
    token = page_token(client, "/account/password")
    response = client.post("/account/password", data={
        "current": factories.PASSWORD, "new": new, "repeat": new, "csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    db.session.expire_all()
    assert db.session.get(User, coach.id).check_password(factories.PASSWORD)
    assert not db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.update, AuditEvent.object_type == "user")).all()


def test_password_change_accepts_a_good_password_and_is_audited(client, coach, db):
    login(client, coach)
    token = page_token(client, "/account/password")
    assert "Inte ett vanligt lösenord" in client.get("/account/password").get_data(as_text=True)
    response = client.post("/account/password", data={
        "current": factories.PASSWORD, "new": DEMO_PASSWORD, "repeat": DEMO_PASSWORD,
        "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, coach.id).check_password(DEMO_PASSWORD)
    [event] = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.update, AuditEvent.object_type == "user")).all()
    assert event.detail == "password"


# --- through the CLI ------------------------------------------------------------------------


@pytest.mark.parametrize("args,stdin,message", [
    ([], "Sommar2026!!!\n", TOO_COMMON),
    (["--name", "Karin Holmgren"], "karin-holmgren-2026\n", HAS_NAME),
    ([], "maria.svensson-1234\n", HAS_EMAIL),
])
def test_create_user_refuses_weak_passwords(app, db, args, stdin, message):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["journey", "create-user", "maria.svensson@kommun.se",
                                 "--role", "coach", "--org", "K", "--password-stdin", *args],
                           input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_create_user_accepts_the_demo_password(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["journey", "create-user", "maria.svensson@kommun.se",
                                 "--role", "coach", "--org", "K", "--password-stdin"],
                           input=DEMO_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalars(sa.select(User)).one()
    assert user.check_password(DEMO_PASSWORD)
