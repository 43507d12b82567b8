"""Exit rules, follow-up scheduling, recording and reopening through the services."""

from datetime import date

import pytest

from journey.enums import (
    AuditAction,
    EnrollmentStatus,
    FollowUpSource,
    FollowUpStatus,
    NeutralReason,
    Outcome,
)
from journey.outcomes import services
from journey.outcomes.services import ExitData, OutcomeError, add_months
from tests import factories
from tests.outcomes.helpers import days_ago, events, exit_of, follow_ups, record_exit


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2025, 1, 15), 3, date(2025, 4, 15)),
    (date(2025, 10, 31), 3, date(2026, 1, 31)),    # over the new year
    (date(2025, 12, 31), 6, date(2026, 6, 30)),    # 30-day month
    (date(2023, 8, 31), 6, date(2024, 2, 29)),     # leap year
    (date(2022, 8, 31), 6, date(2023, 2, 28)),     # not a leap year
    (date(2023, 11, 30), 3, date(2024, 2, 29)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),    # leap day, a year later
    (date(2027, 2, 28), 12, date(2028, 2, 28)),    # not moved to the 29th
    (date(2099, 12, 1), 12, date(2100, 12, 1)),
    (date(2100, 8, 31), 6, date(2101, 2, 28)),     # 2100 is no leap year
])
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == expected


def _enrollment(world, enrolled_on=date(2023, 1, 9)):
    return factories.enrollment(world["coach_a"], world["enr_a"].cohort, enrolled_on=enrolled_on)


def test_record_exit_schedules_follow_ups_and_sets_status(world, db):
    enr = _enrollment(world)
    exit_outcome = services.record_exit(
        enr, {"exited_on": date(2023, 8, 31), "outcome": "studies", "csrf_token": "x"},
        world["coach_a"], today=date(2024, 1, 1))
    db.session.commit()
    db.session.expire_all()
    assert exit_outcome.outcome == Outcome.studies and exit_outcome.neutral_reason is None
    assert exit_outcome.qualification_gained is False and exit_outcome.employer == ""
    assert enr.status == EnrollmentStatus.exited
    rows = follow_ups(enr)
    assert [(f.months_after, f.due_on) for f in rows] == [
        (3, date(2023, 11, 30)), (6, date(2024, 2, 29)), (12, date(2024, 8, 31))]
    assert all(f.recorded_on is None and f.status is None and f.source is None for f in rows)
    created = events(AuditAction.create, "exit_outcome")
    assert len(created) == 1
    assert created[0].object_id == exit_outcome.id
    assert created[0].participant_id == enr.participant_id
    assert created[0].user_id == world["coach_a"].id
    assert "studies" in created[0].detail


def test_record_exit_refuses_a_second_exit(world, db):
    enr = world["enr_a"]
    first = record_exit(enr, world["coach_a"])
    with pytest.raises(services.AlreadyExited):
        services.record_exit(enr, {"exited_on": days_ago(1), "outcome": "studies"},
                             world["coach_a"])
    db.session.rollback()
    assert exit_of(enr).id == first.id and exit_of(enr).outcome == Outcome.job_unsubsidized
    assert len(follow_ups(enr)) == 3


def _errors(enr, today=date(2026, 6, 1), **values):
    data = {"exited_on": date(2026, 5, 1), "outcome": "job_unsubsidized", **values}
    return services.validate_exit(enr, ExitData.from_mapping(data), today=today)


def test_exit_validation_dates(world, app):
    enr = _enrollment(world, enrolled_on=date(2026, 1, 12))
    with app.test_request_context():
        assert _errors(enr) == {}
        assert _errors(enr, exited_on=date(2026, 1, 12)) == {}   # the enrollment day itself
        assert _errors(enr, exited_on=date(2026, 6, 1)) == {}    # today
        assert _errors(enr, exited_on=date(2026, 1, 11)) == {
            "exited_on": "Avslutsdatumet kan inte vara före inskrivningsdatumet (2026-01-12)."}
        assert _errors(enr, exited_on=date(2026, 6, 2)) == {
            "exited_on": "Avslutsdatumet kan inte vara i framtiden."}
        assert _errors(enr, exited_on=None) == {"exited_on": "Ange datum för avslutet."}


def test_exit_validation_neutral_reason(world, app):
    enr = _enrollment(world, enrolled_on=date(2026, 1, 12))
    with app.test_request_context():
        assert _errors(enr, outcome="neutral") == {
            "neutral_reason": "Välj orsak när utfallet är ”Annan känd orsak”."}
        assert _errors(enr, outcome="neutral", neutral_reason="moved") == {}
        assert _errors(enr, outcome="job_seeking", neutral_reason="illness") == {
            "neutral_reason": "Orsak anges bara när utfallet är ”Annan känd orsak”. "
                              "Lämna orsaken tom eller ändra utfallet."}
        assert _errors(enr, outcome="neutral", neutral_reason="abroad") == {
            "neutral_reason": "Välj en orsak i listan."}
        assert _errors(enr, outcome=None) == {"outcome": "Välj ett utfall."}
        assert _errors(enr, outcome="famous") == {"outcome": "Välj ett utfall."}


def test_exit_validation_hours_and_job_only_fields(world, app):
    enr = _enrollment(world, enrolled_on=date(2026, 1, 12))
    with app.test_request_context():
        for hours in (1, 80):
            assert _errors(enr, hours_per_week=hours) == {}
        for hours in (0, 81, -5):
            assert _errors(enr, hours_per_week=hours) == {
                "hours_per_week": "Timmar per vecka ska vara mellan 1 och 80."}
        # self_employed counts as a job; studies and "other" outcomes take no job details.
        assert _errors(enr, outcome="self_employed", employer="Eget AB", hours_per_week=45) == {}
        errors = _errors(enr, outcome="studies", employer="Komvux", occupation="Elev",
                         hours_per_week=20)
        assert set(errors) == {"employer", "occupation", "hours_per_week"}
        assert errors["employer"].startswith("Arbetsgivare anges bara när utfallet är arbete")
        assert errors["occupation"].startswith("Yrke anges bara")
        assert errors["hours_per_week"].startswith("Timmar per vecka anges bara")
        assert _errors(enr, outcome="dropout_unknown", employer="   ") == {}  # blank is empty
        assert _errors(enr, outcome="job_subsidized", employer="x" * 201) == {
            "employer": "Högst 200 tecken."}


def test_record_exit_with_errors_writes_nothing(world, db):
    enr = world["enr_a"]
    with pytest.raises(OutcomeError) as error:
        services.record_exit(enr, {"exited_on": days_ago(1), "outcome": "neutral"},
                             world["coach_a"])
    assert set(error.value.errors) == {"neutral_reason"}
    db.session.rollback()
    assert exit_of(enr) is None and follow_ups(enr) == []
    assert db.session.get(type(enr), enr.id).status == EnrollmentStatus.active
    assert events(AuditAction.create, "exit_outcome") == []


def test_neutral_exit_keeps_its_reason(world, db):
    enr = world["enr_a"]
    exit_outcome = record_exit(enr, world["coach_a"], outcome="neutral",
                               neutral_reason="parental_leave", qualification_gained=True)
    assert exit_outcome.neutral_reason == NeutralReason.parental_leave
    assert exit_outcome.qualification_gained is True


def test_record_and_correct_a_follow_up(world, db):
    enr, coach = _enrollment(world), world["coach_a"]
    record_exit(enr, coach, exited_on=days_ago(120))
    fu = follow_ups(enr)[0]
    data = {"status": "employed", "source": "employer", "recorded_on": days_ago(20)}
    assert services.record_follow_up(fu, data, coach) is True
    db.session.commit()
    assert (fu.status, fu.source, fu.recorded_on) == (
        FollowUpStatus.employed, FollowUpSource.employer, days_ago(20))
    # The same values again change nothing and leave no event.
    assert services.record_follow_up(fu, data, coach) is False
    corrected = {**data, "status": "job_seeking"}
    assert services.record_follow_up(fu, corrected, coach) is True
    db.session.commit()
    updates = events(AuditAction.update, "follow_up")
    assert [e.object_id for e in updates] == [fu.id, fu.id]
    assert updates[0].detail.startswith("3 months: recorded employed/employer")
    assert "corrected from employed/employer" in updates[1].detail
    assert all(e.participant_id == enr.participant_id for e in updates)


def test_follow_up_validation(world, app, db):
    enr = _enrollment(world)
    exit_outcome = record_exit(enr, world["coach_a"], exited_on=date(2026, 3, 2))
    today = date(2026, 6, 10)

    def errors(**values):
        data = {"status": "studies", "source": "register", "recorded_on": date(2026, 6, 1),
                **values}
        return services.validate_follow_up(
            exit_outcome, services.FollowUpData.from_mapping(data), today=today)

    with app.test_request_context():
        assert errors() == {}
        assert errors(recorded_on=date(2026, 3, 2)) == {}
        assert errors(recorded_on=date(2026, 3, 1)) == {
            "recorded_on": "Uppföljningsdatumet kan inte vara före avslutsdatumet (2026-03-02)."}
        assert errors(recorded_on=date(2026, 6, 11)) == {
            "recorded_on": "Uppföljningsdatumet kan inte vara i framtiden."}
        assert errors(recorded_on=None) == {"recorded_on": "Ange datum för uppföljningen."}
        assert errors(status="", source="rumour") == {
            "status": "Välj deltagarens situation.",
            "source": "Välj var uppgiften kommer ifrån."}


def test_reopen_deletes_exit_and_follow_ups(world, db):
    enr = _enrollment(world)
    exit_outcome = record_exit(enr, world["coach_a"], exited_on=days_ago(200))
    for fu in follow_ups(enr)[:2]:
        services.record_follow_up(fu, {"status": "employed", "source": "register",
                                       "recorded_on": days_ago(5)}, world["coach_a"])
    removed = services.reopen_exit(enr, "  Fel deltagare  ", world["manager1"])
    db.session.commit()
    assert removed == 2
    assert exit_of(enr) is None and follow_ups(enr) == []
    assert enr.status == EnrollmentStatus.active
    deleted = events(AuditAction.delete, "exit_outcome")
    assert len(deleted) == 1
    assert deleted[0].object_id == exit_outcome.id
    assert deleted[0].user_id == world["manager1"].id
    assert deleted[0].detail.endswith("Reason: Fel deltagare")
    assert "3 follow-ups removed, 2 of them recorded" in deleted[0].detail


def test_reopen_needs_a_reason_and_an_exit(world, db):
    enr = world["enr_a"]
    with pytest.raises(OutcomeError) as error:
        services.reopen_exit(enr, "Fel", world["manager1"])
    assert error.value.errors == {"": "Inskrivningen har inget avslut att ta bort."}
    record_exit(enr, world["coach_a"])
    with pytest.raises(OutcomeError) as error:
        services.reopen_exit(enr, "   ", world["manager1"])
    assert error.value.errors == {"reason": "Skriv varför avslutet tas bort."}
    with pytest.raises(OutcomeError):
        services.reopen_exit(enr, "x" * 501, world["manager1"])
    db.session.rollback()
    assert exit_of(enr) is not None


def test_exit_can_be_recorded_again_after_reopening(world, db):
    enr = world["enr_a"]
    record_exit(enr, world["coach_a"], outcome="job_seeking")
    services.reopen_exit(enr, "Fel utfall", world["manager1"])
    db.session.commit()
    again = record_exit(enr, world["coach_a"], outcome="training")
    assert again.outcome == Outcome.training
    assert len(follow_ups(enr)) == 3
