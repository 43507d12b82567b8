"""The participant page and the edit form, with optimistic locking (no lost updates)."""

import html as html_lib
import re
from datetime import date

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AuditAction, IdKind, Role
from journey.extensions import db as _db
from journey.outcomes.models import ExitOutcome
from journey.participants import services
from journey.participants.models import Participant
from tests import factories
from tests.conftest import csrf_from, page_token
from tests.participants.helpers import client_for, make_id, profile, switch_user

BIRTH = date(1990, 1, 1)
NUMBER = make_id(BIRTH, 238)


@pytest.fixture
def amina(world, db):
    p = world["enr_a"].participant
    p.id_kind, p.national_id, p.birth_date = IdKind.personnummer, NUMBER, BIRTH
    p.district, p.phone = "Bäckby", "070-111 22 33"
    db.session.commit()
    return p


def _events(db, **where):
    stmt = sa.select(AuditEvent)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, key) == value)
    return db.session.scalars(stmt.order_by(AuditEvent.id)).all()


def _form_data(html: str, **overrides) -> dict:
    """The edit form's current values, as a browser would send them back."""
    form = html.split('class="participant-form', 1)[1].split("</form>", 1)[0]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or ('type="checkbox"' in tag and "checked" not in tag):
            continue
        data[name.group(1)] = html_lib.unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        selected = re.search(r'<option selected value="([^"]*)"', body)
        if selected:
            data[name] = selected.group(1)
    data.update(overrides)
    return data


def test_participant_page_shows_profile_masked_and_enrollments(client, login_as, world, amina,
                                                              db):
    login_as(world["coach_a"])
    response = client.get(f"/participants/{amina.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Amina Ali" in html and "19900101-****" in html
    assert NUMBER not in html and NUMBER[8:] not in html
    assert f'href="/enrollments/{world["enr_a"].id}"' in html
    assert f'href="/enrollments/{world["enr_a"].id}/edit"' in html
    assert f'href="/participants/{amina.id}/enroll"' in html and "Skriv in i kull" in html
    assert f'href="/participants/{amina.id}/edit"' in html
    events = _events(db, action=AuditAction.view, object_type="participant")
    assert [(e.participant_id, e.user_id) for e in events] == [(amina.id,
                                                                world["coach_a"].id)]


def test_participant_page_lists_other_coaches_enrollments_without_links(
        client, login_as, world, amina, db):
    old = factories.enrollment(world["coach_b"], factories.cohort(world["enr_a"].cohort.program,
                                                                  "Gammal kull"), part=amina)
    db.session.add(ExitOutcome(enrollment=old, exited_on=date(2026, 1, 5),
                               outcome="job_seeking"))
    old.status = "exited"
    db.session.commit()
    login_as(world["coach_a"])
    html = client.get(f"/participants/{amina.id}").get_data(as_text=True)
    assert "Gammal kull" in html and "Coach B" in html and "Arbetssökande" in html
    assert f'href="/enrollments/{old.id}"' not in html


def test_participant_page_query_count_is_fixed(client, login_as, world, amina, count_queries,
                                               db):
    login_as(world["manager1"])
    with count_queries() as small:
        assert client.get(f"/participants/{amina.id}").status_code == 200
    coach = world["coach_a"]
    for i in range(8):
        coh = factories.cohort(world["enr_a"].cohort.program, f"Extra {i}")
        factories.enrollment(coach, coh, part=amina)
    _db.session.commit()
    with count_queries() as large:
        html = client.get(f"/participants/{amina.id}").get_data(as_text=True)
    assert "Extra 7" in html
    assert small.count == large.count <= 6, large.statements


def test_edit_form_shows_the_full_number_and_is_audited(client, login_as, world, amina, db):
    login_as(world["coach_a"])
    response = client.get(f"/participants/{amina.id}/edit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'value="{NUMBER[:8]}-{NUMBER[8:]}"' in html
    assert response.headers["Cache-Control"] == "no-store"
    assert f'name="version" type="hidden" value="{amina.version}"' in html
    events = _events(db, action=AuditAction.view, detail="edit form")
    assert [e.participant_id for e in events] == [amina.id]


def test_manager_edits_and_the_change_is_audited(client, login_as, world, amina, db):
    login_as(world["manager1"])
    version = amina.version
    html = client.get(f"/participants/{amina.id}/edit").get_data(as_text=True)
    response = client.post(f"/participants/{amina.id}/edit",
                           data=_form_data(html, phone="08-123 456", district="Rinkeby"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/participants/{amina.id}"
    db.session.expire_all()
    p = db.session.get(Participant, amina.id)
    assert (p.phone, p.district, p.national_id) == ("08-123 456", "Rinkeby", NUMBER)
    assert p.version == version + 1
    event = _events(db, action=AuditAction.update, object_type="participant")[0]
    assert event.detail == "changed: district, phone"
    assert event.participant_id == amina.id and NUMBER not in event.detail
    assert "Ändringarna är sparade" in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_saving_unchanged_form_writes_nothing(client, login_as, world, amina, db):
    login_as(world["coach_a"])
    html = client.get(f"/participants/{amina.id}/edit").get_data(as_text=True)
    version = amina.version
    response = client.post(f"/participants/{amina.id}/edit", data=_form_data(html))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, amina.id).version == version
    assert _events(db, action=AuditAction.update) == []


def test_edit_validation_and_number_taken_by_another_record(client, login_as, world, amina,
                                                            db):
    other = make_id(date(1985, 5, 5), 246)
    factories.participant(world["orgs"][0], "Elin", "Ek", id_kind="personnummer",
                          national_id=other, birth_date=date(1985, 5, 5))
    db.session.commit()
    version = amina.version
    login_as(world["manager1"])
    html = client.get(f"/participants/{amina.id}/edit").get_data(as_text=True)
    response = client.post(f"/participants/{amina.id}/edit",
                           data=_form_data(html, email="fel", first_name=""))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Skriv förnamnet." in body and "giltig e-postadress" in body
    response = client.post(f"/participants/{amina.id}/edit",
                           data=_form_data(html, national_id=other,
                                           birth_date="1985-05-05"))
    assert response.status_code == 409
    assert "samma ID-nummer" in response.get_data(as_text=True)
    db.session.expire_all()
    p = db.session.get(Participant, amina.id)
    assert p.national_id == NUMBER and p.first_name == "Amina" and p.version == version


def test_edit_requires_csrf(client, login_as, world, amina, db):
    login_as(world["coach_a"])
    html = client.get(f"/participants/{amina.id}/edit").get_data(as_text=True)
    data = _form_data(html, phone="08-1234567")
    data.pop("csrf_token")
    assert client.post(f"/participants/{amina.id}/edit", data=data).status_code == 400
    db.session.expire_all()
    assert db.session.get(Participant, amina.id).phone == "070-111 22 33"


def test_concurrent_edit_is_refused_with_both_versions(app, client, login_as, world, amina,
                                                       db):
    """Coach A opens the form, the manager saves, coach A saves: 409, nothing overwritten."""
    login_as(world["coach_a"])
    form_a = client.get(f"/participants/{amina.id}/edit").get_data(as_text=True)
    manager = client_for(app, world["manager1"])
    form_m = manager.get(f"/participants/{amina.id}/edit").get_data(as_text=True)
    assert manager.post(f"/participants/{amina.id}/edit",
                        data=_form_data(form_m, phone="08-555 000")).status_code == 302
    response = client.post(f"/participants/{amina.id}/edit",
                           data=_form_data(form_a, phone="070-777 77 77", district="Skiljebo"))
    assert response.status_code == 409
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Någon annan sparade först" in html
    table = html.split('class="table conflict-table"', 1)[1].split("</table>", 1)[0]
    phone_row = table.split("Telefon", 1)[1].split("</tr>", 1)[0]
    assert "08-555 000" in phone_row and "070-777 77 77" in phone_row and "Skiljer sig" in phone_row
    assert "Skiljebo" in table and "Bäckby" in table
    db.session.expire_all()
    p = db.session.get(Participant, amina.id)
    assert (p.phone, p.district) == ("08-555 000", "Bäckby")
    # The form on the conflict page carries the new version: saving it applies mine.
    assert f'name="version" type="hidden" value="{p.version}"' in html
    assert 'value="070-777 77 77"' in html
    response = client.post(f"/participants/{amina.id}/edit", data=_form_data(html))
    assert response.status_code == 302
    db.session.expire_all()
    p = db.session.get(Participant, amina.id)
    assert (p.phone, p.district) == ("070-777 77 77", "Skiljebo")
    assert [e.user_id for e in _events(db, action=AuditAction.update)] == [
        world["manager1"].id, world["coach_a"].id]


def test_conflict_page_offers_to_reload_the_latest(app, client, login_as, world, amina, db):
    login_as(world["coach_a"])
    form_a = client.get(f"/participants/{amina.id}/edit").get_data(as_text=True)
    amina.first_name = "Aminah"
    db.session.commit()
    response = client.post(f"/participants/{amina.id}/edit", data=_form_data(form_a))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert f'href="/participants/{amina.id}/edit"' in html
    assert "Släng mina ändringar och hämta den senaste versionen" in html
    latest = client.get(f"/participants/{amina.id}/edit").get_data(as_text=True)
    assert 'value="Aminah"' in latest


def test_missing_version_counts_as_a_conflict(client, login_as, world, amina, db):
    login_as(world["coach_a"])
    html = client.get(f"/participants/{amina.id}/edit").get_data(as_text=True)
    data = _form_data(html, phone="08-1")
    data.pop("version")
    assert client.post(f"/participants/{amina.id}/edit", data=data).status_code == 409


def test_write_between_read_and_flush_raises_version_conflict(world, amina, db):
    """The UPDATE's version condition catches a save that slipped in after the check."""
    p = db.session.get(Participant, amina.id)
    version = p.version
    with db.engine.begin() as conn:
        conn.execute(sa.update(Participant.__table__).where(
            Participant.__table__.c.id == p.id).values(phone="0", version=version + 1))
    data = {**profile(), "first_name": "Amina", "last_name": "Ali",
            "national_id": NUMBER, "birth_date": BIRTH, "arrival_year": None}
    with pytest.raises(services.VersionConflict):
        services.update_participant(p, data, expected_version=version)
    db.session.rollback()
    assert db.session.get(Participant, amina.id).phone == "0"
    assert _events(db, action=AuditAction.update) == []


# -- scope ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/participants/{id}", "/participants/{id}/edit"])
def test_scope_of_participant_pages(client, login_as, world, path):
    own, other_coach, other_org = (world[k].participant for k in ("enr_a", "enr_b", "enr_c"))
    response = client.get(path.format(id=own.id))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    login_as(world["coach_a"])
    assert client.get(path.format(id=own.id)).status_code == 200
    assert client.get(path.format(id=other_coach.id)).status_code == 404
    assert client.get(path.format(id=other_org.id)).status_code == 404
    assert client.get(path.format(id=999999)).status_code == 404
    switch_user(client, world["manager1"])
    assert client.get(path.format(id=other_coach.id)).status_code == 200
    assert client.get(path.format(id=other_org.id)).status_code == 404
    switch_user(client, world["portal_a"])
    assert client.get(path.format(id=own.id)).status_code == 404
    switch_user(client, world["admin1"])
    assert client.get(path.format(id=own.id)).status_code == 404


def test_edit_post_out_of_scope_is_404_and_changes_nothing(client, login_as, world, db):
    bo = world["enr_b"].participant
    login_as(world["coach_a"])
    token = page_token(client, "/participants")
    data = {**profile(first_name="Hacked", id_kind="none", national_id=""),
            "version": str(bo.version), "csrf_token": token}
    assert client.post(f"/participants/{bo.id}/edit", data=data).status_code == 404
    cecilia = world["enr_c"].participant
    switch_user(client, world["manager1"])
    data["csrf_token"] = csrf_from(client.get("/participants").get_data(as_text=True))
    assert client.post(f"/participants/{cecilia.id}/edit", data=data).status_code == 404
    switch_user(client, world["admin1"])
    data["csrf_token"] = page_token(client, "/admin/users")
    assert client.post(f"/participants/{bo.id}/edit", data=data).status_code == 404
    db.session.expire_all()
    assert db.session.get(Participant, bo.id).first_name == "Bo"
    assert db.session.get(Participant, cecilia.id).first_name == "Cecilia"


def test_coach_keeps_own_intake_only_until_enrolled_elsewhere(client, login_as, world, db):
    intake = factories.participant(world["orgs"][0], "Ny", "Person",
                                   created_by=world["coach_a"])
    db.session.commit()
    login_as(world["coach_a"])
    assert client.get(f"/participants/{intake.id}").status_code == 200
    factories.enrollment(world["coach_b"], world["enr_a"].cohort, part=intake)
    _db.session.commit()
    assert client.get(f"/participants/{intake.id}").status_code == 404
    assert world["coach_b"].role == Role.coach
