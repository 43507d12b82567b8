"""Enrolling a participant, and changing an enrollment (coach, entry facts, pause)."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AuditAction, EnrollmentStatus, Role
from journey.extensions import db as _db
from journey.journeys.models import JourneyStep
from journey.participants import services
from journey.participants.models import Enrollment
from tests import factories
from tests.conftest import page_token
from tests.participants.helpers import client_for, switch_user


@pytest.fixture
def intake(world, db):
    """Coach A's own intake, not enrolled yet, and a second cohort of Jobbpunkt."""
    p = factories.participant(world["orgs"][0], "Ny", "Deltagare", created_by=world["coach_a"],
                              birth_date=date(1995, 5, 5))
    coh = factories.cohort(world["enr_a"].cohort.program, "Jobbpunkt VT",
                           starts_on=date.today() - timedelta(days=10))
    db.session.commit()
    return {"participant": p, "cohort": coh}


def _enroll(client, participant_id, **data):
    token = page_token(client, f"/participants/{participant_id}/enroll")
    return client.post(f"/participants/{participant_id}/enroll",
                       data={"csrf_token": token, **data})


def _valid(cohort, coach, **overrides):
    data = {"cohort_id": cohort.id, "enrolled_on": date.today().isoformat(),
            "labour_status_at_entry": "unemployed", "unemployed_months_at_entry": "14",
            "income_at_entry": "social_assistance", "coach_id": coach.id}
    data.update(overrides)
    return data


def _enrollments(db, participant):
    return db.session.scalars(sa.select(Enrollment).where(
        Enrollment.participant_id == participant.id)).all()


def test_enroll_form_defaults(client, login_as, world, intake):
    login_as(world["coach_a"])
    response = client.get(f"/participants/{intake['participant'].id}/enroll")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'value="{date.today().isoformat()}"' in html
    assert f'<option selected value="{world["coach_a"].id}">Coach A</option>' in html
    assert "Coach B" in html and "Coach C" not in html  # only the organisation's coaches
    assert '<optgroup label="Jobbpunkt">' in html and "Jobbpunkt VT" in html
    assert "Miljövärdar" not in html  # another organisation's cohort
    assert "Ingen coach ännu" not in html  # a coach always names one


def test_coach_enrolls_own_intake_and_steps_are_copied(client, login_as, world, intake, db):
    p, coh = intake["participant"], intake["cohort"]
    login_as(world["coach_a"])
    response = _enroll(client, p.id, **_valid(coh, world["coach_a"]))
    assert response.status_code == 302
    db.session.expire_all()
    (enrollment,) = _enrollments(db, p)
    assert response.headers["Location"] == f"/enrollments/{enrollment.id}"
    assert enrollment.cohort_id == coh.id and enrollment.coach_id == world["coach_a"].id
    assert enrollment.status == EnrollmentStatus.active and enrollment.enrolled_on == date.today()
    assert (enrollment.labour_status_at_entry, enrollment.unemployed_months_at_entry,
            enrollment.income_at_entry) == ("unemployed", 14, "social_assistance")
    steps = db.session.scalars(sa.select(JourneyStep.name).where(
        JourneyStep.enrollment_id == enrollment.id).order_by(JourneyStep.position)).all()
    assert steps == ["Profilanalys", "Coachning", "Nätverk", "Praktik"]
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.create, AuditEvent.object_type == "enrollment",
        AuditEvent.object_id == enrollment.id)).one()
    assert event.participant_id == p.id and event.user_id == world["coach_a"].id
    assert "är inskriven i Jobbpunkt VT" in client.get(
        response.headers["Location"]).get_data(as_text=True)


def test_retired_step_templates_are_not_copied(client, login_as, world, intake, db):
    program = intake["cohort"].program
    program.step_templates[1].is_retired = True
    db.session.commit()
    login_as(world["manager1"])
    _enroll(client, intake["participant"].id, **_valid(intake["cohort"], world["coach_a"]))
    (enrollment,) = _enrollments(db, intake["participant"])
    assert [s.name for s in enrollment.steps] == ["Profilanalys", "Nätverk", "Praktik"]


def test_coach_enrolling_with_another_coach_hands_the_participant_over(
        client, login_as, world, intake, db):
    p = intake["participant"]
    login_as(world["coach_a"])
    response = _enroll(client, p.id, **_valid(intake["cohort"], world["coach_b"]))
    assert response.status_code == 302 and response.headers["Location"] == "/caseload"
    html = client.get("/caseload").get_data(as_text=True)
    assert "Coach B är nu coach" in html
    assert client.get(f"/participants/{p.id}").status_code == 404


def test_manager_may_leave_the_coach_open(client, login_as, world, intake, db):
    login_as(world["manager1"])
    html = client.get(f"/participants/{intake['participant'].id}/enroll").get_data(as_text=True)
    assert '<option selected value="0">Ingen coach ännu</option>' in html
    response = _enroll(client, intake["participant"].id,
                       **_valid(intake["cohort"], world["coach_a"], coach_id="0"))
    assert response.status_code == 302
    (enrollment,) = _enrollments(db, intake["participant"])
    assert enrollment.coach_id is None


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"enrolled_on": (date.today() + timedelta(days=31)).isoformat()}, "enrolled_on",
     "högst 30 dagar framåt"),
    ({"enrolled_on": ""}, "enrolled_on", "Ange datum för inskrivningen."),
    ({"enrolled_on": "igår"}, "enrolled_on", "datum"),
    ({"unemployed_months_at_entry": "601"}, "unemployed_months_at_entry", "mellan 0 och 600"),
    ({"unemployed_months_at_entry": "-1"}, "unemployed_months_at_entry", "mellan 0 och 600"),
    ({"labour_status_at_entry": "retired"}, "labour_status_at_entry", "giltigt val"),
    ({"cohort_id": "999999"}, "cohort_id", "giltigt val"),
    ({"coach_id": "999999"}, "coach_id", "giltigt val"),
])
def test_enroll_validation(client, login_as, world, intake, db, overrides, field, message):
    login_as(world["coach_a"])
    response = _enroll(client, intake["participant"].id,
                       **_valid(intake["cohort"], world["coach_a"], **overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert _enrollments(db, intake["participant"]) == []


def test_enrollment_date_rules_around_the_cohort(client, login_as, world, intake, db):
    coh = intake["cohort"]
    coh.starts_on = date.today() + timedelta(days=20)
    db.session.commit()
    login_as(world["coach_a"])
    p = intake["participant"]
    too_early = (coh.starts_on - timedelta(days=31)).isoformat()
    response = _enroll(client, p.id, **_valid(coh, world["coach_a"], enrolled_on=too_early))
    assert response.status_code == 422
    assert "högst 30 dagar före kullens start" in response.get_data(as_text=True)
    # 30 days before the start and 30 days ahead are both allowed.
    ok = (coh.starts_on - timedelta(days=30)).isoformat()
    assert _enroll(client, p.id, **_valid(coh, world["coach_a"],
                                          enrolled_on=ok)).status_code == 302


def test_enrollment_after_the_cohort_ended_is_refused(client, login_as, world, intake, db):
    coh = intake["cohort"]
    coh.ends_on = date.today() - timedelta(days=2)
    db.session.commit()
    login_as(world["coach_a"])
    response = _enroll(client, intake["participant"].id, **_valid(coh, world["coach_a"]))
    assert response.status_code == 422
    assert "Kullen avslutades" in response.get_data(as_text=True)


def test_cannot_enroll_twice_in_the_same_cohort_while_active(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = _enroll(client, enr.participant_id, **_valid(enr.cohort, world["coach_a"]))
    assert response.status_code == 422
    assert "redan inskriven i den här kullen" in response.get_data(as_text=True)
    enr.status = EnrollmentStatus.exited
    _db.session.commit()
    # After an exit a new enrollment in the same cohort is possible.
    assert _enroll(client, enr.participant_id,
                   **_valid(enr.cohort, world["coach_a"])).status_code == 302


def test_inactive_programmes_are_not_offered(client, login_as, world, intake, db):
    intake["cohort"].program.is_active = False
    db.session.commit()
    login_as(world["coach_a"])
    html = client.get(f"/participants/{intake['participant'].id}/enroll").get_data(as_text=True)
    assert "Det finns inga kullar att skriva in i" in html
    assert 'name="cohort_id"' not in html


def test_service_rules_for_other_callers(world, intake, db):
    p, coh = intake["participant"], intake["cohort"]
    with pytest.raises(services.EnrollmentRuleError) as exc:
        services.enroll_participant(
            p, coh, coach=world["coach_c"], enrolled_on=date(1990, 1, 1),
            labour_status_at_entry="unemployed", unemployed_months_at_entry=None,
            income_at_entry="unknown")
    assert set(exc.value.errors) == {"coach_id", "enrolled_on"}
    manager = factories.user(Role.manager, world["orgs"][0])
    errors = services.check_enrollment(p, coh, coach=manager, enrolled_on=date.today(),
                                       unemployed_months_at_entry=3)
    assert set(errors) == {"coach_id"}  # a manager is not a coach
    world["coach_b"].is_active = False
    errors = services.check_enrollment(p, coh, coach=world["coach_b"],
                                       enrolled_on=date.today(), unemployed_months_at_entry=3)
    assert set(errors) == {"coach_id"}


def test_enroll_requires_csrf(client, login_as, world, intake, db):
    login_as(world["coach_a"])
    response = client.post(f"/participants/{intake['participant'].id}/enroll",
                           data=_valid(intake["cohort"], world["coach_a"]))
    assert response.status_code == 400
    assert _enrollments(db, intake["participant"]) == []


def test_enroll_scope(client, login_as, world, intake, db):
    own, other_coach, other_org = (world[k].participant for k in ("enr_a", "enr_b", "enr_c"))
    url = "/participants/{}/enroll"
    response = client.get(url.format(own.id))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    login_as(world["coach_a"])
    assert client.get(url.format(own.id)).status_code == 200
    assert client.get(url.format(other_coach.id)).status_code == 404
    assert client.get(url.format(other_org.id)).status_code == 404
    token = page_token(client, "/participants")
    data = {**_valid(intake["cohort"], world["coach_a"]), "csrf_token": token}
    assert client.post(url.format(other_coach.id), data=data).status_code == 404
    switch_user(client, world["manager1"])
    assert client.get(url.format(other_coach.id)).status_code == 200
    assert client.get(url.format(other_org.id)).status_code == 404
    switch_user(client, world["portal_a"])
    assert client.get(url.format(own.id)).status_code == 404
    switch_user(client, world["admin1"])
    assert client.get(url.format(own.id)).status_code == 404
    assert len(_enrollments(db, other_coach)) == 1


def _ended_cohort(world, db, name="Jobbpunkt HT förra året"):
    """A cohort of coach A's programme that ended a month ago."""
    coh = factories.cohort(world["enr_a"].cohort.program, name,
                           starts_on=date.today() - timedelta(days=200))
    coh.ends_on = date.today() - timedelta(days=30)
    db.session.commit()
    return coh


def test_ended_cohorts_are_offered_only_on_request(client, login_as, world, intake, db):
    ended = _ended_cohort(world, db)
    login_as(world["coach_a"])
    url = f"/participants/{intake['participant'].id}/enroll"
    html = client.get(url).get_data(as_text=True)
    assert "Jobbpunkt VT" in html and ended.name not in html
    assert "Kullar som inte har avslutats visas." in html
    assert f'<a href="{url}?cohorts=all">Visa även avslutade kullar</a>' in html
    assert f'action="{url}"' in html

    html = client.get(f"{url}?cohorts=all").get_data(as_text=True)
    assert "Jobbpunkt VT" in html and f'value="{ended.id}">{ended.name} (' in html
    assert "Alla kullar visas, även avslutade." in html
    assert f'<a href="{url}">Visa bara aktuella kullar</a>' in html
    # The form posts back to the same list, so a re-shown form offers the same cohorts.
    assert f'action="{url}?cohorts=all"' in html


def test_no_link_to_ended_cohorts_when_there_are_none(client, login_as, world, intake):
    login_as(world["coach_a"])
    html = client.get(f"/participants/{intake['participant'].id}/enroll").get_data(
        as_text=True)
    assert "Kullar som inte har avslutats visas." in html
    assert "cohorts=all" not in html


def test_enrolling_in_an_ended_cohort_with_an_earlier_date(client, login_as, world, intake, db):
    ended = _ended_cohort(world, db)
    p = intake["participant"]
    login_as(world["coach_a"])
    token = page_token(client, f"/participants/{p.id}/enroll?cohorts=all")
    # A date after the cohort's end is refused, and the form keeps the ended cohort chosen
    # even when it was posted to the list of current cohorts.
    response = client.post(f"/participants/{p.id}/enroll",
                           data={"csrf_token": token, **_valid(ended, world["coach_a"])})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Kullen avslutades" in html
    assert f'<option selected value="{ended.id}">{ended.name} (' in html
    # Within the cohort's dates it is accepted.
    within = (ended.ends_on - timedelta(days=10)).isoformat()
    response = client.post(f"/participants/{p.id}/enroll?cohorts=all",
                           data={"csrf_token": token,
                                 **_valid(ended, world["coach_a"], enrolled_on=within)})
    assert response.status_code == 302
    [enrollment] = _enrollments(db, p)
    assert enrollment.cohort_id == ended.id and enrollment.enrolled_on.isoformat() == within


def test_when_every_cohort_has_ended_the_page_says_so(client, login_as, world, intake, db):
    today = date.today()
    for cohort in intake["cohort"].program.cohorts:
        cohort.starts_on, cohort.ends_on = today - timedelta(days=90), today - timedelta(days=1)
    db.session.commit()
    login_as(world["coach_a"])
    url = f"/participants/{intake['participant'].id}/enroll"
    html = client.get(url).get_data(as_text=True)
    assert "Inga aktuella kullar" in html and 'name="cohort_id"' not in html
    assert f'<a href="{url}?cohorts=all">Visa avslutade kullar</a>' in html
    html = client.get(f"{url}?cohorts=all").get_data(as_text=True)
    assert 'name="cohort_id"' in html and "Jobbpunkt VT" in html


def test_manager_cannot_enroll_in_another_organisations_cohort(client, login_as, world, intake,
                                                                db):
    login_as(world["manager1"])
    response = _enroll(client, intake["participant"].id,
                       **_valid(world["enr_c"].cohort, world["coach_a"]))
    assert response.status_code == 422  # not one of the choices
    assert _enrollments(db, intake["participant"]) == []


# -- changing an enrollment ----------------------------------------------------------


def _edit(client, enrollment_id, **data):
    token = page_token(client, f"/enrollments/{enrollment_id}/edit")
    return client.post(f"/enrollments/{enrollment_id}/edit", data={"csrf_token": token, **data})


def _current(enr, **overrides):
    data = {"coach_id": enr.coach_id, "status": enr.status.value,
            "labour_status_at_entry": enr.labour_status_at_entry.value,
            "unemployed_months_at_entry": "" if enr.unemployed_months_at_entry is None
            else str(enr.unemployed_months_at_entry),
            "income_at_entry": enr.income_at_entry.value, "version": str(enr.version)}
    data.update(overrides)
    return data


def test_enrollment_edit_form(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = client.get(f"/enrollments/{enr.id}/edit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<option selected value="{world["coach_a"].id}">Coach A</option>' in html
    assert 'value="exited"' not in html
    assert f'name="version" type="hidden" value="{enr.version}"' in html
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "enrollment", AuditEvent.action == AuditAction.view)).one()
    assert event.detail == "edit form" and event.participant_id == enr.participant_id


def test_manager_reassigns_coach_and_pauses(client, login_as, world, db):
    enr = world["enr_a"]
    version = enr.version
    login_as(world["manager1"])
    response = _edit(client, enr.id, **_current(enr, coach_id=world["coach_b"].id,
                                                status="paused", unemployed_months_at_entry="7"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/enrollments/{enr.id}"
    db.session.expire_all()
    enr = db.session.get(Enrollment, enr.id)
    assert enr.coach_id == world["coach_b"].id and enr.status == EnrollmentStatus.paused
    assert enr.unemployed_months_at_entry == 7 and enr.version == version + 1
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "enrollment", AuditEvent.action == AuditAction.update)).one()
    assert event.detail.startswith("coach Coach A -> Coach B")
    assert "status active -> paused" in event.detail
    assert event.participant_id == enr.participant_id


def test_coach_hands_over_and_loses_access(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = _edit(client, enr.id, **_current(enr, coach_id=world["coach_b"].id))
    assert response.status_code == 302 and response.headers["Location"] == "/caseload"
    assert "Coach B är nu coach" in client.get("/caseload").get_data(as_text=True)
    assert client.get(f"/enrollments/{enr.id}").status_code == 404
    assert client.get(f"/enrollments/{enr.id}/edit").status_code == 404
    assert client.get(f"/participants/{enr.participant_id}").status_code == 404
    switch_user(client, world["coach_b"])
    assert client.get(f"/enrollments/{enr.id}").status_code == 200
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "enrollment", AuditEvent.action == AuditAction.update)).one()
    assert event.detail == "coach Coach A -> Coach B" and event.user_id == world["coach_a"].id


def test_enrollment_edit_validation(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    for overrides, field, message in (
        ({"status": "exited"}, "status", "giltigt val"),
        ({"unemployed_months_at_entry": "900"}, "unemployed_months_at_entry",
         "mellan 0 och 600"),
        ({"coach_id": world["coach_c"].id}, "coach_id", "giltigt val"),
        ({"coach_id": "0"}, "coach_id", "giltigt val"),  # only managers may clear it
    ):
        response = _edit(client, enr.id, **_current(enr, **overrides))
        assert response.status_code == 422, overrides
        html = response.get_data(as_text=True)
        assert message in html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    db.session.expire_all()
    enr = db.session.get(Enrollment, enr.id)
    assert enr.coach_id == world["coach_a"].id and enr.status == EnrollmentStatus.active


def test_exited_enrollment_is_not_changed_here(client, login_as, world, db):
    enr = world["enr_a"]
    enr.status = EnrollmentStatus.exited
    db.session.commit()
    login_as(world["manager1"])
    html = client.get(f"/enrollments/{enr.id}/edit").get_data(as_text=True)
    assert "kan inte längre ändras här" in html and 'name="coach_id"' not in html
    response = _edit(client, enr.id, **_current(enr, status="active"))
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Enrollment, enr.id).status == EnrollmentStatus.exited


def test_concurrent_enrollment_edit_is_refused(app, client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    stale = _current(enr)
    client.get(f"/enrollments/{enr.id}/edit")
    manager = client_for(app, world["manager1"])
    token = page_token(manager, f"/enrollments/{enr.id}/edit")
    assert manager.post(f"/enrollments/{enr.id}/edit",
                        data={**_current(enr, status="paused"), "csrf_token": token}
                        ).status_code == 302
    response = _edit(client, enr.id, **{**stale, "unemployed_months_at_entry": "30"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    table = html.split('class="table conflict-table"', 1)[1].split("</table>", 1)[0]
    status_row = table.split("<th scope=\"row\">Status", 1)[1].split("</tr>", 1)[0]
    assert "Pausad" in status_row and "Aktiv" in status_row
    assert "30" in table
    db.session.expire_all()
    current = db.session.get(Enrollment, enr.id)
    assert current.status == EnrollmentStatus.paused
    assert current.unemployed_months_at_entry is None
    assert f'name="version" type="hidden" value="{current.version}"' in html


def test_enrollment_stale_write_raises_version_conflict(world, db):
    enr = db.session.get(Enrollment, world["enr_a"].id)
    version = enr.version
    with db.engine.begin() as conn:
        conn.execute(sa.update(Enrollment.__table__).where(
            Enrollment.__table__.c.id == enr.id).values(version=version + 1))
    changes = services.EnrollmentChanges(
        coach=world["coach_b"], status=EnrollmentStatus.active,
        labour_status_at_entry=enr.labour_status_at_entry,
        unemployed_months_at_entry=None, income_at_entry=enr.income_at_entry)
    with pytest.raises(services.VersionConflict):
        services.update_enrollment(enr, changes, expected_version=version)
    db.session.rollback()
    assert db.session.get(Enrollment, enr.id).coach_id == world["coach_a"].id


def test_enrollment_edit_requires_csrf(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = client.post(f"/enrollments/{enr.id}/edit",
                           data=_current(enr, coach_id=world["coach_b"].id))
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Enrollment, enr.id).coach_id == world["coach_a"].id


def test_enrollment_edit_scope(client, login_as, world, db):
    enr_a, enr_b, enr_c = world["enr_a"], world["enr_b"], world["enr_c"]
    response = client.get(f"/enrollments/{enr_a.id}/edit")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    login_as(world["coach_a"])
    assert client.get(f"/enrollments/{enr_a.id}/edit").status_code == 200
    assert client.get(f"/enrollments/{enr_b.id}/edit").status_code == 404
    assert client.get(f"/enrollments/{enr_c.id}/edit").status_code == 404
    token = page_token(client, "/participants")
    assert client.post(f"/enrollments/{enr_b.id}/edit",
                       data={**_current(enr_b, status="paused"), "csrf_token": token}
                       ).status_code == 404
    switch_user(client, world["manager1"])
    assert client.get(f"/enrollments/{enr_b.id}/edit").status_code == 200
    assert client.get(f"/enrollments/{enr_c.id}/edit").status_code == 404
    switch_user(client, world["portal_a"])
    assert client.get(f"/enrollments/{enr_a.id}/edit").status_code == 404
    switch_user(client, world["admin1"])
    assert client.get(f"/enrollments/{enr_a.id}/edit").status_code == 404
    db.session.expire_all()
    assert db.session.get(Enrollment, enr_b.id).status == EnrollmentStatus.active


def test_coach_sets_the_goal_shown_in_the_portal(client, login_as, world, db, app):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = _edit(client, enr.id, **_current(enr, goal="  Ett arbete inom äldreomsorgen "))
    assert response.status_code == 302
    db.session.expire_all()
    enr = db.session.get(Enrollment, enr.id)
    assert enr.goal == "Ett arbete inom äldreomsorgen"
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "enrollment", AuditEvent.action == AuditAction.update)).one()
    assert "goal" in event.detail
    assert 'value="Ett arbete inom äldreomsorgen"' in client.get(
        f"/enrollments/{enr.id}/edit").get_data(as_text=True)
    portal = client_for(app, world["portal_a"])
    assert "Ett arbete inom äldreomsorgen" in portal.get("/portal/").get_data(as_text=True)


def test_a_too_long_goal_is_refused(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = _edit(client, enr.id, **_current(enr, goal="x" * 301))
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Enrollment, enr.id).goal == ""
