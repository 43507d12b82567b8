"""Changes to an enrollment's journey steps, plan, assessments and notes."""

from collections.abc import Mapping
from datetime import date

from journey.audit.services import record
from journey.enums import AssessmentArea, AssessmentPhase, AuditAction, PlanOwner, StepStatus
from journey.extensions import db
from journey.i18n import lazy_gettext as _l
from journey.journeys.models import Assessment, AssessmentScore, JourneyStep, Note, PlanItem


class InvalidChange(ValueError):
    """A change that breaks a domain rule; ``errors`` maps field names to messages."""

    def __init__(self, errors: Mapping[str, object]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def _participant_id(enrollment) -> int:
    return enrollment.participant_id


# --- journey steps -------------------------------------------------------------------------


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


def check_step_dates(status: StepStatus, started_on: date | None, completed_on: date | None,
                     *, today: date) -> dict[str, object]:
    """The rules a step's dates follow for its status; returns field -> message."""
    errors: dict[str, object] = {}
    status = StepStatus(status)
    if started_on is not None and started_on > today:
        errors["started_on"] = _l("The start date cannot be in the future.")
    if completed_on is not None and completed_on > today:
        errors["completed_on"] = _l("The finish date cannot be in the future.")
    if status == StepStatus.not_started and started_on is not None:
        errors.setdefault(
            "started_on",
            _l("A step that has not started has no start date. Change the status first."))
    if status in (StepStatus.in_progress, StepStatus.done) and started_on is None:
        errors.setdefault("started_on", _l("A step that has started needs a start date."))
    if status == StepStatus.done and completed_on is None:
        errors.setdefault("completed_on", _l("A step that is done needs a finish date."))
    if status != StepStatus.done and completed_on is not None:
        errors.setdefault(
            "completed_on",
            _l("Only a step that is done has a finish date. Change the status first."))
    if (started_on is not None and completed_on is not None and completed_on < started_on
            and "completed_on" not in errors):
        errors["completed_on"] = _l("The finish date cannot be before the start date.")
    return errors


def update_step(step: JourneyStep, *, started_on: date | None, completed_on: date | None,
                note: str, today: date | None = None) -> bool:
    """Correct a step's dates and note; the status stays as it is.

    :param step: the step, already authorised for the caller.
    :param started_on: when the step started (required once it has started).
    :param completed_on: when it was finished (only for a step that is done).
    :param note: free text about the step (may be empty).
    :param today: the date that counts as today (defaults to today).
    :raises InvalidChange: when the dates break the rules of the step's status.
    :returns: whether anything changed.
    """
    today = today or date.today()
    errors = check_step_dates(step.status, started_on, completed_on, today=today)
    if errors:
        raise InvalidChange(errors)
    note = (note or "").strip()
    changed = [name for name, value in (("started_on", started_on),
                                        ("completed_on", completed_on), ("note", note))
               if getattr(step, name) != value]
    if not changed:
        return False
    step.started_on, step.completed_on, step.note = started_on, completed_on, note
    db.session.flush()
    record(AuditAction.update, object_type="journey_step", object_id=step.id,
           participant_id=_participant_id(step.enrollment),
           detail="changed " + ", ".join(changed))
    return True


# --- plan items ----------------------------------------------------------------------------


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidChange({"title": _l("Write what is to be done.")})
    if len(title) > 300:
        raise InvalidChange({"title": _l("At most %(max)d characters.", max=300)})
    return title


def add_plan_item(enrollment, *, title: str, due_on: date | None, owner: PlanOwner | str,
                  created_by) -> PlanItem:
    """Add an item to the enrollment's plan.

    :param enrollment: the enrollment, already authorised for the caller.
    :param title: what is to be done.
    :param due_on: when it should be done by (optional).
    :param owner: who does it, the participant or the coach.
    :param created_by: the user adding it.
    """
    item = PlanItem(enrollment_id=enrollment.id, title=_check_title(title), due_on=due_on,
                    owner=PlanOwner(owner), created_by_id=created_by.id if created_by else None)
    db.session.add(item)
    db.session.flush()
    record(AuditAction.create, object_type="plan_item", object_id=item.id,
           participant_id=_participant_id(enrollment))
    return item


def update_plan_item(item: PlanItem, *, title: str, due_on: date | None,
                     owner: PlanOwner | str) -> bool:
    """Change an item's title, due date and owner.

    :param item: the item, already authorised for the caller.
    :returns: whether anything changed.
    """
    values = {"title": _check_title(title), "due_on": due_on, "owner": PlanOwner(owner)}
    changed = [name for name, value in values.items() if getattr(item, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(item, name, values[name])
    db.session.flush()
    record(AuditAction.update, object_type="plan_item", object_id=item.id,
           participant_id=_participant_id(item.enrollment),
           detail="changed " + ", ".join(changed))
    return True


def set_plan_item_done(item: PlanItem, done: bool, *, today: date | None = None) -> bool:
    """Tick an item off (done today) or open it again; repeating the same request is harmless.

    :param item: the item, already authorised for the caller.
    :param done: the state asked for.
    :returns: whether anything changed.
    """
    if bool(item.done_on) == done:
        return False
    item.done_on = (today or date.today()) if done else None
    db.session.flush()
    record(AuditAction.update, object_type="plan_item", object_id=item.id,
           participant_id=_participant_id(item.enrollment),
           detail="done" if done else "reopened")
    return True


def delete_plan_item(item: PlanItem) -> None:
    """Remove an item from the plan.

    :param item: the item, already authorised for the caller.
    """
    participant_id = _participant_id(item.enrollment)
    item_id = item.id
    db.session.delete(item)
    db.session.flush()
    record(AuditAction.delete, object_type="plan_item", object_id=item_id,
           participant_id=participant_id)


# --- assessments ---------------------------------------------------------------------------


def record_assessment(enrollment, *, taken_on: date, phase: AssessmentPhase | str,
                      scores: Mapping[AssessmentArea | str, int],
                      created_by=None, today: date | None = None) -> Assessment:
    """Record a self-assessment with a 1–10 score for every area.

    :param enrollment: the enrollment, already authorised for the caller.
    :param taken_on: the day of the assessment (not in the future).
    :param phase: intake, midway, exit or follow-up.
    :param scores: a score for each of the areas of ``AssessmentArea``.
    :param created_by: the user recording it (the coach, or the participant in the portal).
    :raises InvalidChange: for a future date, a missing area or a score outside 1–10.
    """
    today = today or date.today()
    errors: dict[str, object] = {}
    if taken_on is None:
        errors["taken_on"] = _l("Enter the date of the assessment.")
    elif taken_on > today:
        errors["taken_on"] = _l("The date cannot be in the future.")
    given = {AssessmentArea(area): value for area, value in scores.items()}
    for area in AssessmentArea:
        value = given.get(area)
        if value is None or isinstance(value, bool) or not 1 <= int(value) <= 10:
            errors[f"score_{area.value}"] = _l("Give a score from 1 to 10.")
    if errors:
        raise InvalidChange(errors)
    assessment = Assessment(enrollment_id=enrollment.id, taken_on=taken_on,
                            phase=AssessmentPhase(phase),
                            created_by_id=created_by.id if created_by is not None else None)
    db.session.add(assessment)
    db.session.flush()
    db.session.add_all(AssessmentScore(assessment_id=assessment.id, area=area,
                                       score=int(given[area])) for area in AssessmentArea)
    db.session.flush()
    record(AuditAction.create, object_type="assessment", object_id=assessment.id,
           participant_id=_participant_id(enrollment), detail=f"phase {assessment.phase.value}")
    return assessment


# --- notes ---------------------------------------------------------------------------------


def add_note(enrollment, *, author, body: str) -> Note:
    """Add a coach's note to the enrollment (never shown to the participant).

    :param enrollment: the enrollment, already authorised for the caller.
    :param author: the user writing it.
    :param body: the text, 1–5000 characters.
    """
    body = (body or "").strip()
    if not body:
        raise InvalidChange({"body": _l("Write something before saving the note.")})
    if len(body) > 5000:
        raise InvalidChange({"body": _l("A note can be at most %(max)d characters.", max=5000)})
    note = Note(enrollment_id=enrollment.id, author_id=author.id if author else None, body=body)
    db.session.add(note)
    db.session.flush()
    record(AuditAction.create, object_type="note", object_id=note.id,
           participant_id=_participant_id(enrollment))
    return note


def can_delete_note(note: Note, user) -> bool:
    """Only the author removes a note: it is their record of what they saw."""
    return user is not None and note.author_id is not None and note.author_id == user.id


def delete_note(note: Note, *, by) -> None:
    """Remove a note written by ``by``.

    :param note: the note, already authorised for the caller.
    :param by: the user removing it; must be the author.
    :raises PermissionError: when ``by`` did not write the note.
    """
    if not can_delete_note(note, by):
        raise PermissionError("only the author may delete a note")
    participant_id = _participant_id(note.enrollment)
    note_id = note.id
    db.session.delete(note)
    db.session.flush()
    record(AuditAction.delete, object_type="note", object_id=note_id,
           participant_id=participant_id)
