"""Exit outcomes and the follow-ups after exit: record, correct and reopen.

The domain rules live here (not only in the forms) so the web forms, the CLI
and the spreadsheet importer refuse the same things with the same messages.
"""

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date

import sqlalchemy as sa

from journey.audit.services import record
from journey.enums import (
    FOLLOW_UP_MONTHS,
    OUTCOME_GROUP,
    AuditAction,
    EnrollmentStatus,
    FollowUpSource,
    FollowUpStatus,
    NeutralReason,
    Outcome,
)
from journey.extensions import db
from journey.i18n import gettext as _
from journey.outcomes.models import ExitOutcome, FollowUp
from journey.participants.models import Enrollment

# Employer, occupation and hours describe a job: they are refused (not silently
# dropped) for studies and the "other" outcomes, so nothing typed is lost unseen.
JOB_ONLY_FIELDS = ("employer", "occupation", "hours_per_week")
HOURS_MIN, HOURS_MAX = 1, 80
REASON_MAX_LENGTH = 500


class OutcomeError(ValueError):
    """A domain rule was broken; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class AlreadyExited(OutcomeError):
    def __init__(self):
        super().__init__({"": _("An exit is already recorded for this enrollment.")})


@dataclass
class ExitData:
    exited_on: date | None
    outcome: Outcome | str | None
    neutral_reason: NeutralReason | str | None = None
    qualification_gained: bool = False
    employer: str = ""
    occupation: str = ""
    hours_per_week: int | None = None
    note: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping) -> "ExitData":
        """Build from ``form.data`` (unknown keys such as ``csrf_token`` are ignored)."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        for key in ("employer", "occupation", "note"):
            values[key] = (values.get(key) or "").strip()
        values["neutral_reason"] = values.get("neutral_reason") or None
        values["outcome"] = values.get("outcome") or None
        values["qualification_gained"] = bool(values.get("qualification_gained"))
        return cls(**values)


@dataclass
class FollowUpData:
    status: FollowUpStatus | str | None
    source: FollowUpSource | str | None
    recorded_on: date | None

    @classmethod
    def from_mapping(cls, data: Mapping) -> "FollowUpData":
        return cls(status=data.get("status") or None, source=data.get("source") or None,
                   recorded_on=data.get("recorded_on"))


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole calendar months, the day clamped to the month's end.

    31 August + 6 months is 28 (or, in a leap year, 29) February.
    """
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _enum_or_none(enum_cls, value):
    if value is None or value == "":
        return None
    try:
        return enum_cls(value)
    except ValueError:
        return None


def is_job_outcome(outcome) -> bool:
    value = _enum_or_none(Outcome, outcome)
    return value is not None and OUTCOME_GROUP[value] == "job"


def validate_exit(enrollment: Enrollment, data: ExitData, *,
                  today: date | None = None) -> dict[str, str]:
    """The broken rules of an exit as ``{field: message}`` (empty when valid)."""
    today = today or date.today()
    errors: dict[str, str] = {}
    if data.exited_on is None:
        errors["exited_on"] = _("Enter the exit date.")
    elif data.exited_on < enrollment.enrolled_on:
        errors["exited_on"] = _(
            "The exit date cannot be before the enrollment date (%(date)s).",
            date=enrollment.enrolled_on.isoformat())
    elif data.exited_on > today:
        errors["exited_on"] = _("The exit date cannot be in the future.")

    outcome = _enum_or_none(Outcome, data.outcome)
    if outcome is None:
        errors["outcome"] = _("Choose an outcome.")
    reason = data.neutral_reason
    if outcome == Outcome.neutral and not reason:
        errors["neutral_reason"] = _(
            "Choose a reason when the outcome is “Other known reason”.")
    elif outcome is not None and outcome != Outcome.neutral and reason:
        errors["neutral_reason"] = _(
            "A reason is only given when the outcome is “Other known reason”. "
            "Leave the reason empty or change the outcome.")
    elif reason and _enum_or_none(NeutralReason, reason) is None:
        errors["neutral_reason"] = _("Choose a reason from the list.")

    hours = data.hours_per_week
    if hours is not None and not HOURS_MIN <= hours <= HOURS_MAX:
        errors["hours_per_week"] = _(
            "Hours per week must be between %(min)d and %(max)d.", min=HOURS_MIN, max=HOURS_MAX)
    if outcome is not None and not is_job_outcome(outcome):
        messages = {
            "employer": _("An employer is only given when the outcome is a job or "
                          "self-employment. Leave it empty or change the outcome."),
            "occupation": _("An occupation is only given when the outcome is a job or "
                            "self-employment. Leave it empty or change the outcome."),
            "hours_per_week": _("Hours per week are only given when the outcome is a job or "
                                "self-employment. Leave them empty or change the outcome."),
        }
        for name in JOB_ONLY_FIELDS:
            if getattr(data, name) not in (None, "") and name not in errors:
                errors[name] = messages[name]
    for name in ("employer", "occupation"):
        if len(getattr(data, name)) > 200 and name not in errors:
            errors[name] = _("At most %(max)d characters.", max=200)
    return errors


def load_exit(enrollment: Enrollment) -> ExitOutcome | None:
    return db.session.scalars(
        sa.select(ExitOutcome).where(ExitOutcome.enrollment_id == enrollment.id)
    ).first()


def record_exit(enrollment: Enrollment, data: ExitData | Mapping, user=None, *,
                today: date | None = None) -> ExitOutcome:
    """Record an enrollment's exit and schedule its follow-ups at 3, 6 and 12 months.

    Sets the enrollment's status to ``exited``. Everything is flushed in the
    caller's transaction (the view commits).

    :param enrollment: the enrollment, already authorised for the caller.
    :param data: an :class:`ExitData` or a mapping such as ``form.data``.
    :param user: the acting user (the audit event's author; defaults to the logged-in user).
    :param today: the reference date for "not in the future" (defaults to today).
    :raises AlreadyExited: when the enrollment has an exit already (one per enrollment).
    :raises OutcomeError: when a rule is broken; nothing is written.
    """
    if not isinstance(data, ExitData):
        data = ExitData.from_mapping(data)
    if load_exit(enrollment) is not None:
        raise AlreadyExited()
    errors = validate_exit(enrollment, data, today=today)
    if errors:
        raise OutcomeError(errors)
    outcome = Outcome(data.outcome)
    exit_outcome = ExitOutcome(
        enrollment_id=enrollment.id,
        exited_on=data.exited_on,
        outcome=outcome,
        neutral_reason=_enum_or_none(NeutralReason, data.neutral_reason),
        qualification_gained=data.qualification_gained,
        employer=data.employer,
        occupation=data.occupation,
        hours_per_week=data.hours_per_week,
        note=data.note,
    )
    db.session.add(exit_outcome)
    for months in FOLLOW_UP_MONTHS:
        db.session.add(FollowUp(enrollment_id=enrollment.id, months_after=months,
                                due_on=add_months(data.exited_on, months)))
    enrollment.status = EnrollmentStatus.exited
    db.session.flush()
    record(
        AuditAction.create,
        object_type="exit_outcome",
        object_id=exit_outcome.id,
        participant_id=enrollment.participant_id,
        detail=f"outcome {outcome.value}, exited_on {data.exited_on.isoformat()}, "
               f"follow-ups scheduled at {'/'.join(map(str, FOLLOW_UP_MONTHS))} months",
        user=user,
    )
    return exit_outcome


def validate_follow_up(exit_outcome: ExitOutcome, data: FollowUpData, *,
                       today: date | None = None) -> dict[str, str]:
    """The broken rules of a follow-up record as ``{field: message}``."""
    today = today or date.today()
    errors: dict[str, str] = {}
    if _enum_or_none(FollowUpStatus, data.status) is None:
        errors["status"] = _("Choose the participant's situation.")
    if _enum_or_none(FollowUpSource, data.source) is None:
        errors["source"] = _("Choose where the information comes from.")
    if data.recorded_on is None:
        errors["recorded_on"] = _("Enter the date of the follow-up.")
    elif data.recorded_on > today:
        errors["recorded_on"] = _("The follow-up date cannot be in the future.")
    elif data.recorded_on < exit_outcome.exited_on:
        errors["recorded_on"] = _(
            "The follow-up date cannot be before the exit date (%(date)s).",
            date=exit_outcome.exited_on.isoformat())
    return errors


def record_follow_up(follow_up: FollowUp, data: FollowUpData | Mapping, user=None, *,
                     exit_outcome: ExitOutcome | None = None,
                     today: date | None = None) -> bool:
    """Record (or correct) what a follow-up found.

    :param follow_up: one of the enrollment's follow-ups, already authorised.
    :param data: a :class:`FollowUpData` or a mapping such as ``form.data``.
    :param user: the acting user (defaults to the logged-in user).
    :param exit_outcome: the enrollment's exit, when already loaded (gives the
        earliest allowed date).
    :param today: the reference date for "not in the future" (defaults to today).
    :returns: ``False`` when nothing changed (no audit event then).
    :raises OutcomeError: when a rule is broken; nothing is written.
    """
    if not isinstance(data, FollowUpData):
        data = FollowUpData.from_mapping(data)
    enrollment = follow_up.enrollment
    if exit_outcome is None:
        exit_outcome = load_exit(enrollment)
    errors = validate_follow_up(exit_outcome, data, today=today)
    if errors:
        raise OutcomeError(errors)
    status, source = FollowUpStatus(data.status), FollowUpSource(data.source)
    before = (follow_up.status, follow_up.source, follow_up.recorded_on)
    if before == (status, source, data.recorded_on):
        return False
    was_recorded = follow_up.recorded_on is not None
    follow_up.status, follow_up.source, follow_up.recorded_on = status, source, data.recorded_on
    db.session.flush()
    previous = (f"{before[0].value if before[0] else '-'}/{before[1].value if before[1] else '-'}"
                f" on {before[2].isoformat() if before[2] else '-'}")
    record(
        AuditAction.update,
        object_type="follow_up",
        object_id=follow_up.id,
        participant_id=enrollment.participant_id,
        detail=(f"{follow_up.months_after} months: "
                f"{'corrected from ' + previous + ' to ' if was_recorded else 'recorded '}"
                f"{status.value}/{source.value} on {data.recorded_on.isoformat()}"),
        user=user,
    )
    return True


def reopen_exit(enrollment: Enrollment, reason: str, user=None) -> int:
    """Undo an exit recorded by mistake: delete it and its follow-ups, status back to active.

    :param enrollment: the enrollment, already authorised (managers only, in the view).
    :param reason: why the exit is removed; required, kept in the audit trail.
    :param user: the acting user (defaults to the logged-in user).
    :returns: how many recorded follow-ups were removed with it.
    :raises OutcomeError: without a reason or when there is no exit.
    """
    reason = (reason or "").strip()
    if not reason:
        raise OutcomeError({"reason": _("Write why the exit is removed.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise OutcomeError({"reason": _("At most %(max)d characters.", max=REASON_MAX_LENGTH)})
    exit_outcome = load_exit(enrollment)
    if exit_outcome is None:
        raise OutcomeError({"": _("This enrollment has no exit to remove.")})
    follow_ups = db.session.scalars(
        sa.select(FollowUp).where(FollowUp.enrollment_id == enrollment.id)
    ).all()
    recorded = [f for f in follow_ups if f.recorded_on is not None]
    detail = (
        f"exit removed (outcome {exit_outcome.outcome.value}, exited_on "
        f"{exit_outcome.exited_on.isoformat()}); {len(follow_ups)} follow-ups removed, "
        f"{len(recorded)} of them recorded"
    )
    for follow_up in follow_ups:
        db.session.delete(follow_up)
    exit_id = exit_outcome.id
    db.session.delete(exit_outcome)
    enrollment.status = EnrollmentStatus.active
    db.session.flush()
    record(
        AuditAction.delete,
        object_type="exit_outcome",
        object_id=exit_id,
        participant_id=enrollment.participant_id,
        detail=f"{detail}. Reason: {reason}",
        user=user,
    )
    return len(recorded)
