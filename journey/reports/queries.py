"""The cohort report: every number of shared/DOMAIN.md "Report definitions".

``cohort_report(cohort, as_of)`` runs a fixed number of SQL statements
whatever the cohort's size (aggregates with GROUP BY / CASE; one narrow
SELECT of plain tuples, one row per enrollment, for the time-to-outcome
statistics) and returns plain dataclasses. The same ``CohortReport`` feeds the
JSON (``report_to_json``), the CLI and the PDF.

Decisions the definitions leave open, made here once:

- The base set is the cohort's enrollments with ``enrolled_on <= as_of``;
  anything about an enrollment enrolled later is left out everywhere
  (exits, steps, activities, follow-ups, assessments).
- Funnel: the steps' *current* status (step history is not kept), so a
  report with an earlier ``as_of`` still shows today's step progress. The
  name and kind of a position come from the step of the lowest enrollment id
  at that position (steps are copies of the templates, so they rarely differ).
- Follow-ups at 6 months count as recorded when ``recorded_on <= as_of``;
  pending = due (``due_on <= as_of``) and not recorded by then.
- Distance travelled: per enrollment and area, the scores of assessments
  taken on or before ``as_of``, ordered by date (then id); an enrollment counts
  for an area when at least two of its assessments scored that area. Change =
  latest − first; improved = change >= 2. Every area is listed (n = 0 → nulls).
- Age at enrollment in whole years (birthday reached on the same month-day).
  Long-term unemployed at entry: ``unemployed_months_at_entry`` > 12, or > 6
  when under 25 at enrollment; ``unknown`` when the months are missing, or
  when 7–12 months and the birth date is missing.
- Breakdowns list every value of an enum (zeros included, enum order), so
  cohorts compare row by row; districts are sorted, with ``unknown`` ("" in
  the data) last. Suppression: see ``stats.suppress``; a row with any hidden
  cell also hides its rate.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from journey.cohorts.models import Cohort
from journey.enums import (
    ISCED_BAND,
    OUTCOME_GROUP,
    AssessmentArea,
    Attendance,
    BirthRegion,
    FollowUpStatus,
    Gender,
    Outcome,
    StepStatus,
)
from journey.extensions import db
from journey.journeys.models import Assessment, AssessmentScore, JourneyStep
from journey.outcomes.models import ExitOutcome, FollowUp
from journey.participants.models import Enrollment, Participant
from journey.reports import stats

MONTHS = 24
BREAKDOWN_COLUMNS = ("enrolled", "leavers", "job_or_studies")
AGE_BANDS = ("<18", "18-29", "30-54", "55+", "unknown")
YES_NO_UNKNOWN = ("yes", "no", "unknown")
ISCED_KEYS = ("isced_0_2", "isced_3_4", "isced_5_8", "unknown")
UNKNOWN = "unknown"
# The JSON key of each outcome code: the ``studies`` code would clash with the group.
OUTCOME_KEYS = {o.value: ("studies_regular" if o == Outcome.studies else o.value)
                for o in Outcome}
JOB_OR_STUDIES = tuple(o.value for o, group in OUTCOME_GROUP.items()
                       if group in ("job", "studies"))
POSITIVE_FOLLOW_UP = (FollowUpStatus.employed.value, FollowUpStatus.self_employed.value,
                      FollowUpStatus.studies.value)


# --- dataclasses --------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortInfo:
    id: int
    name: str
    program: str
    starts_on: date
    ends_on: date | None


@dataclass(frozen=True)
class Counts:
    enrolled: int
    active: int
    leavers: int
    job: int
    studies: int
    other: int
    job_unsubsidized: int
    job_subsidized: int
    self_employed: int
    studies_regular: int  # the ``studies`` outcome code
    training: int
    job_seeking: int
    neutral: int
    dropout_unknown: int
    qualification_gained: int

    def outcome(self, code: str) -> int:
        """The count of an ``Outcome`` code (``"studies"`` is ``studies_regular``)."""
        return getattr(self, OUTCOME_KEYS[str(code)])


@dataclass(frozen=True)
class Rate:
    value: float | None
    numerator: int
    denominator: int
    ci_low: float | None
    ci_high: float | None

    @classmethod
    def of(cls, numerator: int, denominator: int) -> "Rate":
        """A share with its 95 % Wilson interval; all ``None`` when the denominator is 0."""
        interval = stats.wilson_interval(numerator, denominator)
        return cls(
            value=stats.share(numerator, denominator),
            numerator=numerator,
            denominator=denominator,
            ci_low=interval[0] if interval else None,
            ci_high=interval[1] if interval else None,
        )


@dataclass(frozen=True)
class Rates:
    job_or_studies: Rate
    job_or_studies_excl_neutral: Rate
    job: Rate
    studies: Rate


@dataclass(frozen=True)
class CumulativePoint:
    month: int
    share: float


@dataclass(frozen=True)
class TimeToOutcome:
    n: int  # leavers with a job/studies outcome (the median's population)
    median_days: float | None
    q1_days: float | None
    q3_days: float | None
    cumulative: list[CumulativePoint]


@dataclass(frozen=True)
class FunnelStep:
    position: int
    name: str
    kind: str
    reached: int  # in_progress or done
    done: int


@dataclass(frozen=True)
class AttendanceSummary:
    attended: int
    no_show: int
    rate: float | None


@dataclass(frozen=True)
class Sustained:
    positive: int
    recorded: int
    pending: int
    unknown: int
    rate: float | None


@dataclass(frozen=True)
class DistanceRow:
    area: str
    n: int
    mean_change: float | None
    improved_share: float | None


@dataclass(frozen=True)
class BreakdownRow:
    """One row of a breakdown, already suppressed: hidden counts are ``None``."""

    key: str
    enrolled: int | None
    leavers: int | None
    job_or_studies: int | None
    rate: float | None
    suppressed: bool  # any cell of the row hidden
    suppressed_cells: frozenset[str]  # which of BREAKDOWN_COLUMNS are hidden
    # The hidden cells that are small (1–4) themselves; the others were hidden only
    # so that a small one cannot be worked out, and must not be labelled "<5".
    small_cells: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CohortReport:
    cohort: CohortInfo
    as_of: date
    counts: Counts
    rates: Rates
    time_to_outcome: TimeToOutcome
    funnel: list[FunnelStep]
    attendance: AttendanceSummary
    sustained_6m: Sustained
    distance_travelled: list[DistanceRow]
    # gender, age_band, birth_region, isced, long_term_unemployed, district (this order)
    breakdowns: dict[str, list[BreakdownRow]]
    cost_per_outcome_sek: float | None


# --- SQL helpers --------------------------------------------------------------------------


class _ymd(FunctionElement):
    """A date as the integer YYYYMMDD (for whole-year ages that work on both databases)."""

    type = sa.Integer()
    inherit_cache = True


@compiles(_ymd)
def _ymd_default(element, compiler, **kw):
    # SQLite's paramstyle is qmark, so the % signs stay as written.
    return f"CAST(strftime('%Y%m%d', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(_ymd, "postgresql")
def _ymd_postgresql(element, compiler, **kw):
    return f"CAST(to_char({compiler.process(element.clauses, **kw)}, 'YYYYMMDD') AS INTEGER)"


class _days_between(FunctionElement):
    """Whole days from the second date to the first (both databases)."""

    type = sa.Integer()
    inherit_cache = True


@compiles(_days_between)
def _days_between_default(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    # julianday() of two midnights differs by an exact whole number.
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(_days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"({later} - {earlier})"


def _count_if(condition) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _in_cohort(cohort_id: int, as_of: date):
    return sa.and_(Enrollment.cohort_id == cohort_id, Enrollment.enrolled_on <= as_of)


def _is_leaver(as_of: date):
    return sa.and_(ExitOutcome.id.is_not(None), ExitOutcome.exited_on <= as_of)


# --- the report ---------------------------------------------------------------------------


def cohort_report(cohort: Cohort, as_of: date) -> CohortReport:
    """Every number of the cohort report as of ``as_of`` (a fixed number of queries)."""
    groups = _enrollment_groups(cohort.id, as_of)
    counts = _counts(groups)
    job_or_studies = counts.job + counts.studies
    rates = Rates(
        job_or_studies=Rate.of(job_or_studies, counts.leavers),
        job_or_studies_excl_neutral=Rate.of(job_or_studies, counts.leavers - counts.neutral),
        job=Rate.of(counts.job, counts.leavers),
        studies=Rate.of(counts.studies, counts.leavers),
    )
    cost = None
    if cohort.cost_sek is not None and job_or_studies > 0:
        cost = cohort.cost_sek / job_or_studies
    return CohortReport(
        cohort=CohortInfo(id=cohort.id, name=cohort.name, program=cohort.program.name,
                          starts_on=cohort.starts_on, ends_on=cohort.ends_on),
        as_of=as_of,
        counts=counts,
        rates=rates,
        time_to_outcome=_time_to_outcome(groups),
        funnel=_funnel(cohort.id, as_of),
        attendance=_attendance(cohort.id, as_of),
        sustained_6m=_sustained(cohort.id, as_of),
        distance_travelled=_distance(cohort.id, as_of),
        breakdowns={name: _suppressed_rows(table) for name, table in groups.tables.items()},
        cost_per_outcome_sek=cost,
    )


# --- the enrollments: outcomes, times and breakdowns in one statement -------------------


@dataclass
class _EnrollmentGroups:
    # outcome code (None while active) -> [enrollments, of them qualification gained]
    outcomes: dict[str | None, list[int]]
    # days -> [events, competing exits, censored] (see stats.aalen_johansen_cumulative)
    times: dict[int, list[int]]
    # breakdown name -> key -> [enrolled, leavers, job_or_studies] (unsuppressed)
    tables: dict[str, dict[str, list[int]]]


TIME_KINDS = (stats.EVENT, stats.COMPETING, stats.CENSORED)
# The breakdowns grouped in SQL; isced and district keys are then merged in Python
# (education level -> ISCED band; district text trimmed, empty -> unknown).
_GROUPED_DIMENSIONS = ("gender", "age_band", "birth_region", "education_level",
                       "long_term", "district")


def _enrollment_groups(cohort_id: int, as_of: date) -> _EnrollmentGroups:
    """The cohort's enrollments grouped three ways, in one statement.

    One row per enrollment (joined to its participant and exit) is built once as a
    CTE; UNION ALL branches then group it by outcome code, by (time kind, days)
    for the time-to-outcome statistics, and by each breakdown dimension. The
    database returns a few hundred small rows, whatever the cohort's size.
    """
    # Whole years at enrollment: (YYYYMMDD of enrolled_on − YYYYMMDD of birth) // 10000.
    age_diff = _ymd(Enrollment.enrolled_on) - _ymd(Participant.birth_date)
    age_band = sa.case(
        (Participant.birth_date.is_(None), UNKNOWN),
        (age_diff < 180000, "<18"),
        (age_diff < 300000, "18-29"),
        (age_diff < 550000, "30-54"),
        else_="55+",
    )
    months = Enrollment.unemployed_months_at_entry
    long_term = sa.case(
        (months.is_(None), UNKNOWN),
        (months > 12, "yes"),
        (months <= 6, "no"),
        (Participant.birth_date.is_(None), UNKNOWN),
        (age_diff < 250000, "yes"),
        else_="no",
    )
    leaver = _is_leaver(as_of)
    job_or_studies = sa.and_(leaver, ExitOutcome.outcome.in_(JOB_OR_STUDIES))

    def text(column):  # plain strings: no enum conversion of each row in Python
        return sa.type_coerce(column, sa.String)

    per_enrollment = (
        sa.select(
            sa.case((leaver, text(ExitOutcome.outcome)), else_=sa.null()).label("outcome"),
            sa.case((sa.and_(leaver, ExitOutcome.qualification_gained.is_(True)), 1),
                    else_=0).label("qualified"),
            sa.case((job_or_studies, stats.EVENT), (leaver, stats.COMPETING),
                    else_=stats.CENSORED).label("time_kind"),
            sa.case((leaver, _days_between(ExitOutcome.exited_on, Enrollment.enrolled_on)),
                    else_=_days_between(sa.literal(as_of, sa.Date), Enrollment.enrolled_on))
            .label("days"),
            text(Participant.gender).label("gender"),
            age_band.label("age_band"),
            text(Participant.birth_region).label("birth_region"),
            text(Participant.education_level).label("education_level"),
            long_term.label("long_term"),
            Participant.district.label("district"),
            sa.case((leaver, 1), else_=0).label("leaver"),
            sa.case((job_or_studies, 1), else_=0).label("job_or_studies"),
        )
        .select_from(Enrollment)
        .join(Participant, Participant.id == Enrollment.participant_id)
        .outerjoin(ExitOutcome, ExitOutcome.enrollment_id == Enrollment.id)
        .where(_in_cohort(cohort_id, as_of))
        .cte("per_enrollment")
    )
    e = per_enrollment.c

    def branch(name: str, key, days, second, third, *group_by):
        return sa.select(
            sa.literal_column(f"'{name}'").label("dimension"),
            key.label("key"),
            days.label("days"),
            sa.func.count().label("n"),
            second.label("second"),
            third.label("third"),
        ).group_by(*group_by)

    zero = sa.literal_column("0")
    statement = sa.union_all(
        branch("outcome", e.outcome, zero, sa.func.sum(e.qualified), zero, e.outcome),
        branch("time", e.time_kind, e.days, zero, zero, e.time_kind, e.days),
        *(branch(name, e[name], zero, sa.func.sum(e.leaver), sa.func.sum(e.job_or_studies),
                 e[name])
          for name in _GROUPED_DIMENSIONS),
    )

    groups = _EnrollmentGroups(
        outcomes={},
        times={},
        tables={
            "gender": {g.value: [0, 0, 0] for g in Gender},
            "age_band": {k: [0, 0, 0] for k in AGE_BANDS},
            "birth_region": {r.value: [0, 0, 0] for r in BirthRegion},
            "isced": {k: [0, 0, 0] for k in ISCED_KEYS},
            "long_term_unemployed": {k: [0, 0, 0] for k in YES_NO_UNKNOWN},
            "district": {},
        },
    )
    table_of = {"education_level": "isced", "long_term": "long_term_unemployed"}
    for dimension, key, days, n, second, third in db.session.execute(statement):
        if dimension == "outcome":
            groups.outcomes[key] = [n, int(second)]
        elif dimension == "time":
            groups.times.setdefault(int(days), [0, 0, 0])[TIME_KINDS.index(key)] += n
        else:
            if dimension == "education_level":
                key = ISCED_BAND.get(key, UNKNOWN)
            elif dimension == "district":
                key = (key or "").strip() or UNKNOWN
            cell = groups.tables[table_of.get(dimension, dimension)].setdefault(key, [0, 0, 0])
            cell[0] += n
            cell[1] += int(second)
            cell[2] += int(third)
    districts = groups.tables["district"]
    groups.tables["district"] = {k: districts[k] for k in sorted(districts, key=lambda k: (
        k == UNKNOWN, k.casefold()))}
    return groups


def _counts(groups: _EnrollmentGroups) -> Counts:
    per_code = {code: 0 for code in OUTCOME_KEYS}
    active = qualification = 0
    for code, (n, qualified) in groups.outcomes.items():
        if code is None:
            active += n
        else:
            per_code[code] += n
        qualification += qualified
    by_group = {"job": 0, "studies": 0, "other": 0}
    for code, n in per_code.items():
        by_group[OUTCOME_GROUP[Outcome(code)]] += n
    leavers = sum(per_code.values())
    return Counts(
        enrolled=active + leavers, active=active, leavers=leavers,
        **by_group,
        **{OUTCOME_KEYS[code]: n for code, n in per_code.items()},
        qualification_gained=qualification,
    )


def _time_to_outcome(groups: _EnrollmentGroups) -> TimeToOutcome:
    # The quartiles are of the leavers with a job or studies: each day repeated by
    # its number of such exits (at most the cohort's size, already sorted).
    outcome_days = [days for days in sorted(groups.times)
                    for _ in range(groups.times[days][0])]
    q = stats.quartiles(outcome_days)
    cumulative = stats.aalen_johansen_from_counts(groups.times, MONTHS)
    return TimeToOutcome(
        n=len(outcome_days),
        median_days=q.median if q else None,
        q1_days=q.q1 if q else None,
        q3_days=q.q3 if q else None,
        cumulative=[CumulativePoint(month=m, share=s) for m, s in enumerate(cumulative, 1)],
    )


def breakdown_counts(cohort_id: int, as_of: date) -> dict[str, dict[str, list[int]]]:
    """Unsuppressed ``[enrolled, leavers, job_or_studies]`` per breakdown and key.

    For use inside the app only; what leaves it goes through ``cohort_report``,
    whose breakdowns are suppressed.
    """
    return _enrollment_groups(cohort_id, as_of).tables


def _funnel(cohort_id: int, as_of: date) -> list[FunnelStep]:
    reached = JourneyStep.status.in_((StepStatus.in_progress, StepStatus.done))
    per_position = (
        sa.select(
            JourneyStep.position.label("position"),
            sa.func.min(JourneyStep.enrollment_id).label("first_enrollment_id"),
            _count_if(reached).label("reached"),
            _count_if(JourneyStep.status == StepStatus.done).label("done"),
        )
        .join(Enrollment, Enrollment.id == JourneyStep.enrollment_id)
        .where(_in_cohort(cohort_id, as_of))
        .group_by(JourneyStep.position)
        .subquery()
    )
    named = aliased(JourneyStep)
    rows = db.session.execute(
        sa.select(per_position.c.position, named.name, named.kind,
                  per_position.c.reached, per_position.c.done)
        .join(named, sa.and_(named.enrollment_id == per_position.c.first_enrollment_id,
                             named.position == per_position.c.position))
        .order_by(per_position.c.position)
    ).all()
    return [
        FunnelStep(position=position, name=name, kind=str(getattr(kind, "value", kind)),
                   reached=int(n_reached), done=int(n_done))
        for position, name, kind, n_reached, n_done in rows
    ]


def _attendance(cohort_id: int, as_of: date) -> AttendanceSummary:
    from journey.activities.models import Activity

    attended, no_show = db.session.execute(
        sa.select(_count_if(Activity.attendance == Attendance.attended),
                  _count_if(Activity.attendance == Attendance.no_show))
        .select_from(Activity)
        .join(Enrollment, Enrollment.id == Activity.enrollment_id)
        .where(_in_cohort(cohort_id, as_of), Activity.date <= as_of)
    ).one()
    attended, no_show = int(attended), int(no_show)
    return AttendanceSummary(attended=attended, no_show=no_show,
                             rate=stats.share(attended, attended + no_show))


def _sustained(cohort_id: int, as_of: date) -> Sustained:
    recorded = sa.and_(FollowUp.recorded_on.is_not(None), FollowUp.recorded_on <= as_of)
    row = db.session.execute(
        sa.select(
            _count_if(sa.and_(recorded, FollowUp.status.in_(POSITIVE_FOLLOW_UP))),
            _count_if(recorded),
            _count_if(sa.and_(FollowUp.due_on <= as_of, sa.not_(recorded))),
            _count_if(sa.and_(recorded, FollowUp.status == FollowUpStatus.unknown)),
        )
        .select_from(FollowUp)
        .join(Enrollment, Enrollment.id == FollowUp.enrollment_id)
        .where(_in_cohort(cohort_id, as_of), FollowUp.months_after == 6)
    ).one()
    positive, n_recorded, pending, unknown = (int(v) for v in row)
    return Sustained(positive=positive, recorded=n_recorded, pending=pending, unknown=unknown,
                     rate=stats.share(positive, n_recorded))


def _distance(cohort_id: int, as_of: date) -> list[DistanceRow]:
    # Each enrollment's first and latest assessment up to as_of, ranked on the
    # assessments themselves (one row each, not seven scores each: a fraction of
    # the sorting). Every assessment scores all areas (record_assessment insists),
    # so "first and latest assessment" is "first and latest score" per area.
    # Both windows share one ordering (the count over the whole partition), so the
    # database sorts the assessments once rather than twice.
    in_order = {"partition_by": Assessment.enrollment_id,
                "order_by": (Assessment.taken_on, Assessment.id)}
    ranked = (
        sa.select(
            Assessment.id.label("assessment_id"),
            Assessment.enrollment_id.label("enrollment_id"),
            sa.func.row_number().over(**in_order).label("position"),
            sa.func.count().over(**in_order, rows=(None, None)).label("taken"),
        )
        .join(Enrollment, Enrollment.id == Assessment.enrollment_id)
        .where(_in_cohort(cohort_id, as_of), Assessment.taken_on <= as_of)
        .subquery()
    )
    if db.session.get_bind().dialect.name == "postgresql":
        per_enrollment = _score_changes_by_lateral(ranked)
    else:
        per_enrollment = _score_changes_by_pairs(ranked)
    rows = db.session.execute(
        sa.select(
            per_enrollment.c.area,
            sa.func.count(),
            sa.func.sum(per_enrollment.c.change),
            _count_if(per_enrollment.c.change >= 2),
        ).group_by(per_enrollment.c.area)
    ).all()
    by_area = {str(getattr(a, "value", a)): (int(n), int(total), int(improved))
               for a, n, total, improved in rows}
    result = []
    for area in AssessmentArea:
        n, total, improved = by_area.get(area.value, (0, 0, 0))
        result.append(DistanceRow(area=area.value, n=n, mean_change=stats.share(total, n),
                                  improved_share=stats.share(improved, n)))
    return result


def _first_and_last(ranked) -> sa.Subquery:
    """(first_id, last_id): each enrollment's first and latest assessment, for the
    enrollments with at least two."""
    return (
        sa.select(
            sa.func.max(sa.case((ranked.c.position == 1, ranked.c.assessment_id)))
            .label("first_id"),
            sa.func.max(sa.case((ranked.c.position == ranked.c.taken, ranked.c.assessment_id)))
            .label("last_id"),
        )
        .where(ranked.c.taken >= 2)
        .group_by(ranked.c.enrollment_id)
        .subquery()
    )


def _score_changes_by_pairs(ranked) -> sa.Subquery:
    """(area, change) per enrollment and area both assessments scored: the first and
    the latest assessment's scores joined area by area. SQLite plans this as index
    lookups (no sort of 66 000 score rows at N = 100 000); PostgreSQL hashes all
    1.7 million scores for it, hence :func:`_score_changes_by_lateral` there.
    """
    bounds = _first_and_last(ranked)
    first_score, last_score = aliased(AssessmentScore), aliased(AssessmentScore)
    return (
        sa.select(first_score.area.label("area"),
                  (last_score.score - first_score.score).label("change"))
        .select_from(bounds)
        .join(first_score, first_score.assessment_id == bounds.c.first_id)
        .join(last_score, sa.and_(last_score.assessment_id == bounds.c.last_id,
                                  last_score.area == first_score.area))
        .subquery()
    )


def _score_changes_by_lateral(ranked) -> sa.Subquery:
    """The rows of :func:`_score_changes_by_pairs` for PostgreSQL: per enrollment, a
    LATERAL join of its two assessments' scores (two index scans merged on area).

    OFFSET 0 keeps PostgreSQL from flattening the LATERAL subquery back into the
    join it plans badly. At N = 100 000: 48 ms, where summing the signed scores per
    (enrollment, area) took 72 ms and the plain pairs join 190 ms or more.
    """
    bounds = _first_and_last(ranked)
    first_score, last_score = aliased(AssessmentScore), aliased(AssessmentScore)
    pair = (
        sa.select(first_score.area.label("area"),
                  (last_score.score - first_score.score).label("change"))
        .join(last_score, sa.and_(last_score.assessment_id == bounds.c.last_id,
                                  last_score.area == first_score.area))
        .where(first_score.assessment_id == bounds.c.first_id)
        .offset(0)
        .lateral("pair")
    )
    return (
        sa.select(pair.c.area, pair.c.change)
        .select_from(bounds)
        .join(pair, sa.true())
        .subquery()
    )


def _suppressed_rows(table: dict[str, list[int]]) -> list[BreakdownRow]:
    raw = [dict(zip(BREAKDOWN_COLUMNS, cells, strict=True)) for cells in table.values()]
    hidden = stats.suppress(raw, BREAKDOWN_COLUMNS)
    rows = []
    for key, cells, hide in zip(table, raw, hidden, strict=True):
        shown = {c: (None if c in hide else cells[c]) for c in BREAKDOWN_COLUMNS}
        rows.append(BreakdownRow(
            key=key,
            **shown,
            rate=None if hide else stats.share(cells["job_or_studies"], cells["leavers"]),
            suppressed=bool(hide),
            suppressed_cells=hide,
            small_cells=frozenset(c for c in hide if stats.is_small(cells[c])),
        ))
    return rows


# --- JSON ---------------------------------------------------------------------------------


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _rate_json(rate: Rate) -> dict:
    return {"value": _r(rate.value), "numerator": rate.numerator,
            "denominator": rate.denominator, "ci_low": _r(rate.ci_low),
            "ci_high": _r(rate.ci_high)}


def annotate_small_cells(data: dict, report: CohortReport) -> dict:
    """Add ``_small`` (hidden cells that are 1–4) to the breakdown rows of ``data``.

    For the app's own page and PDF only: the public JSON keeps DOMAIN.md's keys.
    """
    for name, rows in report.breakdowns.items():
        for row, out in zip(rows, data["breakdowns"][name], strict=True):
            out["_small"] = sorted(row.small_cells)
    return data


def report_to_json(report: CohortReport) -> dict:
    """The report as the JSON of shared/DOMAIN.md "Report JSON" (those keys, no others).

    Shares and rates are fractions rounded to 3 decimals; days and mean changes
    to 1 and 2 decimals; the cost per outcome to whole kronor.
    """
    c, t = report.counts, report.time_to_outcome
    return {
        "cohort": {
            "id": report.cohort.id,
            "name": report.cohort.name,
            "program": report.cohort.program,
            "starts_on": report.cohort.starts_on.isoformat(),
            "ends_on": report.cohort.ends_on.isoformat() if report.cohort.ends_on else None,
        },
        "as_of": report.as_of.isoformat(),
        "counts": {
            "enrolled": c.enrolled, "active": c.active, "leavers": c.leavers,
            "job": c.job, "studies": c.studies, "other": c.other,
            **{key: getattr(c, key) for key in OUTCOME_KEYS.values()},
            "qualification_gained": c.qualification_gained,
        },
        "rates": {
            "job_or_studies": _rate_json(report.rates.job_or_studies),
            "job_or_studies_excl_neutral": _rate_json(report.rates.job_or_studies_excl_neutral),
            "job": _rate_json(report.rates.job),
            "studies": _rate_json(report.rates.studies),
        },
        "time_to_outcome": {
            "median_days": _r(t.median_days, 1),
            "q1_days": _r(t.q1_days, 1),
            "q3_days": _r(t.q3_days, 1),
            "cumulative": [{"month": p.month, "share": _r(p.share)} for p in t.cumulative],
        },
        "funnel": [
            {"position": s.position, "name": s.name, "kind": s.kind, "reached": s.reached,
             "done": s.done}
            for s in report.funnel
        ],
        "attendance": {"attended": report.attendance.attended,
                       "no_show": report.attendance.no_show,
                       "rate": _r(report.attendance.rate)},
        "sustained_6m": {"positive": report.sustained_6m.positive,
                         "recorded": report.sustained_6m.recorded,
                         "pending": report.sustained_6m.pending,
                         "unknown": report.sustained_6m.unknown,
                         "rate": _r(report.sustained_6m.rate)},
        "distance_travelled": [
            {"area": d.area, "n": d.n, "mean_change": _r(d.mean_change, 2),
             "improved_share": _r(d.improved_share)}
            for d in report.distance_travelled
        ],
        "breakdowns": {
            name: [
                {"key": row.key, "enrolled": row.enrolled, "leavers": row.leavers,
                 "job_or_studies": row.job_or_studies, "rate": _r(row.rate),
                 "suppressed": row.suppressed}
                for row in rows
            ]
            for name, rows in report.breakdowns.items()
        },
        "cost_per_outcome_sek": (None if report.cost_per_outcome_sek is None
                                 else round(report.cost_per_outcome_sek)),
    }
