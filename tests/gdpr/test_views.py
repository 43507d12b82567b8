"""Managers' data-subject export and manual anonymisation over HTTP."""

import json
from datetime import date

import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AuditAction, IdKind
from journey.journeys.models import Note
from journey.participants.models import Participant
from tests.conftest import page_token
from tests.gdpr.helpers import personnummer


def _prepare(world, db):
    p = world["enr_a"].participant
    p.id_kind = IdKind.personnummer
    p.birth_date = date(1990, 5, 17)
    p.national_id = personnummer(date(1990, 5, 17), 123)
    p.phone = "070-123 45 67"
    db.session.add(Note(enrollment_id=world["enr_a"].id, author_id=world["coach_a"].id,
                        body="Hemlig anteckning"))
    db.session.commit()
    return p


def test_manager_exports_json_with_notes_and_masked_number(client, login_as, world, db):
    p = _prepare(world, db)
    full = p.national_id
    login_as(world["manager1"])
    response = client.get(f"/participants/{p.id}/subject-export.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    disposition = response.headers["Content-Disposition"]
    assert f"registerutdrag-{p.id}-{date.today().isoformat()}.json" in disposition
    assert "Amina" not in disposition and "Ali" not in disposition
    body = response.get_data(as_text=True)
    assert full not in body
    data = json.loads(body)
    assert data["scope"] == "full"
    assert data["profile"]["national_id_masked"] == "19900517-****"
    assert "kan visas på begäran" in data["national_id_note"]
    assert data["enrollments"][0]["notes"][0]["body"] == "Hemlig anteckning"
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.export)).one()
    assert event.participant_id == p.id and event.user_id == world["manager1"].id


def test_manager_exports_pdf(client, login_as, world, db):
    p = _prepare(world, db)
    login_as(world["manager1"])
    response = client.get(f"/participants/{p.id}/subject-export.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    assert "no-store" in response.headers["Cache-Control"]
    assert f"registerutdrag-{p.id}-" in response.headers["Content-Disposition"]
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.export)) == 1


def test_scope_of_gdpr_routes(client, login_as, world, db):
    p = world["enr_a"].participant
    other = world["enr_c"].participant
    urls = [f"/participants/{p.id}/subject-export.json",
            f"/participants/{p.id}/subject-export.pdf", f"/participants/{p.id}/anonymize"]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous → login
        assert "/login" in client.get(url).headers["Location"]
    for user in ("coach_a", "admin1", "portal_a", "manager2"):
        login_as(world[user])
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        client.delete_cookie("journey_session")
    login_as(world["manager1"])
    assert client.get(f"/participants/{other.id}/subject-export.json").status_code == 404
    assert client.get(f"/participants/{other.id}/subject-export.pdf").status_code == 404
    assert client.get(f"/participants/{other.id}/anonymize").status_code == 404
    assert client.get(f"/participants/{p.id}/anonymize").status_code == 200


def test_anonymise_page_and_post(client, login_as, world, db):
    p = _prepare(world, db)
    login_as(world["manager1"])
    page = client.get(f"/participants/{p.id}/anonymize")
    html = page.get_data(as_text=True)
    assert "Det går inte att ångra" in html and "AVIDENTIFIERA" in html
    token = page_token(client, f"/participants/{p.id}/anonymize")
    # Without CSRF: 400 and nothing changed.
    r = client.post(f"/participants/{p.id}/anonymize",
                    data={"confirm": "AVIDENTIFIERA", "reason": "Begäran"})
    assert r.status_code == 400
    # Wrong word: a Swedish message, nothing changed.
    r = client.post(f"/participants/{p.id}/anonymize",
                    data={"confirm": "ja", "reason": "Begäran", "csrf_token": token})
    assert r.status_code == 422
    assert "AVIDENTIFIERA" in r.get_data(as_text=True)
    r = client.post(f"/participants/{p.id}/anonymize",
                    data={"confirm": "AVIDENTIFIERA", "reason": "", "csrf_token": token})
    assert r.status_code == 422 and "Ange ett skäl" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Participant, p.id).anonymized_at is None
    # The last name works too.
    r = client.post(f"/participants/{p.id}/anonymize",
                    data={"confirm": "ali", "reason": "Begäran om radering",
                          "csrf_token": token})
    assert r.status_code == 303
    db.session.expire_all()
    anon = db.session.get(Participant, p.id)
    assert anon.anonymized_at is not None and anon.national_id is None
    assert anon.birth_date == date(1990, 4, 1) and anon.phone == ""
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.anonymize)).one()
    assert event.user_id == world["manager1"].id and event.detail == "Begäran om radering"
    show = client.get(f"/participants/{p.id}").get_data(as_text=True)
    assert "Avidentifierad deltagare" in show and "Amina" not in show
    assert "Avidentifiera…" not in show
    again = client.get(f"/participants/{p.id}/anonymize").get_data(as_text=True)
    assert "avidentifierades" in again
    r = client.post(f"/participants/{p.id}/anonymize",
                    data={"confirm": "AVIDENTIFIERA", "reason": "x", "csrf_token": token})
    assert r.status_code == 409


def test_gdpr_card_only_for_managers(client, login_as, world, db):
    p = world["enr_a"].participant
    login_as(world["manager1"])
    html = client.get(f"/participants/{p.id}").get_data(as_text=True)
    assert "Exportera alla uppgifter (JSON)" in html and "Avidentifiera…" in html
    client.delete_cookie("journey_session")
    login_as(world["coach_a"])
    html = client.get(f"/participants/{p.id}").get_data(as_text=True)
    assert "Exportera alla uppgifter" not in html


def test_export_query_count_does_not_grow(client, login_as, world, db, count_queries):
    from tests import factories

    p = world["enr_a"].participant
    login_as(world["manager1"])
    with count_queries() as small:
        client.get(f"/participants/{p.id}/subject-export.json")
    for _ in range(5):
        factories.activity(world["enr_a"], note="x")
        db.session.add(Note(enrollment_id=world["enr_a"].id, author_id=world["coach_a"].id,
                            body="y"))
    factories.enrollment(world["coach_a"], part=p)
    db.session.commit()
    with count_queries() as big:
        client.get(f"/participants/{p.id}/subject-export.json")
    assert big.count == small.count


def test_anonymise_post_scope(client, login_as, world, db):
    p = world["enr_a"].participant
    url = f"/participants/{p.id}/anonymize"
    data = {"confirm": "AVIDENTIFIERA", "reason": "x"}
    response = client.post(url, data=data)
    assert response.status_code in (302, 400)  # anonymous: no session token, or → login
    for user in ("coach_a", "manager2"):
        login_as(world[user])
        token = page_token(client, "/participants")
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 404
        client.delete_cookie("journey_session")
    db.session.expire_all()
    assert db.session.get(Participant, p.id).anonymized_at is None
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.anonymize)) == 0


def test_anonymous_get_redirects_to_login(client, world):
    p = world["enr_a"].participant
    for suffix in ("subject-export.json", "subject-export.pdf", "anonymize"):
        response = client.get(f"/participants/{p.id}/{suffix}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_anonymised_record_can_no_longer_be_edited(client, login_as, world, db):
    from datetime import UTC, datetime

    from journey.participants.models import Participant

    participant = world["enr_a"].participant
    participant.anonymized_at = datetime.now(UTC)
    db.session.commit()
    login_as(world["coach_a"])
    response = client.get(f"/participants/{participant.id}/edit")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "kan inte längre ändras" in page
    assert f'href="/participants/{participant.id}/edit"' not in page
    token = page_token(client, "/account/password")
    posted = client.post(f"/participants/{participant.id}/edit",
                         data={"csrf_token": token, "first_name": "Ny", "last_name": "Person"})
    assert posted.status_code == 303
    db.session.expire_all()
    assert db.session.get(Participant, participant.id).first_name == "Amina"
