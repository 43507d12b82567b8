"""Read models for the coach's caseload (aggregated in SQL)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from journey.activities.models import Activity
from journey.cohorts.models import Cohort
from journey.enums import Attendance, EnrollmentStatus, StepStatus
from journey.extensions import db
from journey.journeys.models import JourneyStep
from journey.participants.models import Enrollment, Participant
from journey.programs.models import Program


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

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _current_step(column):
    """The step in progress, else the next one not started (lowest position)."""
    order = sa.case((JourneyStep.status == StepStatus.in_progress, 0), else_=1)
    return (
        sa.select(column)
        .where(
            JourneyStep.enrollment_id == Enrollment.id,
            JourneyStep.status.in_([StepStatus.in_progress, StepStatus.not_started]),
        )
        .order_by(order, JourneyStep.position)
        .limit(1)
        .correlate(Enrollment)
        .scalar_subquery()
    )


def caseload(coach_id: int) -> list[CaseloadRow]:
    """Active and paused enrollments of one coach, one query whatever the size."""
    last_contact = (
        sa.select(sa.func.max(Activity.date))
        .where(Activity.enrollment_id == Enrollment.id, Activity.attendance == Attendance.attended)
        .correlate(Enrollment)
        .scalar_subquery()
    )
    stmt = (
        sa.select(
            Enrollment.id,
            Participant.first_name,
            Participant.last_name,
            Cohort.name,
            Program.name,
            Enrollment.enrolled_on,
            Enrollment.status,
            _current_step(JourneyStep.name),
            _current_step(JourneyStep.status),
            last_contact,
        )
        .join(Participant, Enrollment.participant_id == Participant.id)
        .join(Cohort, Enrollment.cohort_id == Cohort.id)
        .join(Program, Cohort.program_id == Program.id)
        .where(
            Enrollment.coach_id == coach_id,
            Enrollment.status != EnrollmentStatus.exited,
        )
        .order_by(Participant.last_name, Participant.first_name, Enrollment.id)
    )
    return [CaseloadRow(*row) for row in db.session.execute(stmt)]
