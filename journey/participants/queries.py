"""Read models for the participant list, the participant page and the form choices."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from journey.auth.access import participant_scope
from journey.auth.models import User
from journey.cohorts.models import Cohort
from journey.enums import EnrollmentStatus, IdKind, Outcome, Role
from journey.extensions import db
from journey.outcomes.models import ExitOutcome
from journey.participants.models import Enrollment, Participant
from journey.programs.models import Program
from journey.web.paging import PageRange, clamp_page

MAX_SEARCH_WORDS = 5


def _ascii_lower(text: str) -> str:
    """What SQLite's lower() makes of ``text``: A-Z folded, everything else kept."""
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in text)


def _case_variants(text: str) -> list[str]:
    # Variants that lower() maps to the same text on both databases are left out:
    # for a name in plain ASCII one comparison instead of four (a search with no
    # match tests every participant of the organisation with each of them).
    variants, seen = [], set()
    for variant in (text, text.lower(), text.title(), text.upper()):
        folded = _ascii_lower(variant)
        if folded not in seen:
            seen.add(folded)
            variants.append(variant)
    return variants


# SQLite's lower() folds ASCII only, so "åsa" would not find "Åsa" with
# lower() alone. Comparing against the usual spellings of the text (as typed,
# lower case, capitalised, upper case) covers names on both databases without
# a database-specific collation.
def ci_equals(column, value: str) -> sa.ColumnElement[bool]:
    """Case-insensitive equality, also for å, ä, ö on SQLite."""
    return sa.or_(*(sa.func.lower(column) == sa.func.lower(v) for v in _case_variants(value)))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _ContainsFolded(ColumnElement):
    """``lower(column) LIKE lower(pattern)`` (with ``\\`` escaping the wildcards).

    On SQLite it is written ``column LIKE pattern``: the same test there, since
    SQLite's LIKE ignores the case of A-Z and its lower() folds nothing else, without
    a lower() per row (a search over 100 000 names: 114 -> 37 ms). PostgreSQL's LIKE
    heeds case, so there the lower() calls stay.
    """

    type = sa.Boolean()
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("pattern", InternalTraversal.dp_clauseelement)]

    def __init__(self, column, pattern: str):
        self.column = column
        self.pattern = sa.literal(pattern, sa.String)


@compiles(_ContainsFolded)
def _contains_folded(element, compiler, **kw):
    return compiler.process(
        sa.func.lower(element.column).like(sa.func.lower(element.pattern), escape="\\"), **kw)


@compiles(_ContainsFolded, "sqlite")
def _contains_folded_sqlite(element, compiler, **kw):
    return compiler.process(element.column.like(element.pattern, escape="\\"), **kw)


def ci_contains(column, term: str) -> sa.ColumnElement[bool]:
    """Case-insensitive "contains", with LIKE wildcards in ``term`` taken literally."""
    return sa.or_(*(_ContainsFolded(column, f"%{_escape_like(v)}%")
                    for v in _case_variants(term)))


def name_matches(text: str) -> sa.ColumnElement[bool]:
    """Every word of ``text`` is part of the first or the last name."""
    words = text.split()[:MAX_SEARCH_WORDS]
    return sa.and_(
        *(
            sa.or_(ci_contains(Participant.first_name, w), ci_contains(Participant.last_name, w))
            for w in words
        )
    )


@dataclass(frozen=True)
class ParticipantRow:
    id: int
    first_name: str
    last_name: str
    # Only the first 8 digits leave the database: the list never needs the rest.
    id_prefix: str | None
    id_kind: IdKind
    birth_date: date | None
    district: str
    protected_identity: bool
    enrollment_id: int | None
    enrollment_status: EnrollmentStatus | None
    cohort_name: str | None
    program_name: str | None
    enrollment_accessible: bool

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_national_id(self) -> str:
        return f"{self.id_prefix}-****" if self.id_prefix else ""


@dataclass(frozen=True)
class ParticipantPage(PageRange):
    rows: list[ParticipantRow]
    total: int
    page: int
    per_page: int


def _latest_enrollment_id():
    """The current enrollment (active or paused), else the latest one."""
    ended_last = sa.case((Enrollment.status == EnrollmentStatus.exited, 1), else_=0)
    return (
        sa.select(Enrollment.id)
        .where(Enrollment.participant_id == Participant.id)
        .order_by(ended_last, Enrollment.enrolled_on.desc(), Enrollment.id.desc())
        .limit(1)
        .correlate(Participant)
        .scalar_subquery()
    )


def list_participants(user, *, name: str = "", national_id: str | None = None, page: int = 1,
                      per_page: int = 50) -> ParticipantPage:
    """One page of the participants ``user`` may see, by name; two queries at any size
    (one when none matches).

    :param name: words that must each be part of the first or last name.
    :param national_id: 12 digits: an exact match (then ``name`` is ignored).
    """
    conditions = [participant_scope(user)]
    if national_id is not None:
        conditions.append(Participant.national_id_matches(national_id))
    elif name.strip():
        conditions.append(name_matches(name))
    total = db.session.scalar(sa.select(sa.func.count(Participant.id)).where(*conditions)) or 0
    if total == 0:
        # Nothing to list: a search with no match (a typo) would otherwise test every
        # participant of the organisation a second time for an empty page.
        return ParticipantPage(rows=[], total=0, page=1, per_page=per_page)
    page = clamp_page(page, total, per_page)
    # An alias: the scope's EXISTS subqueries on Enrollment must not correlate to it.
    current = aliased(Enrollment)
    if user.role == Role.coach:
        accessible = sa.func.coalesce(current.coach_id == user.id, False)
    else:
        accessible = sa.literal(True)
    # The page's participants first, then their current enrollments: finding each
    # one's current enrollment before the ORDER BY ... LIMIT made a deep page of a
    # 100 000-participant organisation cost 0.5 s on PostgreSQL.
    in_order = (Participant.last_name, Participant.first_name, Participant.id)
    page_ids = (
        sa.select(Participant.id)
        .where(*conditions)
        .order_by(*in_order)
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery("page_ids")
    )
    stmt = (
        sa.select(
            Participant.id,
            Participant.first_name,
            Participant.last_name,
            Participant.national_id_prefix,
            Participant.id_kind,
            Participant.birth_date,
            Participant.district,
            Participant.protected_identity,
            current.id,
            current.status,
            Cohort.name,
            Program.name,
            accessible,
        )
        .select_from(page_ids)
        .join(Participant, Participant.id == page_ids.c.id)
        .outerjoin(current, current.id == _latest_enrollment_id())
        .outerjoin(Cohort, Cohort.id == current.cohort_id)
        .outerjoin(Program, Program.id == Cohort.program_id)
        .order_by(*in_order)
    )
    rows = [
        ParticipantRow(*row[:-1], enrollment_accessible=bool(row[-1]) and row[8] is not None)
        for row in db.session.execute(stmt)
    ]
    return ParticipantPage(rows=rows, total=total, page=page, per_page=per_page)


@dataclass(frozen=True)
class EnrollmentRow:
    id: int
    cohort_name: str
    program_name: str
    status: EnrollmentStatus
    enrolled_on: date
    coach_id: int | None
    coach_name: str | None
    exited_on: date | None
    outcome: Outcome | None
    accessible: bool


def participant_enrollments(participant_id: int, user) -> list[EnrollmentRow]:
    """A participant's enrollments, newest first; ``accessible`` if ``user`` may open it."""
    stmt = (
        sa.select(
            Enrollment.id,
            Cohort.name,
            Program.name,
            Enrollment.status,
            Enrollment.enrolled_on,
            Enrollment.coach_id,
            User.name,
            ExitOutcome.exited_on,
            ExitOutcome.outcome,
        )
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .join(Program, Program.id == Cohort.program_id)
        .outerjoin(User, User.id == Enrollment.coach_id)
        .outerjoin(ExitOutcome, ExitOutcome.enrollment_id == Enrollment.id)
        .where(Enrollment.participant_id == participant_id)
        .order_by(Enrollment.enrolled_on.desc(), Enrollment.id.desc())
    )
    return [
        EnrollmentRow(*row, accessible=user.role == Role.manager or row.coach_id == user.id)
        for row in db.session.execute(stmt)
    ]


@dataclass(frozen=True)
class CohortChoice:
    id: int
    name: str
    program_name: str
    starts_on: date
    ends_on: date | None


def _cohorts_of_active_programs(organization_id: int):
    return (
        sa.select(Cohort.id, Cohort.name, Program.name, Cohort.starts_on, Cohort.ends_on)
        .join(Program, Program.id == Cohort.program_id)
        .where(Program.organization_id == organization_id, Program.is_active.is_(True))
    )


def cohort_choices(organization_id: int, *, not_ended_on: date | None = None,
                   include_id: int | None = None) -> list[CohortChoice]:
    """Cohorts of the organisation's active programmes, newest first per programme.

    With ``not_ended_on``, only the cohorts that have not ended by that day (an
    organisation that has run programmes for years has thousands of past cohorts),
    plus ``include_id`` if it is one of the organisation's, whatever its dates.
    """
    stmt = _cohorts_of_active_programs(organization_id)
    if not_ended_on is not None:
        current = sa.or_(Cohort.ends_on.is_(None), Cohort.ends_on >= not_ended_on)
        if include_id is not None:
            current = sa.or_(current, Cohort.id == include_id)
        stmt = stmt.where(current)
    stmt = stmt.order_by(Program.name, Cohort.starts_on.desc(), Cohort.name)
    return [CohortChoice(*row) for row in db.session.execute(stmt)]


def has_ended_cohorts(organization_id: int, on: date) -> bool:
    """Whether any cohort of an active programme ended before ``on``."""
    stmt = _cohorts_of_active_programs(organization_id).where(Cohort.ends_on < on)
    return bool(db.session.scalar(sa.select(stmt.exists())))


def coach_choices(organization_id: int, *, include_id: int | None = None) -> list[tuple[int, str]]:
    """Active coaches of the organisation (plus ``include_id``, e.g. the current coach)."""
    condition = sa.and_(User.role == Role.coach, User.is_active.is_(True))
    if include_id is not None:
        condition = sa.or_(condition, User.id == include_id)
    stmt = (
        sa.select(User.id, User.name)
        .where(User.organization_id == organization_id, condition)
        .order_by(User.name, User.id)
    )
    return [(row.id, row.name) for row in db.session.execute(stmt)]


def contact_for(participant: Participant) -> str | None:
    """Whom to ask about a record the caller may not open: the person's coach, if any.

    The coach of the current enrollment, else of the latest one, else the coach
    who registered the record; only active coaches count.
    """
    ended_last = sa.case((Enrollment.status == EnrollmentStatus.exited, 1), else_=0)
    name = db.session.scalar(
        sa.select(User.name)
        .join(Enrollment, Enrollment.coach_id == User.id)
        .where(Enrollment.participant_id == participant.id, User.is_active.is_(True))
        .order_by(ended_last, Enrollment.enrolled_on.desc(), Enrollment.id.desc())
        .limit(1)
    )
    if name:
        return name
    return db.session.scalar(
        sa.select(User.name).where(
            User.id == participant.created_by_id, User.role == Role.coach,
            User.is_active.is_(True),
        )
    )
