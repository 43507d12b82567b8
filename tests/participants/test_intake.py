"""The intake form: every field, validation messages, duplicates, audit."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AuditAction, Gender, IdKind, Role
from journey.participants import services
from journey.participants.models import Participant
from tests import factories
from tests.conftest import page_token
from tests.participants.helpers import make_id, profile, switch_user, with_wrong_check_digit


def _post(client, data):
    token = page_token(client, "/participants/new")
    return client.post("/participants/new", data={**data, "csrf_token": token})


def _count(db):
    return db.session.scalar(sa.select(sa.func.count(Participant.id)))


def test_form_has_every_field_with_a_label(client, login_as, world):
    login_as(world["coach_a"])
    html = client.get("/participants/new").get_data(as_text=True)
    for name in services.PROFILE_FIELDS:
        assert f'name="{name}"' in html, name
        assert f'for="{name}"' in html, name
    assert "Förnamn" in html and "Typ av ID-nummer" in html and "Skyddad identitet" in html


def test_coach_registers_a_participant(client, login_as, world, db):
    coach = world["coach_a"]
    login_as(coach)
    response = _post(client, profile())
    assert response.status_code == 302
    db.session.expire_all()
    p = db.session.scalars(sa.select(Participant).where(Participant.last_name == "Nilsson")).one()
    assert response.headers["Location"] == f"/participants/{p.id}"
    assert p.national_id == make_id(date(1990, 1, 1), 238)
    assert p.birth_date == date(1990, 1, 1)  # filled in from the number
    assert p.id_kind == IdKind.personnummer and p.gender == Gender.woman
    assert (p.birth_region, p.arrival_year, p.district) == ("outside_europe", 2015, "Bäckby")
    assert (p.education_level, p.swedish_level) == ("upper_secondary", "sfi_c")
    assert (p.phone, p.email, p.protected_identity) == ("070-123 45 67", "sara@example.se", False)
    assert p.created_by_id == coach.id and p.organization_id == coach.organization_id
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.create, AuditEvent.object_type == "participant")).one()
    assert event.participant_id == p.id and event.user_id == coach.id
    # The coach's own intake is in their scope before enrollment.
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sara Nilsson är registrerad" in html and "Skriv in i kull" in html


def test_manager_registers_without_id_number_and_protected(client, login_as, world, db):
    login_as(world["manager1"])
    response = _post(client, profile(id_kind="none", national_id="", birth_date="1975-03-04",
                                     gender="non_binary", protected_identity="y"))
    assert response.status_code == 302
    db.session.expire_all()
    p = db.session.scalars(sa.select(Participant).where(Participant.last_name == "Nilsson")).one()
    assert p.national_id is None and p.id_kind == IdKind.none
    assert p.birth_date == date(1975, 3, 4) and p.protected_identity is True


def test_coordination_number_is_accepted_with_its_kind(client, login_as, world, db):
    number = make_id(date(1992, 7, 8), 238, coordination=True)
    login_as(world["coach_a"])
    response = _post(client, profile(id_kind="samordningsnummer", national_id=number))
    assert response.status_code == 302
    db.session.expire_all()
    p = db.session.scalars(sa.select(Participant).where(Participant.last_name == "Nilsson")).one()
    assert p.national_id == number and p.birth_date == date(1992, 7, 8)


BIRTH = date(1990, 1, 1)
NUMBER = make_id(BIRTH, 238)


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"first_name": ""}, "first_name", "Skriv förnamnet."),
    ({"last_name": "  "}, "last_name", "Skriv efternamnet."),
    ({"national_id": "1990-01-01"}, "national_id", "Skriv numret som ÅÅÅÅMMDD-NNNN"),
    ({"national_id": with_wrong_check_digit(NUMBER)}, "national_id", "Kontrollsiffran"),
    ({"national_id": NUMBER[:6] + "32" + NUMBER[8:]}, "national_id", "giltigt födelsedatum"),
    ({"national_id": ""}, "national_id", "välj ”Saknas”"),
    ({"id_kind": "none"}, "national_id", "lämna numret tomt"),
    ({"id_kind": "samordningsnummer"}, "id_kind", "är ett personnummer"),
    ({"national_id": make_id(BIRTH, 238, coordination=True)}, "id_kind",
     "är ett samordningsnummer"),
    ({"birth_date": "1990-01-02"}, "birth_date", "Stämmer inte med födelsedatumet i ID-numret"),
    ({"id_kind": "none", "national_id": "",
      "birth_date": (date.today() + timedelta(days=1)).isoformat()},
     "birth_date", "kan inte ligga i framtiden"),
    ({"gender": "man"}, "gender", "tillhör en kvinna"),
    ({"national_id": make_id(BIRTH, 237)}, "gender", "tillhör en man"),
    ({"arrival_year": "1899"}, "arrival_year", "mellan 1900 och"),
    ({"arrival_year": str(date.today().year + 1)}, "arrival_year", "mellan 1900 och"),
    ({"arrival_year": "1989"}, "arrival_year", "före födelseåret"),
    ({"arrival_year": "snart"}, "arrival_year", "heltal"),
    ({"email": "sara-at-example"}, "email", "giltig e-postadress"),
    ({"phone": "ring mig"}, "phone", "telefonnummer med siffror"),
    ({"phone": "12"}, "phone", "telefonnummer med siffror"),
    ({"gender": "alien"}, "gender", "giltigt val"),
])
def test_invalid_input_is_explained_next_to_the_field(client, login_as, world, db,
                                                      overrides, field, message):
    login_as(world["coach_a"])
    before = _count(db)
    response = _post(client, profile(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert f'aria-describedby="{field}-hint {field}-error"' in html or \
        f'aria-describedby="{field}-error"' in html
    assert "Inget sparades" in html
    assert _count(db) == before


def test_woman_with_male_number_is_refused_but_other_genders_are_not_checked(
        client, login_as, world, db):
    login_as(world["coach_a"])
    response = _post(client, profile(gender="unknown", national_id=make_id(BIRTH, 237)))
    assert response.status_code == 302


def test_wrong_number_is_not_echoed_in_the_message(client, login_as, world):
    login_as(world["coach_a"])
    bad = with_wrong_check_digit(NUMBER)
    html = _post(client, profile(national_id=bad)).get_data(as_text=True)
    error = html.split('id="national_id-error">', 1)[1].split("</p>", 1)[0]
    assert bad not in error


def test_intake_requires_csrf(client, login_as, world, db):
    login_as(world["coach_a"])
    before = _count(db)
    assert client.post("/participants/new", data=profile()).status_code == 400
    assert _count(db) == before


def test_intake_is_for_coaches_and_managers_only(client, login_as, world):
    response = client.get("/participants/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    login_as(world["portal_a"])
    assert client.get("/participants/new").status_code == 404
    token = page_token(client, "/portal/")
    assert client.post("/participants/new",
                       data={**profile(), "csrf_token": token}).status_code == 404
    switch_user(client, world["admin1"])
    assert client.get("/participants/new").status_code == 404


# -- duplicates ----------------------------------------------------------------------


def test_duplicate_number_in_scope_links_to_the_existing_record(client, login_as, world, db):
    existing = world["enr_a"].participant
    existing.id_kind, existing.national_id, existing.birth_date = "personnummer", NUMBER, BIRTH
    db.session.commit()
    login_as(world["coach_a"])
    before = _count(db)
    response = _post(client, profile(first_name="Annan", last_name="Person"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Personen är redan registrerad" in html
    assert "samma ID-nummer" in html
    assert f'href="/participants/{existing.id}"' in html
    assert _count(db) == before


def test_duplicate_out_of_scope_names_the_coach_but_shows_no_data(client, login_as, world, db):
    existing = world["enr_b"].participant  # coach B's participant
    existing.id_kind, existing.national_id, existing.birth_date = "personnummer", NUMBER, BIRTH
    existing.district, existing.phone = "Hemligby", "070-999 99 99"
    db.session.commit()
    login_as(world["coach_a"])
    before = _count(db)
    response = _post(client, profile(first_name="Annan", last_name="Person"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Kontakta Coach B" in html
    assert f"/participants/{existing.id}" not in html
    assert "Bo" not in html.split('id="duplicate-notice"', 1)[1].split("</div>", 1)[0]
    assert "Hemligby" not in html and "070-999" not in html
    assert _count(db) == before


def test_duplicate_without_coach_points_to_a_manager(client, login_as, world, db):
    factories.participant(world["orgs"][0], "Sara", "Nilsson", birth_date=BIRTH,
                          created_by=world["manager1"])
    db.session.commit()
    login_as(world["coach_a"])
    response = _post(client, profile(first_name="SARA", last_name="nilsson"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "samma namn och födelsedatum" in html
    assert "Kontakta en chef" in html


def test_same_name_and_birth_date_with_different_numbers_are_two_people(
        client, login_as, world, db):
    factories.participant(world["orgs"][0], "Sara", "Nilsson", birth_date=BIRTH,
                          id_kind="personnummer", national_id=make_id(BIRTH, 246),
                          created_by=world["coach_a"])
    db.session.commit()
    login_as(world["coach_a"])
    assert _post(client, profile()).status_code == 302


def test_same_person_in_another_organisation_is_not_a_duplicate(client, login_as, world, db):
    factories.participant(world["orgs"][1], "Sara", "Nilsson", birth_date=BIRTH,
                          id_kind="personnummer", national_id=NUMBER)
    db.session.commit()
    login_as(world["coach_a"])
    assert _post(client, profile()).status_code == 302


def test_manager_sees_the_link_for_any_duplicate_in_the_organisation(client, login_as, world,
                                                                      db):
    existing = world["enr_b"].participant
    existing.birth_date = BIRTH
    db.session.commit()
    login_as(world["manager1"])
    response = _post(client, profile(first_name="bo", last_name="BERG", id_kind="none",
                                     national_id="", birth_date=BIRTH.isoformat()))
    assert response.status_code == 409
    assert f'href="/participants/{existing.id}"' in response.get_data(as_text=True)


def test_service_refuses_invalid_data_for_other_callers(world, db):
    typed = {**profile(), "birth_date": None, "arrival_year": 2015}
    with pytest.raises(services.ParticipantError) as exc:
        services.create_participant(world["orgs"][0], {**typed, "national_id": "123"},
                                    created_by=None)
    assert set(exc.value.errors) == {"national_id"}
    coach = factories.user(Role.coach, world["orgs"][0])
    p = services.create_participant(world["orgs"][0], typed, created_by=coach)
    assert p.national_id == NUMBER and p.created_by_id == coach.id
