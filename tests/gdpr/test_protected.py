"""Protected identity: only the assigned coach and the organisation's managers see the person."""

from datetime import date

from journey.enums import IdKind
from tests.conftest import page_token
from tests.gdpr.helpers import personnummer

BORN = date(1988, 3, 14)


def _protect(world, db):
    p = world["enr_a"].participant
    p.protected_identity = True
    p.id_kind = IdKind.personnummer
    p.birth_date = BORN
    p.national_id = personnummer(BORN, 246)
    p.phone = "070-999 88 77"
    p.email = "amina@example.se"
    p.district = "Bäckby"
    db.session.commit()
    return p


def _switch(client, login_as, user):
    client.delete_cookie("journey_session")
    login_as(user)


def test_other_coach_cannot_find_or_open_a_protected_participant(client, login_as, world, db):
    p = _protect(world, db)
    number = p.national_id
    login_as(world["coach_b"])
    assert client.get(f"/participants/{p.id}").status_code == 404
    for url in ("/participants", "/participants?q=Ali", "/caseload",
                f"/cohorts/{world['enr_a'].cohort_id}/group-sessions/new"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "Amina" not in html and "070-999 88 77" not in html, url
    token = page_token(client, "/participants")
    found = client.post("/participants/search", data={"q": number, "csrf_token": token})
    assert "Amina" not in found.get_data(as_text=True)
    # Another coach's intake with the same number is refused without a link to the record.
    intake = client.post("/participants/new", data={
        "first_name": "Amina", "last_name": "Ali", "national_id": number,
        "birth_date": BORN.isoformat(), "gender": "woman", "birth_region": "unknown",
        "education_level": "unknown", "swedish_level": "unknown", "csrf_token": token,
    })
    assert intake.status_code == 409
    html = intake.get_data(as_text=True)
    assert f"/participants/{p.id}" not in html and "070-999 88 77" not in html
    # Nor does it name the person's coach: it sends the caller to a manager.
    assert "Coach A" not in html and "Kontakta en chef" in html


def test_assigned_coach_and_manager_see_the_person_and_contact_details(
        client, login_as, world, db):
    p = _protect(world, db)
    for user in ("coach_a", "manager1"):
        _switch(client, login_as, world[user])
        html = client.get(f"/participants/{p.id}").get_data(as_text=True)
        assert "Skyddad identitet" in html
        assert "070-999 88 77" in html and "amina@example.se" in html and "Bäckby" in html
        listing = client.get("/participants?q=Ali").get_data(as_text=True)
        assert "Amina" in listing
        # The list never shows a protected person's district.
        assert "Bäckby" not in listing
    _switch(client, login_as, world["coach_a"])
    roster = client.get(f"/cohorts/{world['enr_a'].cohort_id}/group-sessions/new")
    assert "Ali" in roster.get_data(as_text=True)


def test_other_organisation_manager_cannot_see_a_protected_participant(
        client, login_as, world, db):
    p = _protect(world, db)
    login_as(world["manager2"])
    assert client.get(f"/participants/{p.id}").status_code == 404
    assert "Amina" not in client.get("/participants?q=Ali").get_data(as_text=True)
    assert client.get(f"/participants/{p.id}/subject-export.json").status_code == 404
