"""Services and queries of the steps, plan, assessment and note sections."""

from datetime import date, timedelta

import pytest

from journey.enums import AssessmentArea, AssessmentPhase, AuditAction, PlanOwner, StepStatus
from journey.journeys import queries, services
from journey.journeys.models import Note
from journey.journeys.services import InvalidChange, check_step_dates
from tests.journeys.helpers import assessment, count, events, note, plan_item, step_of

TODAY = date(2026, 11, 27)


def d(days_before: int) -> date:
    return TODAY - timedelta(days=days_before)


@pytest.mark.parametrize("status, started, completed, errors", [
    (StepStatus.not_started, None, None, set()),
    (StepStatus.not_started, d(1), None, {"started_on"}),
    (StepStatus.in_progress, d(5), None, set()),
    (StepStatus.in_progress, None, None, {"started_on"}),
    (StepStatus.in_progress, d(5), d(1), {"completed_on"}),
    (StepStatus.done, d(5), d(1), set()),
    (StepStatus.done, d(5), d(5), set()),  # started and finished the same day
    (StepStatus.done, d(5), None, {"completed_on"}),
    (StepStatus.done, d(1), d(5), {"completed_on"}),
    (StepStatus.done, d(-1), d(-2), {"started_on", "completed_on"}),
    (StepStatus.done, d(0), d(0), set()),  # today is not the future
    (StepStatus.skipped, None, None, set()),
    (StepStatus.skipped, d(3), None, set()),  # begun, then skipped
    (StepStatus.skipped, d(3), d(1), {"completed_on"}),
])
def test_step_date_rules(status, started, completed, errors):
    assert set(check_step_dates(status, started, completed, today=TODAY)) == errors


def test_update_step_changes_dates_and_note_and_audits(app, world, db):
    step = step_of(world["enr_a"])
    services.set_step_status(step, StepStatus.done, today=d(2))
    assert (step.started_on, step.completed_on) == (d(2), d(2))
    with app.test_request_context():
        changed = services.update_step(step, started_on=d(20), completed_on=d(3),
                                       note="  Klar efter tre veckor. ", today=TODAY)
    assert changed
    assert (step.started_on, step.completed_on, step.note) == (d(20), d(3),
                                                                "Klar efter tre veckor.")
    event = events(AuditAction.update, "journey_step")[-1]
    assert event.detail == "changed started_on, completed_on, note"
    assert event.participant_id == world["enr_a"].participant_id


def test_update_step_refuses_bad_dates_and_leaves_the_step_alone(world, db):
    step = step_of(world["enr_a"])
    services.set_step_status(step, StepStatus.in_progress, today=d(4))
    with pytest.raises(InvalidChange) as exc:
        services.update_step(step, started_on=d(-3), completed_on=None, note="x", today=TODAY)
    assert set(exc.value.errors) == {"started_on"}
    assert str(exc.value.errors["started_on"]) == "Startdatumet kan inte ligga i framtiden."
    assert step.started_on == d(4) and step.note == ""


def test_status_changes_keep_dates_consistent_with_the_rules(world, db):
    """Whatever path set_step_status takes, the edit form's rules still hold afterwards."""
    step = step_of(world["enr_a"])
    path = [StepStatus.in_progress, StepStatus.done, StepStatus.in_progress, StepStatus.skipped,
            StepStatus.done, StepStatus.not_started, StepStatus.done]
    for i, status in enumerate(path):
        services.set_step_status(step, status, today=d(30 - i))
        assert check_step_dates(step.status, step.started_on, step.completed_on,
                                today=TODAY) == {}, (status, step.started_on, step.completed_on)


def test_plan_item_lifecycle(app, world, db):
    enr, coach = world["enr_a"], world["coach_a"]
    with app.test_request_context():
        item = services.add_plan_item(enr, title=" Ta truckkort ", due_on=d(-10),
                                      owner="coach", created_by=coach)
        assert (item.title, item.owner, item.created_by_id) == ("Ta truckkort",
                                                                 PlanOwner.coach, coach.id)
        assert services.set_plan_item_done(item, True, today=TODAY)
        assert item.done_on == TODAY
        assert not services.set_plan_item_done(item, True, today=d(-1))  # already done
        assert item.done_on == TODAY
        assert services.set_plan_item_done(item, False)
        assert item.done_on is None
        assert not services.update_plan_item(item, title="Ta truckkort", due_on=d(-10),
                                             owner=PlanOwner.coach)
        assert services.update_plan_item(item, title="Ta truckkort A", due_on=None,
                                         owner="participant")
        with pytest.raises(InvalidChange):
            services.update_plan_item(item, title="  ", due_on=None, owner="participant")
        assert item.title == "Ta truckkort A"
        services.delete_plan_item(item)
    actions = [(e.action, e.detail) for e in events(object_type="plan_item")]
    assert actions == [(AuditAction.create, ""), (AuditAction.update, "done"),
                       (AuditAction.update, "reopened"),
                       (AuditAction.update, "changed title, due_on, owner"),
                       (AuditAction.delete, "")]


def test_plan_items_query_order(world, db):
    enr = world["enr_a"]
    titles = {
        "late": plan_item(enr, "late", due_on=d(5)),
        "undated": plan_item(enr, "undated"),
        "soon": plan_item(enr, "soon", due_on=d(-2)),
        "done_old": plan_item(enr, "done_old", due_on=d(1), done_on=d(20)),
        "done_new": plan_item(enr, "done_new", done_on=d(2)),
        "later": plan_item(enr, "later", due_on=d(-30)),
    }
    plan_item(world["enr_b"], "someone else's")
    assert [i.title for i in queries.plan_items(enr.id)] == [
        "late", "soon", "later", "undated", "done_new", "done_old"]
    assert set(titles) == {i.title for i in queries.plan_items(enr.id)}


def test_record_assessment_needs_every_area_in_range(app, world, db):
    enr = world["enr_a"]
    scores = {area: 5 for area in AssessmentArea}
    for bad, field in (({**scores, AssessmentArea.health: 11}, "score_health"),
                       ({**scores, AssessmentArea.language: 0}, "score_language"),
                       ({k: v for k, v in scores.items() if k != AssessmentArea.motivation},
                        "score_motivation")):
        with pytest.raises(InvalidChange) as exc:
            services.record_assessment(enr, taken_on=TODAY, phase="intake", scores=bad,
                                       today=TODAY)
        assert set(exc.value.errors) == {field}
    with pytest.raises(InvalidChange) as exc:
        services.record_assessment(enr, taken_on=d(-1), phase="intake", scores=scores,
                                   today=TODAY)
    assert set(exc.value.errors) == {"taken_on"}
    with app.test_request_context():
        saved = services.record_assessment(enr, taken_on=TODAY, phase=AssessmentPhase.exit,
                                           scores={a.value: 7 for a in AssessmentArea},
                                           today=TODAY)
    assert len(saved.scores) == 7 and {s.score for s in saved.scores} == {7}
    assert events(AuditAction.create, "assessment")[0].detail == "phase exit"


def test_assessment_grid_change_is_latest_minus_first_in_date_order(world, db):
    enr = world["enr_a"]
    # Recorded out of order: the grid follows taken_on, not the order of entry.
    assessment(enr, d(10), AssessmentPhase.midway, {AssessmentArea.motivation: 6})
    assessment(enr, d(50), AssessmentPhase.intake,
               {AssessmentArea.motivation: 2, AssessmentArea.health: 8})
    assessment(enr, d(1), AssessmentPhase.exit,
               {AssessmentArea.motivation: 9, AssessmentArea.health: 5})
    assessment(world["enr_b"], d(5), AssessmentPhase.intake, 1)
    grid = queries.assessment_grid(enr.id)
    assert [c.phase for c in grid.columns] == [AssessmentPhase.intake, AssessmentPhase.midway,
                                               AssessmentPhase.exit]
    rows = {r.area: r for r in grid.rows}
    assert list(rows) == list(AssessmentArea)
    assert rows[AssessmentArea.motivation].scores == [2, 6, 9]
    assert rows[AssessmentArea.motivation].change == 7
    assert rows[AssessmentArea.health].scores == [8, None, 5]
    assert rows[AssessmentArea.health].change == -3
    assert len(rows[AssessmentArea.health].bars) == 2  # no bar for the missing score
    assert rows[AssessmentArea.job_skills].change is None
    assert grid.chart_width == 3 * 10 + 2 * 3


def test_empty_assessment_grid(world, db):
    grid = queries.assessment_grid(world["enr_a"].id)
    assert grid.columns == [] and all(r.change is None and r.bars == [] for r in grid.rows)


def test_notes_only_their_author_deletes(app, world, db):
    enr = world["enr_a"]
    with app.test_request_context():
        with pytest.raises(InvalidChange):
            services.add_note(enr, author=world["coach_a"], body=" \n ")
        with pytest.raises(InvalidChange):
            services.add_note(enr, author=world["coach_a"], body="x" * 5001)
        own = services.add_note(enr, author=world["coach_a"], body="  Bra möte. ")
        assert own.body == "Bra möte."
        other = note(enr, world["manager1"])
        assert not services.can_delete_note(other, world["coach_a"])
        with pytest.raises(PermissionError):
            services.delete_note(other, by=world["coach_a"])
        services.delete_note(own, by=world["coach_a"])
    assert count(Note) == 1
    assert [e.action for e in events(object_type="note")] == [AuditAction.create,
                                                             AuditAction.delete]


def test_notes_query_is_newest_first_with_authors(world, db):
    from datetime import UTC, datetime

    enr = world["enr_a"]
    old = note(enr, world["coach_a"], "gammal")
    old.created_at = datetime(2026, 1, 1, tzinfo=UTC)
    note(enr, world["coach_b"], "ny")
    note(world["enr_b"], world["coach_b"], "annan")
    db.session.flush()
    listed = queries.notes(enr.id)
    assert [n.body for n in listed] == ["ny", "gammal"]
    assert listed[0].author.name == "Coach B"
