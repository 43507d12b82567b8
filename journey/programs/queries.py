"""Manager overview: cohorts with their enrollment counts, aggregated in SQL."""

from dataclasses import dataclass
from datetime import date

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


def cohort_summaries(organization_id: int, as_of: date | None = None) -> list[CohortSummary]:
    """Every cohort of the organisation with enrolled and leaver counts as of a date."""
    as_of = as_of or date.today()
    enrolled = sa.func.count(sa.distinct(Enrollment.id)).filter(Enrollment.enrolled_on <= as_of)
    leavers = sa.func.count(sa.distinct(ExitOutcome.id)).filter(
        Enrollment.enrolled_on <= as_of, ExitOutcome.exited_on <= as_of
    )
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
    return [CohortSummary(*row) for row in db.session.execute(stmt)]
