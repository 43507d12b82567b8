"""Programme, step template and cohort services: domain rules and audit trail."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from journey.cohorts import services as cohort_services
from journey.cohorts.models import Cohort
from journey.enums import AuditAction, StepKind
from journey.participants.services import enroll
from journey.programs import services
from journey.programs.models import Program
from tests import factories
from tests.programs.helpers import audit, journey_steps, template_id, templates


def _data(name="Propellern", **kwargs):
    return services.ProgramData(name=name, **kwargs)


# --- programmes -------------------------------------------------------------------------


def test_create_program_converts_the_percentage_to_a_share(db, world):
    o1 = world["orgs"][0]
    program = services.create_program(o1.id, _data(outcome_target_percent=Decimal("50")))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Program, program.id)
    assert stored.outcome_target == Decimal("0.5")
    assert stored.is_active is True and stored.description == ""
    events = audit("program", AuditAction.create)
    assert [(e.object_id, e.participant_id, e.organization_id) for e in events] == [
        (program.id, None, o1.id)]


@pytest.mark.parametrize(("percent", "share"), [
    (0, Decimal("0")), (50, Decimal("0.5")), (100, Decimal("1")),
    (Decimal("62.5"), Decimal("0.625")), (None, None),
])
def test_percent_to_share(app, percent, share):
    with app.test_request_context():
        assert services.percent_to_share(percent) == share
        assert services.share_to_percent(share) == (
            None if percent is None else Decimal(str(percent)))


@pytest.mark.parametrize(("percent", "message"), [
    (Decimal("-1"), "mellan 0 och 100"),
    (Decimal("100.5"), "mellan 0 och 100"),
    (Decimal("62.55"), "högst en decimal"),
])
def test_percent_out_of_range_is_refused(app, percent, message):
    with app.test_request_context():
        with pytest.raises(services.ProgramError) as caught:
            services.percent_to_share(percent)
    assert message in caught.value.message
    assert caught.value.field == "outcome_target"


def test_program_names_are_unique_per_organisation_ignoring_case(db, world):
    o1, o2 = world["orgs"]
    with pytest.raises(services.ProgramError) as caught:
        services.create_program(o1.id, _data("  jobbpunkt "))
    assert caught.value.field == "name"
    assert "redan ett program som heter ”jobbpunkt”" in caught.value.message
    # Another organisation may use the name.
    other = services.create_program(o2.id, _data("Jobbpunkt"))
    assert other.name == "Jobbpunkt"


def test_update_program_keeps_own_name_and_records_changed_fields(db, world):
    program = world["enr_a"].cohort.program
    changed = services.update_program(program, _data(
        "Jobbpunkt", description="Drop-in", is_active=False,
        outcome_target_percent=Decimal("70")))
    assert changed == ["description", "is_active", "outcome_target"]
    assert program.outcome_target == Decimal("0.7")
    events = audit("program", AuditAction.update)
    assert len(events) == 1 and events[0].participant_id is None
    assert events[0].detail == "changed: description, is_active, outcome_target"
    # Saving the same values again writes nothing.
    assert services.update_program(program, _data(
        "Jobbpunkt", description="Drop-in", is_active=False,
        outcome_target_percent=Decimal("70"))) == []
    assert len(audit("program", AuditAction.update)) == 1


def test_update_program_refuses_another_programmes_name(db, world):
    o1 = world["orgs"][0]
    other = services.create_program(o1.id, _data("Propellern"))
    with pytest.raises(services.ProgramError):
        services.update_program(other, _data("JOBBPUNKT"))
    assert other.name == "Propellern"


def test_empty_name_is_refused(app, db, world):
    with pytest.raises(services.ProgramError) as caught:
        services.create_program(world["orgs"][0].id, _data("   "))
    assert caught.value.message == "Ange ett namn."


# --- step templates ---------------------------------------------------------------------


def test_add_step_template_appends_and_audits(db, world):
    program = world["enr_a"].cohort.program
    template = services.add_step_template(program, "Språkcafé", StepKind.language)
    assert template.position == 5
    assert templates(program.id)[-1] == (5, "Språkcafé", False)
    [event] = audit("step_template", AuditAction.create)
    assert event.object_id == template.id and event.participant_id is None


def test_add_step_template_to_an_empty_programme_starts_at_one(db, world):
    program = services.create_program(world["orgs"][0].id, _data("Tom"))
    assert services.add_step_template(program, "Första", "coaching").position == 1


def test_add_step_template_refuses_an_unknown_kind(db, world):
    program = world["enr_a"].cohort.program
    with pytest.raises(services.ProgramError) as caught:
        services.add_step_template(program, "X", "juggling")
    assert caught.value.field == "kind"


def test_reorder_keeps_positions_unique_and_contiguous(db, world):
    program = world["enr_a"].cohort.program
    praktik = db.session.get(type(program.step_templates[0]), template_id(program.id, "Praktik"))
    # To the top and one back down, then to the bottom: each move commits cleanly.
    for direction, expected in (
        ("up", ["Profilanalys", "Coachning", "Praktik", "Nätverk"]),
        ("up", ["Profilanalys", "Praktik", "Coachning", "Nätverk"]),
        ("up", ["Praktik", "Profilanalys", "Coachning", "Nätverk"]),
        ("up", ["Praktik", "Profilanalys", "Coachning", "Nätverk"]),  # already first
        ("down", ["Profilanalys", "Praktik", "Coachning", "Nätverk"]),
    ):
        services.move_step_template(praktik, direction)
        db.session.commit()
        rows = templates(program.id)
        assert [name for _pos, name, _r in rows] == expected
        assert [pos for pos, _name, _r in rows] == [1, 2, 3, 4]


def test_moving_past_either_end_changes_nothing(db, world):
    program = world["enr_a"].cohort.program
    first = program.step_templates[0]
    last = program.step_templates[-1]
    assert services.move_step_template(first, "up") is False
    assert services.move_step_template(last, "down") is False
    assert audit("step_template") == []


def test_reorder_closes_gaps_left_by_older_data(db, world):
    program = factories.program(world["orgs"][0], "Glesa steg")
    for t, pos in zip(program.step_templates, (10, 20, 30, 40), strict=True):
        t.position = pos
    db.session.commit()
    services.move_step_template(program.step_templates[3], "up")
    db.session.commit()
    assert templates(program.id) == [
        (1, "Profilanalys", False), (2, "Coachning", False), (3, "Praktik", False),
        (4, "Nätverk", False)]


def test_each_moved_template_gets_an_update_event(db, world):
    program = world["enr_a"].cohort.program
    services.move_step_template(program.step_templates[1], "up")
    events = audit("step_template", AuditAction.update)
    assert sorted(e.detail for e in events) == ["position 1 -> 2", "position 2 -> 1"]
    assert {e.participant_id for e in events} == {None}


def test_invalid_direction_is_refused(db, world):
    with pytest.raises(services.ProgramError):
        services.move_step_template(world["enr_a"].cohort.program.step_templates[0], "sideways")


def test_template_edits_never_rewrite_existing_enrollments(db, world):
    enr = world["enr_a"]
    program = enr.cohort.program
    before = journey_steps(enr.id)
    assert before == [(1, "Profilanalys", "profile_analysis"), (2, "Coachning", "coaching"),
                      (3, "Nätverk", "networking"), (4, "Praktik", "internship")]
    by_name = {t.name: t for t in program.step_templates}
    services.rename_step_template(by_name["Coachning"], "Jobbcoachning")
    services.move_step_template(by_name["Praktik"], "up")
    services.set_step_template_retired(by_name["Nätverk"], True)
    services.add_step_template(program, "Uppföljning", StepKind.other)
    db.session.commit()
    db.session.expire_all()
    assert journey_steps(enr.id) == before
    assert journey_steps(world["enr_b"].id) == before


def test_new_enrollment_gets_the_new_order_without_retired_templates(db, world):
    enr = world["enr_a"]
    program = enr.cohort.program
    by_name = {t.name: t for t in program.step_templates}
    services.move_step_template(by_name["Praktik"], "up")  # Praktik before Nätverk
    services.move_step_template(by_name["Praktik"], "up")  # ... and before Coachning
    services.set_step_template_retired(by_name["Coachning"], True)
    services.rename_step_template(by_name["Profilanalys"], "Kartläggning")
    db.session.commit()
    newcomer = factories.participant(world["orgs"][0], "Nya", "Nilsson")
    new = enroll(newcomer, enr.cohort, coach=world["coach_a"], enrolled_on=date.today())
    db.session.commit()
    assert journey_steps(new.id) == [(1, "Kartläggning", "profile_analysis"),
                                     (2, "Praktik", "internship"),
                                     (3, "Nätverk", "networking")]


def test_retire_and_reinstate(db, world):
    template = world["enr_a"].cohort.program.step_templates[0]
    assert services.set_step_template_retired(template, True) is True
    assert services.set_step_template_retired(template, True) is False
    assert services.set_step_template_retired(template, False) is True
    assert [e.detail for e in audit("step_template", AuditAction.update)] == [
        "retired", "reinstated"]


def test_rename_refuses_empty_and_ignores_same_name(db, world):
    template = world["enr_a"].cohort.program.step_templates[0]
    with pytest.raises(services.ProgramError):
        services.rename_step_template(template, " ")
    assert services.rename_step_template(template, "Profilanalys") is False
    assert audit("step_template") == []


# --- cohorts ----------------------------------------------------------------------------


def _cohort(name="Vår 2027", starts_on=date(2027, 1, 10), ends_on=None, cost_sek=None):
    return cohort_services.CohortData(name=name, starts_on=starts_on, ends_on=ends_on,
                                      cost_sek=cost_sek)


def test_create_cohort_and_audit(db, world):
    program = world["enr_a"].cohort.program
    cohort = cohort_services.create_cohort(program, _cohort(cost_sek=1_250_000))
    db.session.commit()
    assert (cohort.name, cohort.cost_sek, cohort.ends_on) == ("Vår 2027", 1_250_000, None)
    [event] = audit("cohort", AuditAction.create)
    assert event.object_id == cohort.id and event.participant_id is None


def test_cohort_names_are_unique_per_programme(db, world):
    program = world["enr_a"].cohort.program
    with pytest.raises(cohort_services.CohortError) as caught:
        cohort_services.create_cohort(program, _cohort("jobbpunkt ht"))
    assert caught.value.field == "name"
    assert "redan en kull som heter" in caught.value.message
    # The same name in another programme is fine.
    other = factories.program(world["orgs"][0], "Propellern")
    assert cohort_services.create_cohort(other, _cohort("Jobbpunkt HT")).id


@pytest.mark.parametrize(("data", "field"), [
    (dict(ends_on=date(2027, 1, 9)), "ends_on"),
    (dict(cost_sek=-1), "cost_sek"),
    (dict(name=""), "name"),
])
def test_cohort_rules(db, world, data, field):
    program = world["enr_a"].cohort.program
    with pytest.raises(cohort_services.CohortError) as caught:
        cohort_services.create_cohort(program, _cohort(**data))
    assert caught.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Cohort.id))) == 2


def test_update_cohort_lists_changes_and_allows_same_day_end(db, world):
    cohort = world["enr_a"].cohort
    changed = cohort_services.update_cohort(cohort, _cohort(
        "Jobbpunkt HT", starts_on=cohort.starts_on, ends_on=cohort.starts_on, cost_sek=0))
    assert changed == ["ends_on", "cost_sek"]
    [event] = audit("cohort", AuditAction.update)
    assert event.detail == "changed: ends_on, cost_sek" and event.participant_id is None
