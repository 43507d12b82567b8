"""Read models of the cohort page: counts and a page of enrollments, aggregated in SQL."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from journey.auth.models import User
from journey.enums import EnrollmentStatus, StepStatus
from journey.extensions import db
from journey.journeys.models import JourneyStep
from journey.journeys.queries import current_step
from journey.outcomes.models import ExitOutcome
from journey.participants.models import Enrollment, Participant
from journey.web.paging import PageRange, clamp_page


@dataclass(frozen=True)
class CohortCounts:
    total: int  # every enrollment, whatever its date
    enrolled: int  # enrolled_on <= as_of (DOMAIN.md)
    leavers: int

    @property
    def active(self) -> int:
        return self.enrolled - self.leavers


@dataclass(frozen=True)
class EnrollmentRow:
    enrollment_id: int
    first_name: str
    last_name: str
    coach_name: str | None
    status: EnrollmentStatus
    enrolled_on: date
    current_step: str | None
    current_step_status: StepStatus | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class EnrollmentPage(PageRange):
    rows: list[EnrollmentRow]
    page: int
    per_page: int
    total: int


def cohort_counts(cohort_id: int, as_of: date | None = None) -> CohortCounts:
    """All, enrolled and leaver counts of one cohort as of a date (one query)."""
    as_of = as_of or date.today()
    stmt = (
        sa.select(
            sa.func.count(Enrollment.id),
            sa.func.count(Enrollment.id).filter(Enrollment.enrolled_on <= as_of),
            sa.func.count(ExitOutcome.id).filter(
                Enrollment.enrolled_on <= as_of, ExitOutcome.exited_on <= as_of
            ),
        )
        .select_from(Enrollment)
        .outerjoin(ExitOutcome, ExitOutcome.enrollment_id == Enrollment.id)
        .where(Enrollment.cohort_id == cohort_id)
    )
    return CohortCounts(*db.session.execute(stmt).one())


def enrollment_page(cohort_id: int, organization_id: int, page: int, per_page: int,
                    total: int) -> EnrollmentPage:
    """One page of the cohort's enrollments, by participant name (one query).

    :param organization_id: the caller's organisation (the cohort's, checked again here).
    :param total: the number of enrollments (from ``cohort_counts``), to clamp ``page``.
    """
    page = clamp_page(page, total, per_page)
    coach = aliased(User)
    stmt = (
        sa.select(
            Enrollment.id,
            Participant.first_name,
            Participant.last_name,
            coach.name,
            Enrollment.status,
            Enrollment.enrolled_on,
            current_step(JourneyStep.name),
            current_step(JourneyStep.status),
        )
        .join(Participant, Enrollment.participant_id == Participant.id)
        .outerjoin(coach, Enrollment.coach_id == coach.id)
        .where(Enrollment.cohort_id == cohort_id,
               Participant.organization_id == organization_id)
        .order_by(Participant.last_name, Participant.first_name, Enrollment.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [EnrollmentRow(*row) for row in db.session.execute(stmt)] if total else []
    return EnrollmentPage(rows=rows, page=page, per_page=per_page, total=total)
