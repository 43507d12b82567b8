"""Shared helpers of the programme and cohort tests."""

import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.extensions import db
from journey.journeys.models import JourneyStep
from journey.programs.models import StepTemplate
from tests import factories

HX = {"HX-Request": "true"}


def tag(html: str, element_id: str) -> str:
    """The opening tag of the element with this id (WTForms sorts attributes by name)."""
    start = html.rindex("<", 0, html.index(f'id="{element_id}"'))
    return html[start:html.index(">", start) + 1]


def templates(program_id: int) -> list[tuple[int, str, bool]]:
    """(position, name, is_retired) of a programme's templates, in order."""
    return [
        (t.position, t.name, t.is_retired)
        for t in db.session.scalars(
            sa.select(StepTemplate).where(StepTemplate.program_id == program_id)
            .order_by(StepTemplate.position)
        )
    ]


def template_id(program_id: int, name: str) -> int:
    return db.session.scalars(
        sa.select(StepTemplate.id).where(StepTemplate.program_id == program_id,
                                         StepTemplate.name == name)
    ).one()


def journey_steps(enrollment_id: int) -> list[tuple[int, str, str]]:
    """(position, name, kind) of an enrollment's steps, in order."""
    return [
        (s.position, s.name, s.kind.value)
        for s in db.session.scalars(
            sa.select(JourneyStep).where(JourneyStep.enrollment_id == enrollment_id)
            .order_by(JourneyStep.position)
        )
    ]


def audit(object_type: str, action: str | None = None) -> list[AuditEvent]:
    stmt = sa.select(AuditEvent).where(AuditEvent.object_type == object_type)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def fill_cohort(coach, cohort, n: int) -> None:
    """``n`` more enrollments in ``cohort`` with ``coach``, committed."""
    for _ in range(n):
        factories.enrollment(coach, cohort)
    db.session.commit()


def manager_of_other_org(world):
    return world["manager2"]
