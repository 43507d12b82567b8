"""Programme and organisation reports: cohorts side by side, programmes side by side.

The numbers follow shared/DOMAIN.md "Report definitions" exactly as
``journey.reports.queries`` does for one cohort (enrolled = ``enrolled_on <=
as_of``; a leaver has an exit dated ``<= as_of``; job_or_studies rate =
(job + studies) / leavers with a 95 % Wilson interval; a rate over 0 is
``None``), but every cohort of a programme (or every programme of an
organisation) is counted in the same GROUP BY query, so the number of SQL
statements does not grow with the number of cohorts or programmes.

Decisions made here once:

- Programme totals are *pooled*: the counts of all cohorts added up and the
  rates computed from the sums (not an average of the cohorts' rates).
- Pooled cost per outcome: the summed cost of the cohorts that have a cost,
  divided by the job-or-studies leavers of those same cohorts (``None`` when
  no cohort has a cost or those cohorts have no such leavers).
- Median days to outcome: days from enrollment to exit for leavers with a
  job/studies outcome (type-7 median, as the cohort report).
- The organisation overview lists active programmes first, then by name; a
  programme's rate "meets" its target when rate >= target, and is "clearly
  above" it when the lower bound of the interval is above the target.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from journey.cohorts.models import Cohort
from journey.enums import OUTCOME_GROUP, Outcome
from journey.extensions import db
from journey.outcomes.models import ExitOutcome
from journey.participants.models import Enrollment
from journey.programs.models import Program
from journey.reports import stats
from journey.reports.queries import Rate

NEUTRAL = Outcome.neutral.value
GROUP_OF = {o.value: group for o, group in OUTCOME_GROUP.items()}


@dataclass(frozen=True)
class OutcomeCounts:
    enrolled: int = 0
    active: int = 0
    leavers: int = 0
    job: int = 0
    studies: int = 0
    other: int = 0
    neutral: int = 0

    @property
    def job_or_studies(self) -> int:
        return self.job + self.studies

    def rate(self) -> Rate:
        return Rate.of(self.job_or_studies, self.leavers)

    def rate_excl_neutral(self) -> Rate:
        return Rate.of(self.job_or_studies, self.leavers - self.neutral)

    def __add__(self, other: "OutcomeCounts") -> "OutcomeCounts":
        return OutcomeCounts(*(a + b for a, b in zip(_astuple(self), _astuple(other),
                                                     strict=True)))


def _astuple(c: OutcomeCounts) -> tuple[int, ...]:
    return (c.enrolled, c.active, c.leavers, c.job, c.studies, c.other, c.neutral)


@dataclass(frozen=True)
class CohortRow:
    id: int | None  # None for the programme total
    name: str
    starts_on: date | None
    ends_on: date | None
    cost_sek: int | None
    counts: OutcomeCounts
    job_or_studies: Rate
    job_or_studies_excl_neutral: Rate
    median_days: float | None
    cost_per_outcome_sek: float | None


@dataclass(frozen=True)
class ProgramComparison:
    program_id: int
    name: str
    as_of: date
    target: float | None
    cohorts: list[CohortRow]  # by start date, then id
    total: CohortRow  # pooled over all cohorts


@dataclass(frozen=True)
class ProgramRow:
    id: int
    name: str
    is_active: bool
    cohorts: int
    counts: OutcomeCounts
    job_or_studies: Rate
    target: float | None
    meets_target: bool | None  # None without a target or without leavers
    clearly_above_target: bool | None  # the interval's lower bound above the target


# --- SQL ----------------------------------------------------------------------------------


def _per_enrollment(as_of: date, key, *where):
    """One row per enrollment enrolled by ``as_of``: ``key`` and its outcome if a leaver."""
    leaver = sa.and_(ExitOutcome.id.is_not(None), ExitOutcome.exited_on <= as_of)
    return (
        sa.select(key.label("key"),
                  sa.case((leaver, ExitOutcome.outcome), else_=sa.null()).label("outcome"))
        .select_from(Enrollment)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .outerjoin(ExitOutcome, ExitOutcome.enrollment_id == Enrollment.id)
        .where(Enrollment.enrolled_on <= as_of, *where)
        .subquery()
    )


def _grouped_counts(as_of: date, key, *where) -> dict[int, OutcomeCounts]:
    """Counts per ``key`` (cohort or programme id) in one GROUP BY statement."""
    # Grouped through a subquery: PostgreSQL refuses a GROUP BY expression whose
    # bound parameters differ from the SELECT's copy.
    sub = _per_enrollment(as_of, key, *where)
    rows = db.session.execute(
        sa.select(sub.c.key, sub.c.outcome, sa.func.count()).group_by(sub.c.key, sub.c.outcome)
    ).all()
    tallies: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key_value, outcome, n in rows:
        t = tallies[key_value]
        t["enrolled"] += n
        if outcome is None:
            t["active"] += n
            continue
        code = str(getattr(outcome, "value", outcome))
        t["leavers"] += n
        t[GROUP_OF[code]] += n
        if code == NEUTRAL:
            t["neutral"] += n
    return {k: OutcomeCounts(**t) for k, t in tallies.items()}


def _days_to_outcome(program_id: int, as_of: date) -> dict[int, list[int]]:
    """Sorted days from enrollment to a job/studies exit, per cohort (one narrow SELECT)."""
    codes = [o.value for o, g in OUTCOME_GROUP.items() if g in ("job", "studies")]
    rows = db.session.execute(
        sa.select(Enrollment.cohort_id, Enrollment.enrolled_on, ExitOutcome.exited_on)
        .join(ExitOutcome, ExitOutcome.enrollment_id == Enrollment.id)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .where(Cohort.program_id == program_id, Enrollment.enrolled_on <= as_of,
               ExitOutcome.exited_on <= as_of, ExitOutcome.outcome.in_(codes))
    ).all()
    days: dict[int, list[int]] = defaultdict(list)
    for cohort_id, enrolled_on, exited_on in rows:
        days[cohort_id].append((exited_on - enrolled_on).days)
    return {k: sorted(v) for k, v in days.items()}


def _median(values: list[int]) -> float | None:
    q = stats.quartiles(values)
    return q.median if q else None


def _row(id_, name, starts_on, ends_on, cost, counts: OutcomeCounts, days: list[int],
         cost_outcomes: int | None = None) -> CohortRow:
    outcomes = counts.job_or_studies if cost_outcomes is None else cost_outcomes
    return CohortRow(
        id=id_, name=name, starts_on=starts_on, ends_on=ends_on, cost_sek=cost,
        counts=counts, job_or_studies=counts.rate(),
        job_or_studies_excl_neutral=counts.rate_excl_neutral(),
        median_days=_median(days),
        cost_per_outcome_sek=(cost / outcomes) if cost is not None and outcomes else None,
    )


# --- public -------------------------------------------------------------------------------


def program_comparison(program: Program, as_of: date) -> ProgramComparison:
    """Every cohort of ``program`` side by side, plus pooled totals (3 SQL statements)."""
    cohorts = db.session.execute(
        sa.select(Cohort.id, Cohort.name, Cohort.starts_on, Cohort.ends_on, Cohort.cost_sek)
        .where(Cohort.program_id == program.id)
        .order_by(Cohort.starts_on, Cohort.id)
    ).all()
    counts = _grouped_counts(as_of, Enrollment.cohort_id, Cohort.program_id == program.id)
    days = _days_to_outcome(program.id, as_of)
    rows = []
    total = OutcomeCounts()
    total_cost, cost_outcomes, any_cost = 0, 0, False
    for cohort_id, name, starts_on, ends_on, cost in cohorts:
        c = counts.get(cohort_id, OutcomeCounts())
        rows.append(_row(cohort_id, name, starts_on, ends_on, cost, c, days.get(cohort_id, [])))
        total = total + c
        if cost is not None:
            any_cost = True
            total_cost += cost
            cost_outcomes += c.job_or_studies
    all_days = sorted(d for v in days.values() for d in v)
    total_row = _row(None, program.name, None, None, total_cost if any_cost else None, total,
                     all_days, cost_outcomes=cost_outcomes)
    target = float(program.outcome_target) if program.outcome_target is not None else None
    return ProgramComparison(program_id=program.id, name=program.name, as_of=as_of,
                             target=target, cohorts=rows, total=total_row)


def organization_overview(org_id: int, as_of: date) -> list[ProgramRow]:
    """Every programme of the organisation, active ones first (3 SQL statements)."""
    programs = db.session.execute(
        sa.select(Program.id, Program.name, Program.is_active, Program.outcome_target)
        .where(Program.organization_id == org_id)
        .order_by(Program.is_active.desc(), Program.name, Program.id)
    ).all()
    cohort_counts = dict(db.session.execute(
        sa.select(Cohort.program_id, sa.func.count(Cohort.id))
        .join(Program, Program.id == Cohort.program_id)
        .where(Program.organization_id == org_id)
        .group_by(Cohort.program_id)
    ).all())
    org_programs = sa.select(Program.id).where(Program.organization_id == org_id)
    counts = _grouped_counts(as_of, Cohort.program_id, Cohort.program_id.in_(org_programs))
    out = []
    for program_id, name, is_active, target in programs:
        c = counts.get(program_id, OutcomeCounts())
        rate = c.rate()
        target = float(target) if target is not None else None
        meets = clearly = None
        if target is not None and rate.value is not None:
            meets = rate.value >= target
            clearly = rate.ci_low is not None and rate.ci_low > target
        out.append(ProgramRow(id=program_id, name=name, is_active=bool(is_active),
                              cohorts=cohort_counts.get(program_id, 0), counts=c,
                              job_or_studies=rate, target=target, meets_target=meets,
                              clearly_above_target=clearly))
    return out
