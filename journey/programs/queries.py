"""Manager overview: programmes and cohorts with their enrollment counts, aggregated in SQL."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from journey.cohorts.models import Cohort
from journey.extensions import db
from journey.outcomes.models import ExitOutcome
from journey.participants.models import Enrollment
from journey.programs.models import Program


@dataclass(frozen=True)
class CohortSummary:
    cohort_id: int
    program_id: int
    program_name: str
    cohort_name: str
    starts_on: date
    ends_on: date | None
    enrolled: int
    leavers: int

    @property
    def active(self) -> int:
        return self.enrolled - self.leavers


@dataclass
class ProgramSummary:
    program_id: int
    name: str
    is_active: bool
    outcome_target: Decimal | None
    cohorts: list[CohortSummary] = field(default_factory=list)

    @property
    def enrolled(self) -> int:
        return sum(c.enrolled for c in self.cohorts)

    @property
    def leavers(self) -> int:
        return sum(c.leavers for c in self.cohorts)

    @property
    def active(self) -> int:
        return self.enrolled - self.leavers


def _counts(as_of: date):
    """enrolled and leavers as of a date (see DOMAIN.md, report definitions)."""
    enrolled = sa.func.count(sa.distinct(Enrollment.id)).filter(Enrollment.enrolled_on <= as_of)
    leavers = sa.func.count(sa.distinct(ExitOutcome.id)).filter(
        Enrollment.enrolled_on <= as_of, ExitOutcome.exited_on <= as_of
    )
    return enrolled, leavers


def cohort_summaries(organization_id: int, as_of: date | None = None,
                     program_id: int | None = None) -> list[CohortSummary]:
    """Every cohort of the organisation (or of one programme) with enrolled and leaver counts."""
    as_of = as_of or date.today()
    enrolled, leavers = _counts(as_of)
    stmt = (
        sa.select(
            Cohort.id, Program.id, Program.name, Cohort.name, Cohort.starts_on, Cohort.ends_on,
            enrolled, leavers,
        )
        .join(Program, Cohort.program_id == Program.id)
        .outerjoin(Enrollment, Enrollment.cohort_id == Cohort.id)
        .outerjoin(ExitOutcome, ExitOutcome.enrollment_id == Enrollment.id)
        .where(Program.organization_id == organization_id)
        .group_by(Cohort.id, Program.id, Program.name, Cohort.name, Cohort.starts_on,
                  Cohort.ends_on)
        .order_by(Program.name, Cohort.starts_on.desc(), Cohort.name)
    )
    if program_id is not None:
        stmt = stmt.where(Program.id == program_id)
    return [CohortSummary(*row) for row in db.session.execute(stmt)]


def program_overview(organization_id: int, as_of: date | None = None) -> list[ProgramSummary]:
    """Every programme of the organisation, each with its cohorts and their counts.

    One query: programmes without cohorts come back as a row without a cohort.
    Active programmes first, then by name; newest cohort first.
    """
    as_of = as_of or date.today()
    enrolled, leavers = _counts(as_of)
    stmt = (
        sa.select(
            Program.id, Program.name, Program.is_active, Program.outcome_target,
            Cohort.id, Cohort.name, Cohort.starts_on, Cohort.ends_on, enrolled, leavers,
        )
        .outerjoin(Cohort, Cohort.program_id == Program.id)
        .outerjoin(Enrollment, Enrollment.cohort_id == Cohort.id)
        .outerjoin(ExitOutcome, ExitOutcome.enrollment_id == Enrollment.id)
        .where(Program.organization_id == organization_id)
        .group_by(Program.id, Program.name, Program.is_active, Program.outcome_target,
                  Cohort.id, Cohort.name, Cohort.starts_on, Cohort.ends_on)
        .order_by(Program.is_active.desc(), Program.name, Program.id,
                  Cohort.starts_on.desc(), Cohort.name)
    )
    programs: dict[int, ProgramSummary] = {}
    for (pid, pname, is_active, target, cid, cname, starts_on, ends_on, n_enrolled,
         n_leavers) in db.session.execute(stmt):
        summary = programs.get(pid)
        if summary is None:
            summary = programs[pid] = ProgramSummary(pid, pname, is_active, target)
        if cid is not None:
            summary.cohorts.append(
                CohortSummary(cid, pid, pname, cname, starts_on, ends_on, n_enrolled, n_leavers)
            )
    return list(programs.values())
