"""Changes to an enrollment's journey steps."""

from datetime import date

from journey.audit.services import record
from journey.enums import AuditAction, StepStatus
from journey.extensions import db
from journey.journeys.models import JourneyStep


def set_step_status(step: JourneyStep, status: StepStatus, *, today: date | None = None) -> None:
    """Change a step's status and keep its dates consistent.

    Starting a step sets ``started_on``; finishing it sets ``completed_on``
    (and ``started_on`` if missing); moving it back clears the dates that no
    longer hold.

    :param step: the step, already authorised for the caller.
    :param status: the new status.
    :param today: the date to stamp (defaults to today).
    """
    today = today or date.today()
    status = StepStatus(status)
    previous = step.status
    if status == previous:
        return
    if status == StepStatus.not_started:
        step.started_on = None
        step.completed_on = None
    elif status == StepStatus.in_progress:
        step.started_on = step.started_on or today
        step.completed_on = None
    elif status == StepStatus.done:
        step.started_on = step.started_on or today
        step.completed_on = step.completed_on or today
        if step.completed_on < step.started_on:
            step.completed_on = step.started_on
    elif status == StepStatus.skipped:
        step.completed_on = None
    step.status = status
    db.session.flush()
    record(
        AuditAction.update,
        object_type="journey_step",
        object_id=step.id,
        participant_id=step.enrollment.participant_id,
        detail=f"status {previous.value} -> {status.value}",
    )
