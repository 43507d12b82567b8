"""Who the retention rule applies to."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from journey.auth.models import Organization
from journey.enums import EnrollmentStatus
from journey.extensions import db
from journey.outcomes.models import ExitOutcome
from journey.outcomes.services import add_months
from journey.participants.models import Enrollment, Participant


@dataclass
class RetentionPlan:
    organization_id: int
    organization: str
    months: int
    participant_ids: list[int]


def retention_organizations(org_id: int | None = None) -> list[Organization]:
    """Organisations with a retention rule (``retention_months_after_exit`` set)."""
    stmt = (sa.select(Organization)
            .where(Organization.retention_months_after_exit.is_not(None))
            .order_by(Organization.id))
    if org_id is not None:
        stmt = stmt.where(Organization.id == org_id)
    return list(db.session.scalars(stmt))


def due_for_anonymisation(organization: Organization, today: date) -> list[int]:
    """Ids of the organisation's participants the retention rule applies to today.

    Not yet anonymised, at least one enrollment, none of them active or paused,
    and the latest exit more than N months ago (``add_months(latest, N) < today``,
    the calendar arithmetic of the follow-ups). Intakes never enrolled are left
    alone: they have no exit to count from.
    """
    months = organization.retention_months_after_exit
    if months is None:
        return []
    other = aliased(Enrollment)
    still_open = sa.select(other.id).where(
        other.participant_id == Participant.id,
        other.status.in_((EnrollmentStatus.active, EnrollmentStatus.paused)),
    )
    latest_exit = sa.func.max(ExitOutcome.exited_on)
    # A generous SQL bound (a month of slack for day clamping), the exact rule in Python.
    bound = add_months(today, 1 - months)
    rows = db.session.execute(
        sa.select(Participant.id, latest_exit)
        .join(Enrollment, Enrollment.participant_id == Participant.id)
        .join(ExitOutcome, ExitOutcome.enrollment_id == Enrollment.id)
        .where(
            Participant.organization_id == organization.id,
            Participant.anonymized_at.is_(None),
            ~still_open.exists(),
        )
        .group_by(Participant.id)
        .having(latest_exit <= bound)
        .order_by(Participant.id)
    ).all()
    return [pid for pid, latest in rows if add_months(latest, months) < today]
