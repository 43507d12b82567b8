"""Changes to activities (meetings, classes) and group sessions with bulk attendance."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time

from journey.activities.models import Activity
from journey.activities.queries import ActivityRow
from journey.audit.services import record
from journey.cohorts.models import GroupSession
from journey.enums import ActivityKind, Attendance, AuditAction
from journey.extensions import db
from journey.i18n import lazy_gettext as _l
from journey.participants.models import Enrollment

MAX_DURATION_MINUTES = 600
# What may be recorded for an activity that has not happened yet.
FUTURE_ATTENDANCE = frozenset({Attendance.planned, Attendance.cancelled})

FUTURE_ATTENDANCE_ERROR = _l(
    "Attendance can only be recorded for today or an earlier date. "
    "An activity later than today can only be planned or cancelled."
)


class ActivityError(ValueError):
    """A domain rule was broken; ``field`` names the form field it belongs to."""

    def __init__(self, message, field: str = "attendance"):
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ActivityData:
    kind: ActivityKind
    date: date
    time: time | None
    duration_minutes: int
    attendance: Attendance
    note: str = ""

    @classmethod
    def from_form(cls, data: Mapping) -> "ActivityData":
        return cls(
            kind=ActivityKind(data["kind"]),
            date=data["date"],
            time=data.get("time"),
            duration_minutes=data["duration_minutes"],
            attendance=Attendance(data["attendance"]),
            note=(data.get("note") or "").strip(),
        )


def attendance_error(on: date, attendance, *, today: date | None = None):
    """The message explaining why ``attendance`` is impossible on ``on``, or ``None``.

    Attended and no-show describe something that has happened, so they need a
    date of today or earlier; a later date can only be planned or cancelled.
    """
    today = today or date.today()
    if on > today and Attendance(attendance) not in FUTURE_ATTENDANCE:
        return FUTURE_ATTENDANCE_ERROR
    return None


def quick_attendance(activity: Activity | ActivityRow, today: date | None = None) -> list[str]:
    """What a row's quick buttons offer: the attendances the activity may change to.

    The same rule as :func:`attendance_error`: only "cancelled" for a later date.
    """
    today = today or date.today()
    allowed = ("cancelled",) if activity.date > today else ("attended", "no_show", "cancelled")
    return [value for value in allowed if value != activity.attendance.value]


def _check(data: ActivityData, today: date | None) -> None:
    if not 1 <= data.duration_minutes <= MAX_DURATION_MINUTES:
        raise ActivityError(_l("Enter a duration between 1 and 600 minutes."),
                            "duration_minutes")
    message = attendance_error(data.date, data.attendance, today=today)
    if message:
        raise ActivityError(message)


def _changes(activity: Activity, data: ActivityData) -> list[str]:
    changed = []
    for name in ("kind", "date", "time", "duration_minutes", "attendance", "note"):
        if getattr(activity, name) != getattr(data, name):
            changed.append(name)
    return changed


def add_activity(enrollment: Enrollment, data: ActivityData, *,
                 today: date | None = None) -> Activity:
    """Record an activity of one enrollment.

    :param enrollment: the enrollment, already authorised for the caller.
    :param data: the activity's fields.
    :param today: the date the attendance rule is checked against (default today).
    :raises ActivityError: when the attendance does not fit the date.
    """
    _check(data, today)
    activity = Activity(
        enrollment_id=enrollment.id, kind=data.kind, date=data.date, time=data.time,
        duration_minutes=data.duration_minutes, attendance=data.attendance, note=data.note,
    )
    db.session.add(activity)
    db.session.flush()
    record(AuditAction.create, object_type="activity", object_id=activity.id,
           participant_id=enrollment.participant_id,
           detail=f"{data.kind.value} {data.date.isoformat()} {data.attendance.value}")
    return activity


def update_activity(activity: Activity, enrollment: Enrollment, data: ActivityData, *,
                    today: date | None = None) -> None:
    """Change an activity's fields.

    :param activity: the activity, already checked to belong to ``enrollment``.
    :param enrollment: its enrollment (for the audit trail's participant).
    :raises ActivityError: when the attendance does not fit the date.
    """
    _check(data, today)
    changed = _changes(activity, data)
    if not changed:
        return
    for name in changed:
        setattr(activity, name, getattr(data, name))
    db.session.flush()
    # Field names only: the note is coach-only and stays out of the trail.
    record(AuditAction.update, object_type="activity", object_id=activity.id,
           participant_id=enrollment.participant_id, detail="changed " + ", ".join(changed))


def set_attendance(activity: Activity, enrollment: Enrollment, attendance: Attendance, *,
                   today: date | None = None) -> None:
    """Record whether the participant came.

    :raises ActivityError: attended/no-show for a date later than today.
    """
    attendance = Attendance(attendance)
    message = attendance_error(activity.date, attendance, today=today)
    if message:
        raise ActivityError(message)
    previous = activity.attendance
    if previous == attendance:
        return
    activity.attendance = attendance
    db.session.flush()
    record(AuditAction.update, object_type="activity", object_id=activity.id,
           participant_id=enrollment.participant_id,
           detail=f"attendance {previous.value} -> {attendance.value}")


def delete_activity(activity: Activity, enrollment: Enrollment) -> None:
    """Remove an activity (recorded in the audit trail)."""
    activity_id = activity.id
    detail = f"{activity.kind.value} {activity.date.isoformat()}"
    db.session.delete(activity)
    db.session.flush()
    record(AuditAction.delete, object_type="activity", object_id=activity_id,
           participant_id=enrollment.participant_id, detail=detail)


@dataclass(frozen=True)
class SessionData:
    title: str
    kind: ActivityKind
    date: date
    duration_minutes: int

    @classmethod
    def from_form(cls, data: Mapping) -> "SessionData":
        return cls(title=data["title"].strip(), kind=ActivityKind(data["kind"]),
                   date=data["date"], duration_minutes=data["duration_minutes"])


def roster_errors(on: date, roster: Mapping[int, Attendance | None], *,
                  today: date | None = None) -> dict[int, str]:
    """Per enrollment id, why its attendance is impossible on ``on`` (empty when all fit)."""
    errors = {}
    for enrollment_id, attendance in roster.items():
        if attendance is not None:
            message = attendance_error(on, attendance, today=today)
            if message:
                errors[enrollment_id] = message
    return errors


def _check_session(data: SessionData, enrollments: Mapping[int, Enrollment],
                   roster: Mapping[int, Attendance | None], today: date | None) -> None:
    if not 1 <= data.duration_minutes <= MAX_DURATION_MINUTES:
        raise ActivityError(_l("Enter a duration between 1 and 600 minutes."),
                            "duration_minutes")
    unknown = set(roster) - set(enrollments)
    if unknown:
        raise ActivityError(_l("The list contains a participant who is not in this cohort "
                               "or not in your caseload."), "roster")
    if roster_errors(data.date, roster, today=today):
        raise ActivityError(FUTURE_ATTENDANCE_ERROR, "roster")


def create_group_session(cohort, data: SessionData, enrollments: Mapping[int, Enrollment],
                         roster: Mapping[int, Attendance | None], *,
                         today: date | None = None) -> GroupSession:
    """Record a group session and one activity per invited participant.

    Every row is checked before anything is written, so a bad row leaves the
    database untouched (the view rolls back on error as well).

    :param cohort: the session's cohort, already authorised for the caller.
    :param data: title, kind, date and duration of the session.
    :param enrollments: the enrollments the caller may record for, by id.
    :param roster: attendance per enrollment id; ``None`` means not invited.
    :raises ActivityError: an unknown enrollment id or an impossible attendance.
    """
    _check_session(data, enrollments, roster, today)
    session = GroupSession(cohort_id=cohort.id, kind=data.kind, date=data.date,
                           duration_minutes=data.duration_minutes, title=data.title)
    db.session.add(session)
    db.session.flush()
    invited = [(enrollments[eid], att) for eid, att in roster.items() if att is not None]
    activities = [
        Activity(enrollment_id=enr.id, kind=data.kind, date=data.date,
                 duration_minutes=data.duration_minutes, attendance=att, note="",
                 group_session_id=session.id)
        for enr, att in invited
    ]
    db.session.add_all(activities)
    db.session.flush()
    for (enr, att), activity in zip(invited, activities, strict=True):
        record(AuditAction.create, object_type="activity", object_id=activity.id,
               participant_id=enr.participant_id,
               detail=f"group session {session.id} {att.value}")
    return session


def update_group_attendance(session: GroupSession, enrollments: Mapping[int, Enrollment],
                            existing: Mapping[int, Activity],
                            roster: Mapping[int, Attendance | None], *,
                            today: date | None = None) -> int:
    """Correct the attendance of a group session in bulk.

    A participant newly given an attendance gets an activity; one set to
    not invited loses theirs; the others are updated. All rows are checked
    before anything is written.

    :param session: the group session, already authorised for the caller.
    :param enrollments: the enrollments the caller may record for, by id.
    :param existing: the session's activities of those enrollments, by enrollment id.
    :param roster: attendance per enrollment id; ``None`` means not invited.
    :returns: the number of participants whose record changed.
    :raises ActivityError: an unknown enrollment id or an impossible attendance.
    """
    data = SessionData(session.title, session.kind, session.date, session.duration_minutes)
    _check_session(data, enrollments, roster, today)
    events: list[tuple[AuditAction, Activity | int, Enrollment, str]] = []
    for enrollment_id, attendance in roster.items():
        enr = enrollments[enrollment_id]
        activity = existing.get(enrollment_id)
        if activity is None and attendance is not None:
            activity = Activity(enrollment_id=enr.id, kind=session.kind, date=session.date,
                                duration_minutes=session.duration_minutes,
                                attendance=attendance, note="", group_session_id=session.id)
            db.session.add(activity)
            events.append((AuditAction.create, activity, enr,
                           f"group session {session.id} {attendance.value}"))
        elif activity is not None and attendance is None:
            events.append((AuditAction.delete, activity.id, enr,
                           f"group session {session.id} not invited"))
            db.session.delete(activity)
        elif activity is not None and activity.attendance != attendance:
            events.append((AuditAction.update, activity, enr,
                           f"group session {session.id} attendance "
                           f"{activity.attendance.value} -> {attendance.value}"))
            activity.attendance = attendance
    db.session.flush()
    for action, activity, enr, detail in events:
        object_id = activity if isinstance(activity, int) else activity.id
        record(action, object_type="activity", object_id=object_id,
               participant_id=enr.participant_id, detail=detail)
    return len(events)
