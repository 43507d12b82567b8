"""Enrollment of participants in cohorts."""

from datetime import date

import sqlalchemy as sa

from journey.audit.services import record
from journey.cohorts.models import Cohort
from journey.enums import AuditAction, EnrollmentStatus, IncomeSource, LabourStatus
from journey.extensions import db
from journey.journeys.models import JourneyStep
from journey.participants.models import Enrollment, Participant
from journey.programs.models import StepTemplate


class EnrollmentError(ValueError):
    pass


def enroll(
    participant: Participant,
    cohort: Cohort,
    *,
    coach=None,
    enrolled_on: date | None = None,
    labour_status_at_entry: LabourStatus = LabourStatus.unemployed,
    unemployed_months_at_entry: int | None = None,
    income_at_entry: IncomeSource = IncomeSource.unknown,
) -> Enrollment:
    """Enroll a participant and copy the programme's current step templates.

    The steps are copies, so later template edits never rewrite this journey.

    :param participant: must belong to the cohort's organisation.
    :param coach: a coach of the same organisation, or ``None``.
    """
    org_id = cohort.program.organization_id
    if participant.organization_id != org_id:
        raise EnrollmentError("The participant belongs to another organisation.")
    if coach is not None and coach.organization_id != org_id:
        raise EnrollmentError("The coach belongs to another organisation.")
    enrollment = Enrollment(
        participant=participant,
        cohort=cohort,
        coach=coach,
        status=EnrollmentStatus.active,
        enrolled_on=enrolled_on or date.today(),
        labour_status_at_entry=labour_status_at_entry,
        unemployed_months_at_entry=unemployed_months_at_entry,
        income_at_entry=income_at_entry,
    )
    db.session.add(enrollment)
    templates = db.session.scalars(
        sa.select(StepTemplate)
        .where(StepTemplate.program_id == cohort.program_id, StepTemplate.is_retired.is_(False))
        .order_by(StepTemplate.position)
    ).all()
    for position, template in enumerate(templates, start=1):
        db.session.add(
            JourneyStep(
                enrollment=enrollment, name=template.name, kind=template.kind, position=position
            )
        )
    db.session.flush()
    record(
        AuditAction.create,
        object_type="enrollment",
        object_id=enrollment.id,
        participant_id=participant.id,
        organization_id=org_id,
    )
    return enrollment
