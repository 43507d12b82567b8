"""Reads for the activity log and group sessions (one query each, whatever the size)."""

import functools
from dataclasses import dataclass
from datetime import date, time

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload

from journey.activities.models import Activity
from journey.cohorts.models import Cohort, GroupSession
from journey.enums import ActivityKind, Attendance, EnrollmentStatus, Role
from journey.extensions import db
from journey.participants.models import Enrollment, Participant
from journey.programs.models import Program
from journey.sql import execute_columns

OPEN_STATUSES = (EnrollmentStatus.active, EnrollmentStatus.paused)
RECENT_SESSIONS = 50


# Newest first; untimed activities after the timed ones of their day.
NEWEST_FIRST = (Activity.date.desc(), Activity.time.desc().nulls_last(), Activity.id.desc())
SOONEST_FIRST = (Activity.date, Activity.time.nulls_first(), Activity.id)


def upcoming_condition(today) -> sa.ColumnElement[bool]:
    """Planned for today or later: the log's "Upcoming" list; everything else is earlier."""
    return sa.and_(Activity.attendance == Attendance.planned, Activity.date >= today)


@dataclass(frozen=True)
class ActivityCounts:
    upcoming: int
    past: int
    attended: int
    no_show: int


@dataclass(frozen=True)
class GroupSessionLink:
    id: int
    title: str


@dataclass(frozen=True)
class ActivityRow:
    """An activity as the log lists it (activities/_rows.html, which also takes an
    ``Activity``): the lists are only displayed, and plain columns cost a third of
    loading ORM objects with their group sessions."""

    id: int
    kind: ActivityKind
    date: date
    time: time | None
    duration_minutes: int | None
    attendance: Attendance
    note: str
    group_session: GroupSessionLink | None


@dataclass(frozen=True)
class _LogStatements:
    counts: sa.Select
    upcoming: sa.Select
    earlier: sa.Select


@functools.cache
def _log_statements() -> _LogStatements:
    """The activity log's statements, built once with bound parameters (``enrollment_id``,
    ``today``, ``limit``, ``offset``).

    The enrollment page runs all three on every view; building each statement and its
    cache key took longer than SQLite took to answer it. Executing the same object
    again reuses both.
    """
    enrollment_id = sa.bindparam("enrollment_id", type_=sa.Integer)
    today = sa.bindparam("today", type_=sa.Date)
    limit = sa.bindparam("limit", type_=sa.Integer)
    upcoming = upcoming_condition(today)
    # Attendance counts only activities up to today (a future "attended" is a typo
    # the service refuses, but old data may hold one).
    so_far = Activity.date <= today
    counts = sa.select(
        sa.func.count(Activity.id).filter(upcoming),
        sa.func.count(Activity.id).filter(sa.not_(upcoming)),
        sa.func.count(Activity.id).filter(so_far, Activity.attendance == Attendance.attended),
        sa.func.count(Activity.id).filter(so_far, Activity.attendance == Attendance.no_show),
    ).where(Activity.enrollment_id == enrollment_id)
    # The columns of ActivityRow, in its order.
    rows = sa.select(
        Activity.id, Activity.kind, Activity.date, Activity.time, Activity.duration_minutes,
        Activity.attendance, Activity.note, GroupSession.id, GroupSession.title,
    ).outerjoin(GroupSession, GroupSession.id == Activity.group_session_id)
    return _LogStatements(
        counts=counts,
        upcoming=rows.where(Activity.enrollment_id == enrollment_id, upcoming)
        .order_by(*SOONEST_FIRST).limit(limit),
        earlier=rows.where(Activity.enrollment_id == enrollment_id, sa.not_(upcoming))
        .order_by(*NEWEST_FIRST).limit(limit).offset(sa.bindparam("offset", type_=sa.Integer)),
    )


def _activity_rows(result) -> list[ActivityRow]:
    return [
        ActivityRow(activity_id, kind, day, at, minutes, attendance, note,
                    GroupSessionLink(session_id, title) if session_id is not None else None)
        for activity_id, kind, day, at, minutes, attendance, note, session_id, title in result
    ]


def activity_counts(enrollment_id: int, today: date) -> ActivityCounts:
    """Upcoming and earlier activities and attendance so far, in SQL (one query)."""
    row = execute_columns(_log_statements().counts,
                   {"enrollment_id": enrollment_id, "today": today}).one()
    return ActivityCounts(*row)


def upcoming_activities(enrollment_id: int, today: date, limit: int) -> list[ActivityRow]:
    """The ``limit`` soonest upcoming activities, shown newest first like the rest."""
    rows = _activity_rows(execute_columns(
        _log_statements().upcoming,
        {"enrollment_id": enrollment_id, "today": today, "limit": limit}))
    rows.reverse()
    return rows


def earlier_activities(enrollment_id: int, today: date, *, limit: int,
                       offset: int = 0) -> list[ActivityRow]:
    """One page of the earlier (not upcoming) activities, newest first."""
    return _activity_rows(execute_columns(
        _log_statements().earlier,
        {"enrollment_id": enrollment_id, "today": today, "limit": limit, "offset": offset}))


def activity_of(enrollment_id: int, activity_id: int) -> Activity | None:
    """The activity, only when it belongs to the given (already authorised) enrollment."""
    return db.session.scalars(
        sa.select(Activity)
        .where(Activity.id == activity_id, Activity.enrollment_id == enrollment_id)
        .options(joinedload(Activity.group_session))
    ).first()


def _own_enrollment_in_cohort(user, *, open_only: bool) -> sa.ColumnElement[bool]:
    """For a coach: the cohort has an enrollment of theirs (open ones only if asked)."""
    # An alias, so the condition also works in queries that join Enrollment themselves.
    own = aliased(Enrollment)
    conditions = [own.coach_id == user.id]
    if open_only:
        conditions.append(own.status.in_(OPEN_STATUSES))
    # The coach's cohorts as a set found through their enrollments, not a test of
    # every cohort of the organisation (1 900 of them at 100 000 participants:
    # 30 ms per query on SQLite).
    return Cohort.id.in_(sa.select(own.cohort_id).where(*conditions))


def cohort_scope(user, *, open_only: bool = True) -> sa.ColumnElement[bool]:
    """Cohorts whose group sessions ``user`` may see (needs ``Program`` joined).

    A manager sees the organisation's cohorts; a coach those in which they have
    at least one enrollment that is still open (or any, with ``open_only=False``).
    """
    in_org = Program.organization_id == user.organization_id
    if user.role == Role.manager:
        return in_org
    if user.role == Role.coach:
        return sa.and_(in_org, _own_enrollment_in_cohort(user, open_only=open_only))
    return sa.false()


def can_record_in(user, cohort_id: int) -> bool:
    """Whether a coach has any enrollment in the cohort (managers: always)."""
    if user.role == Role.manager:
        return True
    return bool(db.session.scalar(sa.select(sa.exists().where(
        Enrollment.cohort_id == cohort_id, Enrollment.coach_id == user.id))))


@dataclass(frozen=True)
class CohortChoice:
    cohort_id: int
    cohort_name: str
    program_name: str
    starts_on: date
    open_enrollments: int


def cohort_choices(user) -> list[CohortChoice]:
    """Cohorts the caller can record a group session in, with their open enrollments.

    For a coach the count is of their own participants.
    """
    count_filter = Enrollment.status.in_(OPEN_STATUSES)
    if user.role == Role.coach:
        count_filter = sa.and_(count_filter, Enrollment.coach_id == user.id)
    stmt = (
        sa.select(Cohort.id, Cohort.name, Program.name, Cohort.starts_on,
                  sa.func.count(Enrollment.id).filter(count_filter))
        .join(Program, Cohort.program_id == Program.id)
        .outerjoin(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(cohort_scope(user))
        .group_by(Cohort.id, Cohort.name, Program.name, Cohort.starts_on)
        .order_by(Cohort.starts_on.desc(), Program.name, Cohort.name)
    )
    return [CohortChoice(*row) for row in db.session.execute(stmt)]


@dataclass(frozen=True)
class GroupSessionRow:
    session_id: int
    date: date
    title: str
    kind: ActivityKind
    duration_minutes: int
    cohort_name: str
    program_name: str
    attended: int
    total: int


def recent_group_sessions(user, limit: int = RECENT_SESSIONS) -> list[GroupSessionRow]:
    """The latest group sessions of the caller's cohorts with attended/invited counts."""
    attended = sa.func.count(Activity.id).filter(Activity.attendance == Attendance.attended)
    stmt = (
        sa.select(GroupSession.id, GroupSession.date, GroupSession.title, GroupSession.kind,
                  GroupSession.duration_minutes, Cohort.name, Program.name,
                  attended, sa.func.count(Activity.id))
        .join(Cohort, GroupSession.cohort_id == Cohort.id)
        .join(Program, Cohort.program_id == Program.id)
        .outerjoin(Activity, Activity.group_session_id == GroupSession.id)
        .where(cohort_scope(user))
        .group_by(GroupSession.id, GroupSession.date, GroupSession.title, GroupSession.kind,
                  GroupSession.duration_minutes, Cohort.name, Program.name)
        .order_by(GroupSession.date.desc(), GroupSession.id.desc())
        .limit(limit)
    )
    return [GroupSessionRow(*row) for row in db.session.execute(stmt)]


def group_session_in_scope(user, session_id: int) -> GroupSession | None:
    """The session with its cohort and programme, if its cohort is in the caller's scope.

    Here a coach needs any enrollment in the cohort (also exited ones), so the
    attendance of participants who have since left can still be corrected.
    """
    return db.session.scalars(
        sa.select(GroupSession)
        .join(GroupSession.cohort)
        .join(Cohort.program)
        .where(GroupSession.id == session_id, cohort_scope(user, open_only=False))
        .options(contains_eager(GroupSession.cohort).contains_eager(Cohort.program))
    ).first()


@dataclass
class RosterEntry:
    enrollment: Enrollment
    activity: Activity | None


def roster(user, cohort_id: int, session_id: int | None = None) -> list[RosterEntry]:
    """The participants a group session form lists, in one query.

    Open (active or paused) enrollments of the cohort, plus, for an existing
    session, every enrollment that already has an activity in it. A coach gets
    only their own participants; a manager everyone in the cohort.
    """
    shown = Enrollment.status.in_(OPEN_STATUSES)
    if session_id is not None:
        on_session = sa.and_(Activity.enrollment_id == Enrollment.id,
                             Activity.group_session_id == session_id)
        stmt = sa.select(Enrollment, Activity).outerjoin(Activity, on_session)
        shown = sa.or_(shown, Activity.id.is_not(None))
    else:
        stmt = sa.select(Enrollment, sa.null())
    stmt = (
        stmt.join(Enrollment.participant)
        .options(contains_eager(Enrollment.participant), joinedload(Enrollment.coach))
        .where(Enrollment.cohort_id == cohort_id, shown)
        .order_by(Participant.last_name, Participant.first_name, Enrollment.id)
    )
    if user.role == Role.coach:
        stmt = stmt.where(Enrollment.coach_id == user.id)
    entries: dict[int, RosterEntry] = {}
    for enrollment, activity in db.session.execute(stmt):
        # A second activity of the same person in one session is ignored here.
        entries.setdefault(enrollment.id, RosterEntry(enrollment, activity))
    return list(entries.values())
