"""Portal access: the coach's invite (link, QR, letter), the participant's first visit,
expiry, single use, replacement and revocation."""

import re
import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.auth.models import User
from journey.db import utcnow
from journey.enums import AuditAction, Role
from journey.portal import invites
from journey.portal.models import PortalInvite
from tests import factories as f
from tests.conftest import csrf_from, page_token

NEW_PASSWORD = "min egen fina mening om kaffe"
LINK_RE = re.compile(r'id="invite-link" type="text" readonly value="([^"]+)"')


@pytest.fixture
def dana(world, db):
    """A participant in coach A's caseload without a portal account."""
    enr = f.enrollment(world["coach_a"], world["enr_a"].cohort, first_name="Dana",
                       last_name="Dahl", email="dana@example.se")
    db.session.commit()
    return enr.participant


def _access_url(participant):
    return f"/participants/{participant.id}/portal"


def _invite(client, participant, email="dana@example.se"):
    token = page_token(client, _access_url(participant))
    return client.post(f"/participants/{participant.id}/portal/invite",
                       data={"email": email, "csrf_token": token})


def _link_from(response) -> str:
    match = LINK_RE.search(response.get_data(as_text=True))
    assert match, "no invite link on the page"
    return match.group(1)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _accept(client, link, password=NEW_PASSWORD, repeat=None):
    opened = client.get(_path(link))
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/portal/welcome")
    page = client.get("/portal/welcome")
    if page.status_code != 200:
        return page
    return client.post("/portal/welcome", data={
        "password": password, "repeat": repeat if repeat is not None else password,
        "csrf_token": csrf_from(page.get_data(as_text=True))})


# --- scope ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [
    ("coach_a", 200), ("manager1", 200), ("coach_b", 404), ("coach_c", 404),
    ("manager2", 404), ("admin1", 404), ("portal_a", 404), ("portal_b", 404),
])
def test_access_page_scope(world, dana, login_as, who, status):
    client = login_as(world[who])
    assert client.get(_access_url(dana)).status_code == status


@pytest.mark.parametrize("who", ["coach_b", "coach_c", "manager2", "admin1", "portal_a"])
def test_invite_and_revoke_outside_scope_are_404_and_change_nothing(world, dana, login_as,
                                                                     db, who):
    client = login_as(world[who])
    token = page_token(client, "/account/password")
    for action in ("invite", "revoke", "letter"):
        response = client.post(f"/participants/{dana.id}/portal/{action}",
                               data={"email": "x@example.se", "token": "abc",
                                     "csrf_token": token})
        assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PortalInvite)) == 0


def test_anonymous_is_sent_to_login(client, dana):
    token = page_token(client, "/login")
    for response in (client.get(_access_url(dana)),
                     client.post(f"/participants/{dana.id}/portal/invite",
                                 data={"csrf_token": token, "email": "x@example.se"})):
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_access_page_is_the_same_page_for_htmx_and_records_a_view(world, dana, login_as, db):
    client = login_as(world["coach_a"])
    plain = client.get(_access_url(dana))
    boosted = client.get(_access_url(dana), headers={"HX-Request": "true"})
    for response in (plain, boosted):
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Portalåtkomst för Dana Dahl" in html and "Inget konto i portalen ännu." in html
        assert "no-store" in response.headers["Cache-Control"]
    views = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.participant_id == dana.id, AuditEvent.action == AuditAction.view))
    assert views == 2


def test_participant_page_links_to_portal_access(world, dana, login_as):
    html = login_as(world["coach_a"]).get(f"/participants/{dana.id}").get_data(as_text=True)
    assert "Bjud in till portalen" in html
    assert f'href="/participants/{dana.id}/portal"' in html


# --- creating an invite --------------------------------------------------------------------


def test_invite_creates_an_inactive_account_and_shows_the_link_once(world, dana, login_as, db):
    client = login_as(world["coach_a"])
    response = _invite(client, dana)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Inbjudan är skapad" in html and "Länken visas bara nu." in html
    assert "<svg" in html  # the QR code
    link = _link_from(response)
    token = link.rsplit("/", 1)[1]
    db.session.expire_all()
    user = db.session.scalars(sa.select(User).where(User.email == "dana@example.se")).one()
    assert user.role == Role.participant and not user.is_active and user.password_hash is None
    invite = db.session.scalars(sa.select(PortalInvite)).one()
    # Only the hash is stored.
    assert invite.token_hash == invites.hash_token(token) and token not in invite.token_hash
    assert timedelta(days=6, hours=23) < invite.expires_at.replace(tzinfo=None) - \
        utcnow().replace(tzinfo=None) <= timedelta(days=7)
    actions = {(e.object_type, e.action) for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.participant_id == dana.id))}
    assert ("portal_invite", AuditAction.create) in actions
    assert ("portal_account", AuditAction.create) in actions
    # The access page now says the participant is invited; the link is not on it.
    again = client.get(_access_url(dana)).get_data(as_text=True)
    assert "Inbjuden som dana@example.se" in again and token not in again


def test_invite_without_csrf_is_refused(world, dana, login_as, db):
    client = login_as(world["coach_a"])
    response = client.post(f"/participants/{dana.id}/portal/invite",
                           data={"email": "dana@example.se"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PortalInvite)) == 0


@pytest.mark.parametrize("email, message", [
    ("", "Skriv e-postadressen som deltagaren ska logga in med."),
    ("inte-en-adress", "Skriv en giltig e-postadress."),
])
def test_invite_with_a_bad_email_explains_and_writes_nothing(world, dana, login_as, db,
                                                              email, message):
    response = _invite(login_as(world["coach_a"]), dana, email=email)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PortalInvite)) == 0
    assert db.session.get(type(dana), dana.id).portal_user_id is None


def test_invite_with_an_email_used_by_another_account_is_refused(world, dana, login_as, db):
    response = _invite(login_as(world["coach_a"]), dana, email=world["coach_b"].email)
    assert response.status_code == 422
    assert "E-postadressen används redan av ett annat konto." in response.get_data(as_text=True)


# --- the participant's first visit ---------------------------------------------------------


def test_participant_sets_a_password_and_lands_in_the_portal(world, dana, login_as, app, db):
    link = _link_from(_invite(login_as(world["coach_a"]), dana))
    visitor = app.test_client()
    opened = visitor.get(_path(link))
    # The token leaves the address bar at once.
    assert opened.status_code == 302 and "/portal/welcome" == opened.headers["Location"]
    page = visitor.get("/portal/welcome")
    assert page.status_code == 200 and "dana@example.se" in page.get_data(as_text=True)
    done = visitor.post("/portal/welcome", data={
        "password": NEW_PASSWORD, "repeat": NEW_PASSWORD,
        "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert done.status_code == 302 and done.headers["Location"] == "/portal/"
    assert visitor.get("/portal/").status_code == 200
    db.session.expire_all()
    user = db.session.scalars(sa.select(User).where(User.email == "dana@example.se")).one()
    assert user.is_active and user.check_password(NEW_PASSWORD)
    assert db.session.scalars(sa.select(PortalInvite)).one().used_at is not None
    assert db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.user_id == user.id, AuditEvent.action == AuditAction.login)).first()
    # And the password works at the normal login.
    fresh = app.test_client()
    token = csrf_from(fresh.get("/login").get_data(as_text=True))
    login = fresh.post("/login", data={"email": "dana@example.se", "password": NEW_PASSWORD,
                                       "csrf_token": token})
    assert login.status_code == 302


@pytest.mark.parametrize("password, repeat, message", [
    ("kort", "kort", "12"),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "Lösenorden är inte lika."),
    ("", "", "Välj ett lösenord."),
])
def test_a_bad_password_is_refused_and_the_link_still_works(world, dana, login_as, app, db,
                                                             password, repeat, message):
    link = _link_from(_invite(login_as(world["coach_a"]), dana))
    visitor = app.test_client()
    response = _accept(visitor, link, password=password, repeat=repeat)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(sa.select(PortalInvite)).one().used_at is None
    assert _accept(visitor, link).status_code == 302


def test_a_common_password_is_refused(world, dana, login_as, app):
    link = _link_from(_invite(login_as(world["coach_a"]), dana))
    response = _accept(app.test_client(), link, password="password1234")
    assert response.status_code == 422


def test_a_link_works_only_once(world, dana, login_as, app):
    link = _link_from(_invite(login_as(world["coach_a"]), dana))
    assert _accept(app.test_client(), link).status_code == 302
    again = _accept(app.test_client(), link, password="en helt annan mening om te")
    assert again.status_code == 410
    assert "Länken fungerar inte" in again.get_data(as_text=True)


def test_an_expired_link_is_refused(world, dana, db, app):
    issued = invites.create_invite(dana, email="dana@example.se", created_by=world["coach_a"],
                                   now=utcnow() - timedelta(days=7, minutes=1))
    db.session.commit()
    response = _accept(app.test_client(), "http://localhost/portal/invite/" + issued.token)
    assert response.status_code == 410


def test_a_link_just_inside_seven_days_still_works(world, dana, db, app):
    issued = invites.create_invite(dana, email="dana@example.se", created_by=world["coach_a"],
                                   now=utcnow() - timedelta(days=6, hours=23))
    db.session.commit()
    assert _accept(app.test_client(),
                   "http://localhost/portal/invite/" + issued.token).status_code == 302


def test_an_unknown_or_missing_token_is_refused(app):
    visitor = app.test_client()
    assert visitor.get("/portal/welcome").status_code == 410
    assert _accept(visitor, "http://localhost/portal/invite/not-a-real-token").status_code == 410


def test_a_new_invite_cancels_the_earlier_link(world, dana, login_as, app):
    coach = login_as(world["coach_a"])
    first = _link_from(_invite(coach, dana))
    second = _link_from(_invite(coach, dana))
    assert first != second
    assert _accept(app.test_client(), first).status_code == 410
    assert _accept(app.test_client(), second).status_code == 302


def test_a_forgotten_password_is_solved_by_a_new_invite(world, dana, login_as, app, db):
    coach = login_as(world["coach_a"])
    participant_client = app.test_client()
    assert _accept(participant_client, _link_from(_invite(coach, dana))).status_code == 302
    html = coach.get(_access_url(dana)).get_data(as_text=True)
    assert "Aktiv: loggar in som dana@example.se." in html
    new_password = "ett nytt lösenord om hösten"
    assert _accept(app.test_client(), _link_from(_invite(coach, dana)),
                   password=new_password).status_code == 302
    db.session.expire_all()
    user = db.session.scalars(sa.select(User).where(User.email == "dana@example.se")).one()
    assert user.check_password(new_password) and not user.check_password(NEW_PASSWORD)
    # The session from the old password has ended.
    assert participant_client.get("/portal/").status_code == 302


# --- revoking ------------------------------------------------------------------------------


def test_revoking_logs_the_participant_out_and_kills_open_links(world, dana, login_as, app, db):
    coach = login_as(world["coach_a"])
    participant_client = app.test_client()
    assert _accept(participant_client, _link_from(_invite(coach, dana))).status_code == 302
    pending = _link_from(_invite(coach, dana))
    assert participant_client.get("/portal/").status_code == 200
    token = page_token(coach, _access_url(dana))
    response = coach.post(f"/participants/{dana.id}/portal/revoke", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Åtkomsten till portalen är indragen." in coach.get(
        response.headers["Location"]).get_data(as_text=True)
    # The very next request of the participant is logged out.
    assert participant_client.get("/portal/").status_code == 302
    assert _accept(app.test_client(), pending).status_code == 410
    fresh = app.test_client()
    token = csrf_from(fresh.get("/login").get_data(as_text=True))
    assert fresh.post("/login", data={"email": "dana@example.se", "password": NEW_PASSWORD,
                                      "csrf_token": token}).status_code == 200
    db.session.expire_all()
    assert db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.participant_id == dana.id, AuditEvent.detail == "access revoked")).one()
    assert "Ingen åtkomst just nu" in coach.get(_access_url(dana)).get_data(as_text=True)
    # Access can be granted again with a new invite.
    assert _accept(app.test_client(), _link_from(_invite(coach, dana)),
                   password="tillbaka igen med en ny mening").status_code == 302


def test_revoke_without_csrf_is_refused(world, login_as, db):
    amina = world["enr_a"].participant
    client = login_as(world["coach_a"])
    assert client.post(f"/participants/{amina.id}/portal/revoke").status_code == 400
    db.session.expire_all()
    assert db.session.get(User, world["portal_a"].id).is_active


# --- the letter ----------------------------------------------------------------------------


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_the_letter_pdf_has_the_link_and_no_id_number(world, dana, login_as, db, tmp_path):
    dana.national_id, dana.id_kind = "198507099805", "personnummer"
    db.session.commit()
    coach = login_as(world["coach_a"])
    created = _invite(coach, dana)
    link = _link_from(created)
    token = csrf_from(created.get_data(as_text=True))
    response = coach.post(f"/participants/{dana.id}/portal/letter",
                          data={"csrf_token": token, "token": link.rsplit("/", 1)[1]})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert "no-store" in response.headers["Cache-Control"]
    assert "Dana" not in response.headers["Content-Disposition"]
    text = _pdf_text(response.data, tmp_path)
    assert "Hej Dana!" in text
    # pdftotext may break the long link at a hyphen: compare without whitespace.
    assert link.rsplit("/", 1)[1] in re.sub(r"\s+", "", text)
    for digits in ("198507099805", "8507099805", "850709-9805", "9805"):
        assert digits not in text
    # Raw bytes: only the long forms (a 4-digit run can occur in compressed streams).
    for digits in ("198507099805", "8507099805"):
        assert digits.encode() not in response.data
    db.session.expire_all()
    assert db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.participant_id == dana.id, AuditEvent.action == AuditAction.export)).one()


def test_the_letter_needs_a_live_token_of_this_participant(world, dana, login_as, db):
    coach = login_as(world["coach_a"])
    amina = world["enr_a"].participant
    other_link = _link_from(_invite(coach, amina, email="amina@example.se"))
    token = page_token(coach, _access_url(dana))
    for bad in ("nonsense", other_link.rsplit("/", 1)[1]):
        response = coach.post(f"/participants/{dana.id}/portal/letter",
                              data={"csrf_token": token, "token": bad})
        assert response.status_code == 302
        assert response.mimetype != "application/pdf"
    assert "Inbjudan gäller inte längre." in coach.get(_access_url(dana)).get_data(as_text=True)


def test_access_page_query_count_does_not_grow_with_old_invites(world, dana, login_as, db,
                                                                count_queries):
    url = _access_url(dana)
    invites.create_invite(dana, email="dana@example.se", created_by=world["coach_a"])
    client = login_as(world["coach_a"])
    client.get(url)  # warm up
    with count_queries() as few:
        client.get(url)
    for _ in range(12):
        invites.create_invite(dana, email="dana@example.se", created_by=world["coach_a"])
    db.session.commit()
    with count_queries() as many:
        client.get(url)
    assert many.count == few.count
