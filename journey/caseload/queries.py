"""Read models for the coach's caseload (aggregated in SQL).

Every query here runs once per page whatever the caseload's size: per-enrollment
facts come from correlated subqueries, GROUP BY and a window function, never
from loading activities or plan items into Python. Dates that depend on a
threshold ("today minus 14 days") are computed in Python and compared in SQL,
so the same statements run on SQLite and PostgreSQL.
"""

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import orm

from journey.activities.models import Activity
from journey.auth.models import Organization
from journey.cohorts.models import Cohort
from journey.enums import Attendance, EnrollmentStatus, StepStatus
from journey.journeys.models import JourneyStep, PlanItem
from journey.journeys.queries import current_step
from journey.outcomes.models import FollowUp
from journey.participants.models import Enrollment, Participant
from journey.programs.models import Program
from journey.sql import execute_columns, inline_enum
from journey.web.paging import PageRange

SORT_KEYS = ("name", "cohort", "step", "last_contact", "enrolled")
DIRECTIONS = ("asc", "desc")
FILTER_STATUSES = (EnrollmentStatus.active, EnrollmentStatus.paused)
FOLLOW_UP_MONTHS = (3, 6, 12)  # the follow_up.months_after CHECK constraint


# --- The caseload table -------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadFilters:
    """Sort order and filters of the table, parsed leniently from the query string."""

    sort: str = "name"
    dir: str = "asc"
    cohort_id: int | None = None
    step: str | None = None
    status: EnrollmentStatus | None = None

    @classmethod
    def from_args(cls, args) -> "CaseloadFilters":
        """Unknown or malformed values fall back to the defaults (never an error)."""
        sort = args.get("sort", "")
        direction = args.get("dir", "")
        status = args.get("status", "")
        step = (args.get("step") or "").strip()[:200]
        cohort_id = args.get("cohort", type=int)
        if cohort_id is not None and not 0 < cohort_id < 2**31:
            cohort_id = None  # out of any id's range (SQLite cannot even bind it)
        return cls(
            sort=sort if sort in SORT_KEYS else "name",
            dir=direction if direction in DIRECTIONS else "asc",
            cohort_id=cohort_id,
            step=step or None,
            status=EnrollmentStatus(status) if status in FILTER_STATUSES else None,
        )

    @property
    def is_filtered(self) -> bool:
        return self.cohort_id is not None or self.step is not None or self.status is not None

    def query_args(self, **changes) -> dict:
        """Query-string arguments of this state (defaults left out), with ``changes``."""
        values = {
            "sort": self.sort, "dir": self.dir, "cohort": self.cohort_id,
            "step": self.step, "status": self.status.value if self.status else None,
        }
        values.update(changes)
        defaults = {"sort": "name", "dir": "asc"}
        return {k: v for k, v in values.items() if v is not None and defaults.get(k) != v}

    def sort_args(self, key: str) -> dict:
        """Arguments of the link on column ``key``: toggles the direction when sorted by it."""
        direction = "desc" if self.sort == key and self.dir == "asc" else "asc"
        return self.query_args(sort=key, dir=direction)

    def aria_sort(self, key: str) -> str | None:
        if self.sort != key:
            return None
        return "ascending" if self.dir == "asc" else "descending"


@dataclass(frozen=True)
class CaseloadRow:
    enrollment_id: int
    first_name: str
    last_name: str
    cohort_name: str
    program_name: str
    enrolled_on: date
    status: EnrollmentStatus
    current_step: str | None
    current_step_status: StepStatus | None
    last_contact_on: date | None
    cohort_id: int

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class CohortOption:
    id: int
    name: str
    program_name: str


@dataclass(frozen=True)
class CaseloadFacets:
    """What the filter form offers, and how many enrollments there are unfiltered."""

    total: int
    cohorts: list[CohortOption]
    steps: list[str]


def _open_enrollments(coach_id):
    """Active and paused, as an IN list of constants: it is a range on the coach's
    status index, and PostgreSQL plans the prepared statement once (``inline_enum``)."""
    open_statuses = [inline_enum(s) for s in EnrollmentStatus if s != EnrollmentStatus.exited]
    return sa.and_(Enrollment.coach_id == coach_id, Enrollment.status.in_(open_statuses))


def _nulls_last(column, descending: bool):
    """Portable NULL placement (SQLite and PostgreSQL disagree on the default)."""
    return [sa.case((column.is_(None), 1), else_=0), column.desc() if descending else column]


def _last_attended_on(today):
    """Correlated subquery: the enrollment's last attended activity up to ``today``."""
    return (
        sa.select(sa.func.max(Activity.date))
        .where(
            Activity.enrollment_id == Enrollment.id,
            Activity.attendance == inline_enum(Attendance.attended),
            Activity.date <= today,
        )
        .correlate(Enrollment)
        .scalar_subquery()
    )


def caseload(coach_id: int, filters: CaseloadFilters | None = None,
             today: date | None = None) -> list[CaseloadRow]:
    """Active and paused enrollments of one coach, sorted and filtered in one query."""
    filters = filters or CaseloadFilters()
    stmt = _caseload_statement(
        filters.sort, filters.dir == "desc",
        by_cohort=filters.cohort_id is not None,
        by_status=filters.status is not None,
        by_step=filters.step is not None,
    )
    # The values of the filters a variant leaves out are not bound (None then).
    params = {"coach_id": coach_id, "today": today or date.today(),
              "cohort_id": filters.cohort_id, "status": filters.status, "step": filters.step}
    return [CaseloadRow(*row) for row in execute_columns(stmt, params)]


@functools.cache
def _caseload_statement(sort: str, desc: bool, *, by_cohort: bool, by_status: bool,
                        by_step: bool) -> sa.Select:
    """The caseload statement of one sort order and set of filters, built once.

    Its values are bound parameters (coach_id, today, cohort_id, status, step):
    building the statement and its cache key on every view cost about 1 ms.
    There are at most 80 variants (5 sort keys, 2 directions, 3 optional filters).
    """
    today = sa.bindparam("today", type_=sa.Date)
    inner = (
        sa.select(
            Enrollment.id.label("enrollment_id"),
            Participant.first_name,
            Participant.last_name,
            Cohort.id.label("cohort_id"),
            Cohort.name.label("cohort_name"),
            Program.name.label("program_name"),
            Enrollment.enrolled_on,
            Enrollment.status,
            current_step(JourneyStep.id).label("current_step_id"),
            _last_attended_on(today).label("last_contact_on"),
        )
        .join(Participant, Enrollment.participant_id == Participant.id)
        .join(Cohort, Enrollment.cohort_id == Cohort.id)
        .join(Program, Cohort.program_id == Program.id)
        .where(_open_enrollments(sa.bindparam("coach_id", type_=sa.Integer)))
    )
    if by_cohort:
        inner = inner.where(Enrollment.cohort_id == sa.bindparam("cohort_id", type_=sa.Integer))
    if by_status:
        inner = inner.where(
            Enrollment.status == sa.bindparam("status", type_=Enrollment.status.type))
    c = inner.subquery("caseload")
    # The current step is found once and joined: two correlated subqueries (its name
    # and its status) cost a quarter more.
    step = orm.aliased(JourneyStep, name="step")
    stmt = (
        sa.select(
            c.c.enrollment_id, c.c.first_name, c.c.last_name, c.c.cohort_name,
            c.c.program_name, c.c.enrolled_on, c.c.status,
            step.name.label("current_step"), step.status.label("current_step_status"),
            c.c.last_contact_on, c.c.cohort_id,
        )
        .select_from(c)
        .outerjoin(step, step.id == c.c.current_step_id)
    )
    if by_step:
        stmt = stmt.where(step.name == sa.bindparam("step", type_=step.name.type))

    def direction(column):
        return column.desc() if desc else column

    name_order = [direction(c.c.last_name), direction(c.c.first_name)]
    if sort == "cohort":
        order = [direction(c.c.cohort_name), *name_order]
    elif sort == "step":
        # Enrollments with every step finished sort last either way.
        order = [*_nulls_last(step.name, desc), *name_order]
    elif sort == "last_contact":
        # Never contacted counts as longest ago: first when ascending, last when descending.
        never = sa.case((c.c.last_contact_on.is_(None), 0), else_=1)
        order = [direction(never), direction(c.c.last_contact_on), *name_order]
    elif sort == "enrolled":
        order = [direction(c.c.enrolled_on), *name_order]
    else:
        order = name_order
    return stmt.order_by(*order, c.c.enrollment_id)


def caseload_facets(coach_id: int, filters: CaseloadFilters | None = None,
                    rows: list[CaseloadRow] | None = None) -> CaseloadFacets:
    """Cohorts and current steps of the coach's open enrollments, grouped in SQL.

    When ``rows`` is the caseload unfiltered (``filters`` filter nothing), it lists
    every open enrollment once already, and the facets are read off it instead of a
    second statement that would find the same current steps again (a fifth of the
    page's SQL on PostgreSQL).
    """
    if rows is not None and filters is not None and not filters.is_filtered:
        return _facets((r.cohort_id, r.cohort_name, r.program_name, r.current_step, 1)
                        for r in rows)
    return _facets(execute_columns(_facets_statement(), {"coach_id": coach_id}))


def _facets(groups) -> CaseloadFacets:
    """The facets from (cohort id, cohort, programme, current step, count) groups."""
    total = 0
    cohorts: dict[int, CohortOption] = {}
    steps: set[str] = set()
    for cohort_id, cohort_name, program_name, step, n in groups:
        total += n
        cohorts[cohort_id] = CohortOption(cohort_id, cohort_name, program_name)
        if step is not None:
            steps.add(step)
    return CaseloadFacets(
        total=total,
        cohorts=sorted(cohorts.values(), key=lambda o: (o.name.lower(), o.id)),
        steps=sorted(steps, key=str.lower),
    )


@functools.cache
def _facets_statement() -> sa.Select:
    """The facets statement, built once; ``coach_id`` is a bound parameter."""
    inner = (
        sa.select(
            Cohort.id.label("cohort_id"),
            Cohort.name.label("cohort_name"),
            Program.name.label("program_name"),
            current_step(JourneyStep.name).label("step"),
        )
        .select_from(Enrollment)
        .join(Cohort, Enrollment.cohort_id == Cohort.id)
        .join(Program, Cohort.program_id == Program.id)
        .where(_open_enrollments(sa.bindparam("coach_id", type_=sa.Integer)))
        .subquery("open_enrollment")
    )
    return sa.select(
        inner.c.cohort_id, inner.c.cohort_name, inner.c.program_name, inner.c.step,
        sa.func.count().label("n"),
    ).group_by(inner.c.cohort_id, inner.c.cohort_name, inner.c.program_name, inner.c.step)


# --- Needs attention ----------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """An organisation's attention thresholds (``Organization.attention_*``)."""

    no_contact_days: int = 14
    no_show_streak: int = 2
    no_step_days: int = 30
    follow_up_days: int = 7

    @classmethod
    def of_organization_id(cls, organization_id: int) -> "Thresholds":
        """The thresholds read in one small statement, the organisation left unloaded
        (loading it as an entity took twice as long on the caseload page)."""
        row = execute_columns(_thresholds_statement(), {"organization_id": organization_id})
        return cls(*row.one())


@functools.cache
def _thresholds_statement() -> sa.Select:
    return sa.select(
        Organization.attention_no_contact_days,
        Organization.attention_no_show_streak,
        Organization.attention_no_step_days,
        Organization.attention_follow_up_days,
    ).where(Organization.id == sa.bindparam("organization_id", type_=sa.Integer))


@dataclass(frozen=True)
class PendingFollowUp:
    months_after: int
    due_on: date
    is_overdue: bool


@dataclass(frozen=True)
class AttentionEntry:
    """One enrollment that needs attention, with every reason that applies.

    A reason's field is None (or empty/0) when that signal did not fire.
    """

    enrollment_id: int
    first_name: str
    last_name: str
    cohort_name: str
    status: EnrollmentStatus
    enrolled_on: date
    last_contact_on: date | None
    days_without_contact: int | None
    no_show_streak: int | None
    overdue_plan_items: int
    follow_ups: list[PendingFollowUp] = field(default_factory=list)
    days_without_step: int | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def reason_count(self) -> int:
        return (
            (self.days_without_contact is not None)
            + (self.no_show_streak is not None)
            + (self.overdue_plan_items > 0)
            + len(self.follow_ups)
            + (self.days_without_step is not None)
        )


def _flag(condition) -> sa.ColumnElement[int]:
    """A condition as 1/0, the same on SQLite and PostgreSQL (NULL counts as 0)."""
    return sa.case((condition, 1), else_=0)


@dataclass(frozen=True)
class AttentionPage(PageRange):
    """One page of the "needs attention" list and the length of the whole list."""

    entries: list[AttentionEntry]
    total: int
    page: int
    per_page: int

    @property
    def has_more(self) -> bool:
        return self.total > len(self.entries)


def needs_attention(coach_id: int, thresholds: Thresholds,
                    today: date | None = None) -> list[AttentionEntry]:
    """The coach's enrollments that trigger at least one signal, in one SQL statement.

    Boundaries: a signal measured in days fires once *more* than the threshold
    has passed (14 days without contact is fine, the 15th day is flagged); the
    no-show streak fires at the threshold (2 no-shows in a row with streak 2);
    a follow-up fires when due within ``follow_up_days`` days from today
    (inclusive) or overdue. Exited enrollments only raise follow-up signals.
    The list is sorted most pressing first: most reasons, then by name.
    """
    today = today or date.today()
    params = _attention_params(coach_id, thresholds, today)
    return [_attention_entry(row, today)
            for row in execute_columns(_attention_statements().whole, params).mappings()]


def attention_page(coach_id: int, thresholds: Thresholds, page: int = 1, per_page: int = 50,
                   today: date | None = None) -> AttentionPage:
    """One page of :func:`needs_attention`'s list, with its total, in one SQL statement.

    Window functions number the listed enrollments and count them, so the
    rows outside the page never leave the database and no second statement
    counts them. A ``page`` past the end shows the last page (as the other
    paged lists do), clamped in the same statement.
    """
    today = today or date.today()
    params = _attention_params(coach_id, thresholds, today)
    params["page"] = min(max(page, 1), 2**31 - 1)  # a bindable int on every database
    params["per_page"] = per_page
    rows = execute_columns(_attention_statements().paged, params).mappings().all()
    if not rows:
        return AttentionPage(entries=[], total=0, page=1, per_page=per_page)
    return AttentionPage(
        entries=[_attention_entry(row, today) for row in rows],
        total=rows[0]["total"], page=rows[0]["shown_page"], per_page=per_page,
    )


@dataclass(frozen=True)
class _AttentionStatements:
    whole: sa.Select  # the whole list, most pressing first
    paged: sa.Select  # one page of it, with the list's length (see attention_page)


def _attention_params(coach_id: int, thresholds: Thresholds, today: date) -> dict:
    """The values bound into :func:`_attention_statements`."""
    return {
        "coach_id": coach_id,
        "today": today,
        "contact_cutoff": today - timedelta(days=thresholds.no_contact_days),
        "step_cutoff": today - timedelta(days=thresholds.no_step_days),
        "follow_up_horizon": today + timedelta(days=thresholds.follow_up_days),
        "no_show_streak": thresholds.no_show_streak,
    }


@functools.cache
def _attention_statements() -> _AttentionStatements:
    """The attention list's statements, built once with bound parameters.

    Building this statement and its cache key took about 5 ms per caseload view,
    a fifth of the page; executing the same object again reuses both.
    """
    listed, order = _attention_statement()
    # The cohort's name is only shown, never sorted on: joined last, to the rows
    # that leave the database (a page's eight rather than the whole list).
    whole = (
        sa.select(*_attention_columns(listed))
        .join(Cohort, Cohort.id == listed.c.cohort_id)
        .order_by(*order)
    )
    numbered = sa.select(
        listed,
        sa.func.row_number().over(order_by=order).label("list_position"),
        sa.func.count().over().label("total"),
    ).subquery("numbered")
    total = numbered.c.total
    page = sa.bindparam("page", type_=sa.Integer)
    per_page = sa.bindparam("per_page", type_=sa.Integer)
    # At least one row exists wherever this is evaluated, so total >= 1.
    last_page = (total + (per_page - 1)) // per_page
    shown_page = sa.case((page > last_page, last_page), else_=page)
    first = (shown_page - 1) * per_page
    paged = (
        sa.select(*_attention_columns(numbered), numbered.c.total,
                  shown_page.label("shown_page"))
        .join(Cohort, Cohort.id == numbered.c.cohort_id)
        .where(numbered.c.list_position > first, numbered.c.list_position <= first + per_page)
        .order_by(numbered.c.list_position)
    )
    return _AttentionStatements(whole=whole, paged=paged)


_ATTENTION_FLAGS = ("no_contact", "no_shows", "overdue", "no_step")


def _attention_columns(listed) -> list:
    """The columns :func:`_attention_entry` reads, from the listed rows and the cohort."""
    c = listed.c
    return [
        c.enrollment_id, c.first_name, c.last_name, Cohort.name.label("cohort_name"),
        c.status, c.enrolled_on, c.last_attended_on, c.overdue_items, c.streak,
        *(c[f"follow_up_{m}"] for m in FOLLOW_UP_MONTHS),
        *(c[name] for name in _ATTENTION_FLAGS),
    ]


def _attention_statement():
    """The listed enrollments, unordered, and their order (most pressing first).

    A subquery with the columns :func:`_attention_entry` reads, the cohort's name
    aside: the caller joins it to the rows it returns. Its values are the bound
    parameters of :func:`_attention_params`.

    Open and exited enrollments are listed by the two branches of a UNION ALL: an
    exited enrollment can only raise follow-up signals, and the exited ones are most
    of a caseload (350 of the bench coach's 410). Each branch takes its follow-ups
    from one grouped join on the partial index of the follow-ups still to record,
    instead of a check and three lookups per enrollment. With the no-show streak
    started at the last attended contact, the bench coach's page (100k participants)
    went from 2.1 to 1.4 ms on SQLite and from 4.3 to 2.6 ms on PostgreSQL.
    """
    coach_id = sa.bindparam("coach_id", type_=sa.Integer)
    today = sa.bindparam("today", type_=sa.Date)
    contact_cutoff = sa.bindparam("contact_cutoff", type_=sa.Date)
    step_cutoff = sa.bindparam("step_cutoff", type_=sa.Date)
    follow_up_horizon = sa.bindparam("follow_up_horizon", type_=sa.Date)
    no_show_streak = sa.bindparam("no_show_streak", type_=sa.Integer)
    exited = EnrollmentStatus.exited

    last_attended = _last_attended_on(today)
    overdue_items = (
        sa.select(sa.func.count(PlanItem.id))
        .where(
            PlanItem.enrollment_id == Enrollment.id,
            PlanItem.due_on < today,
            PlanItem.done_on.is_(None),
        )
        .correlate(Enrollment)
        .scalar_subquery()
    )
    step_started = (
        sa.select(JourneyStep.id)
        .where(
            JourneyStep.enrollment_id == Enrollment.id,
            sa.or_(
                JourneyStep.status.in_([inline_enum(StepStatus.in_progress),
                                        inline_enum(StepStatus.done)]),
                JourneyStep.started_on.is_not(None),
            ),
        )
        .correlate(Enrollment)
        .exists()
    )

    # The run of no-shows at the newest end: the no-shows (up to today) that no
    # attended activity comes after. Planned and cancelled ones neither break nor
    # extend a streak. A correlated count per enrollment walks the activity index;
    # ranking every activity of the caseload with a window function cost 2 ms.
    # A no-show dated before the last attended contact is always followed by it, so
    # the count starts on that date (at the first activity when there is none): the
    # range is the last few activities, and only that day's are left to order.
    # Counting every no-show, each checked against the later meetings, cost a fifth
    # of the statement on SQLite and PostgreSQL.
    missed = orm.aliased(Activity, name="missed")
    attended = orm.aliased(Activity, name="attended")
    broken = (
        sa.select(attended.id)
        .where(
            attended.enrollment_id == missed.enrollment_id,
            attended.attendance == Attendance.attended,
            attended.date >= missed.date,  # lets the index narrow the range
            attended.date <= today,
            _comes_after(attended, missed),
        )
        .exists()
    )
    streak = (
        sa.select(sa.func.count())
        .select_from(missed)
        .where(
            missed.enrollment_id == Enrollment.id,
            missed.attendance == Attendance.no_show,
            missed.date >= sa.func.coalesce(last_attended, sa.literal(date.min, sa.Date)),
            missed.date <= today,
            ~broken,
        )
        .correlate(Enrollment)
        .scalar_subquery()
    )

    # The follow-ups still to record that are due by the horizon, joined to their
    # enrollment: (enrollment_id, months_after) is unique, so each MAX below is that
    # follow-up's due date, or NULL.
    pending = sa.and_(
        FollowUp.enrollment_id == Enrollment.id,
        FollowUp.recorded_on.is_(None),
        FollowUp.due_on <= follow_up_horizon,
    )
    follow_ups = [
        sa.func.max(sa.case((FollowUp.months_after == m, FollowUp.due_on))).label(f"follow_up_{m}")
        for m in FOLLOW_UP_MONTHS
    ]

    # Open enrollments: every fact once per enrollment, grouped by (status, id) so
    # that SQLite groups in the order it reads the (coach_id, status) index, without
    # sorting. A no-op OFFSET keeps these facts a subquery of their own (SQLite and
    # PostgreSQL merge no subquery that has one, nor push conditions into it): merged,
    # SQLite evaluated every correlated subquery once more for the WHERE below.
    open_facts = (
        sa.select(
            Enrollment.id.label("enrollment_id"),
            Enrollment.participant_id,
            Enrollment.cohort_id,
            Enrollment.status,
            Enrollment.enrolled_on,
            last_attended.label("last_attended_on"),
            overdue_items.label("overdue_items"),
            step_started.label("step_started"),
            streak.label("streak"),
            *follow_ups,
        )
        .outerjoin(FollowUp, pending)
        .where(_open_enrollments(coach_id))
        .group_by(Enrollment.status, Enrollment.id)
        .offset(0)
        .subquery("open_facts")
    )
    o = open_facts.c
    contact_on = sa.func.coalesce(o.last_attended_on, o.enrolled_on)
    signals = {
        "no_contact": contact_on < contact_cutoff,
        "no_shows": o.streak >= no_show_streak,
        "overdue": o.overdue_items > 0,
        "no_step": sa.and_(o.step_started == sa.false(), o.enrolled_on < step_cutoff),
    }
    open_follow_ups = [o[f"follow_up_{m}"] for m in FOLLOW_UP_MONTHS]
    open_listed = sa.select(
        o.enrollment_id, o.participant_id, o.cohort_id, o.status, o.enrolled_on,
        o.last_attended_on, o.overdue_items, o.streak, *open_follow_ups,
        *(_flag(cond).label(name) for name, cond in signals.items()),
    ).where(sa.or_(*signals.values(), *(col.is_not(None) for col in open_follow_ups)))

    # Exited enrollments are listed for their follow-ups alone (their activities,
    # plan and steps are not read): the inner join keeps those with one pending.
    # Their columns line up with the open branch's; no other signal fires.
    exited_listed = (
        sa.select(
            Enrollment.id, Enrollment.participant_id, Enrollment.cohort_id,
            Enrollment.status, Enrollment.enrolled_on,
            sa.null(), sa.null(), sa.literal(0, sa.Integer),  # last contact, plan, streak
            *follow_ups,
            *(sa.literal(0, sa.Integer) for _ in _ATTENTION_FLAGS),
        )
        .join(FollowUp, pending)
        .where(Enrollment.coach_id == coach_id, Enrollment.status == inline_enum(exited))
        .group_by(Enrollment.id)
    )
    flagged = sa.union_all(open_listed, exited_listed).subquery("flagged")
    # The participant's name is sorted on, so it is joined to every listed row.
    listed = (
        sa.select(flagged, Participant.first_name, Participant.last_name)
        .join(Participant, Participant.id == flagged.c.participant_id)
        .subquery("listed")
    )
    c = listed.c
    reason_count = sum((c[name] for name in _ATTENTION_FLAGS), sa.literal(0)) + sum(
        (_flag(c[f"follow_up_{m}"].is_not(None)) for m in FOLLOW_UP_MONTHS), sa.literal(0)
    )
    return listed, [reason_count.desc(), c.last_name, c.first_name, c.enrollment_id]


def _comes_after(a, b):
    """Whether activity ``a`` is newer than ``b`` on the activity list: a later date;
    on the same date timed after untimed (NULL order differs between databases),
    then the later time, then the later-recorded one."""
    same_time = sa.or_(a.time == b.time, sa.and_(a.time.is_(None), b.time.is_(None)))
    return sa.or_(
        a.date > b.date,
        sa.and_(
            a.date == b.date,
            sa.or_(
                sa.and_(a.time.is_not(None), b.time.is_(None)),
                a.time > b.time,
                sa.and_(same_time, a.id > b.id),
            ),
        ),
    )


def _attention_entry(row, today: date) -> AttentionEntry:
    reference = row["last_attended_on"] or row["enrolled_on"]
    pending = [
        PendingFollowUp(m, row[f"follow_up_{m}"], row[f"follow_up_{m}"] < today)
        for m in FOLLOW_UP_MONTHS
        if row[f"follow_up_{m}"] is not None
    ]
    return AttentionEntry(
        enrollment_id=row["enrollment_id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        cohort_name=row["cohort_name"],
        status=EnrollmentStatus(row["status"]),
        enrolled_on=row["enrolled_on"],
        last_contact_on=row["last_attended_on"],
        days_without_contact=(today - reference).days if row["no_contact"] else None,
        no_show_streak=row["streak"] if row["no_shows"] else None,
        overdue_plan_items=row["overdue_items"] if row["overdue"] else 0,
        follow_ups=sorted(pending, key=lambda p: p.due_on),
        days_without_step=(today - row["enrolled_on"]).days if row["no_step"] else None,
    )
