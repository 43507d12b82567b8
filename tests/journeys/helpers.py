"""Factory and request helpers for the enrollment page's sections."""

from datetime import date, timedelta

import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AssessmentArea, AssessmentPhase, PlanOwner
from journey.extensions import db
from journey.journeys.models import Assessment, JourneyStep, Note, PlanItem
from tests.conftest import csrf_from, login

HX = {"HX-Request": "true"}


def step_of(enrollment, position: int = 1) -> JourneyStep:
    return db.session.scalars(
        sa.select(JourneyStep).where(JourneyStep.enrollment_id == enrollment.id,
                                     JourneyStep.position == position)).one()


def plan_item(enrollment, title: str = "Skriva ett CV", *, due_on: date | None = None,
              owner: PlanOwner = PlanOwner.participant, done_on: date | None = None,
              created_by=None) -> PlanItem:
    item = PlanItem(enrollment_id=enrollment.id, title=title, due_on=due_on, owner=owner,
                    done_on=done_on, created_by_id=created_by.id if created_by else None)
    db.session.add(item)
    db.session.flush()
    return item


def assessment(enrollment, taken_on: date, phase: AssessmentPhase = AssessmentPhase.intake,
               scores: dict | int = 5) -> Assessment:
    from journey.journeys.models import AssessmentScore

    a = Assessment(enrollment_id=enrollment.id, taken_on=taken_on, phase=phase)
    db.session.add(a)
    db.session.flush()
    values = scores if isinstance(scores, dict) else {area: scores for area in AssessmentArea}
    db.session.add_all(AssessmentScore(assessment_id=a.id, area=area, score=value)
                       for area, value in values.items())
    db.session.flush()
    return a


def note(enrollment, author, body: str = "Samtal om praktikplats.") -> Note:
    n = Note(enrollment_id=enrollment.id, author_id=author.id if author else None, body=body)
    db.session.add(n)
    db.session.flush()
    return n


def days_ago(n: int) -> date:
    return date.today() - timedelta(days=n)


def client_for(app, user):
    """A fresh client logged in as ``user`` (several roles in one test)."""
    db.session.commit()
    c = app.test_client()
    login(c, user)
    return c


def token_for(client, enrollment) -> str:
    return csrf_from(client.get(f"/enrollments/{enrollment.id}").get_data(as_text=True))


def anonymous_token(client) -> str:
    return csrf_from(client.get("/login").get_data(as_text=True))


def events(action=None, object_type=None) -> list[AuditEvent]:
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    if object_type is not None:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    return list(db.session.scalars(stmt))


def count(model, **where) -> int:
    stmt = sa.select(sa.func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.scalar(stmt)


def section(html: str, element_id: str) -> str:
    """The HTML from the element with ``id=element_id`` to the end of its tag's first close."""
    start = html.index(f'id="{element_id}"')
    tag_start = html.rindex("<", 0, start)
    tag = html[tag_start + 1:start].split()[0]
    return html[tag_start:html.index(f"</{tag}>", start) + len(tag) + 3]


def assessment_form_data(prefix: str = "assessment", *, taken_on: date | None = None,
                         phase: str = "intake", score=6, **overrides) -> dict:
    data = {f"{prefix}-taken_on": (taken_on or date.today()).isoformat(),
            f"{prefix}-phase": phase}
    for area in AssessmentArea:
        data[f"{prefix}-score_{area.value}"] = str(score)
    data.update(overrides)
    return data
