"""Helpers for the participant portal's tests: data on an enrollment and reading pages."""

import re
from datetime import date, time, timedelta

import sqlalchemy as sa

from journey.activities.models import Activity
from journey.audit.models import AuditEvent
from journey.enums import (
    ActivityKind,
    AssessmentArea,
    AssessmentPhase,
    Attendance,
    AuditAction,
    PlanOwner,
)
from journey.extensions import db
from journey.journeys.models import Assessment, AssessmentScore, Note, PlanItem
from tests.conftest import csrf_from, login

HX = {"HX-Request": "true"}
AREAS = [a.value for a in AssessmentArea]


def plan_item(enrollment, title: str = "Skriva ett CV", *, due_on: date | None = None,
              owner: PlanOwner = PlanOwner.participant, done_on: date | None = None) -> PlanItem:
    item = PlanItem(enrollment_id=enrollment.id, title=title, due_on=due_on, owner=owner,
                    done_on=done_on)
    db.session.add(item)
    db.session.flush()
    return item


def meeting(enrollment, *, in_days: int = 2, kind: ActivityKind = ActivityKind.coaching,
            at: time | None = time(10, 0), attendance: Attendance = Attendance.planned,
            minutes: int | None = 60, note: str = "") -> Activity:
    a = Activity(enrollment_id=enrollment.id, kind=kind,
                 date=date.today() + timedelta(days=in_days), time=at,
                 duration_minutes=minutes, attendance=attendance, note=note)
    db.session.add(a)
    db.session.flush()
    return a


def assessment(enrollment, taken_on: date, scores: dict | int = 5,
               phase: AssessmentPhase = AssessmentPhase.intake) -> Assessment:
    a = Assessment(enrollment_id=enrollment.id, taken_on=taken_on, phase=phase)
    db.session.add(a)
    db.session.flush()
    values = scores if isinstance(scores, dict) else {area: scores for area in AssessmentArea}
    db.session.add_all(AssessmentScore(assessment_id=a.id, area=AssessmentArea(area), score=v)
                       for area, v in values.items())
    db.session.flush()
    return a


def note(enrollment, author, body: str) -> Note:
    n = Note(enrollment_id=enrollment.id, author_id=author.id, body=body)
    db.session.add(n)
    db.session.flush()
    return n


def client_for(app, user):
    """A fresh client logged in as ``user`` (several users in one test)."""
    db.session.commit()
    c = app.test_client()
    login(c, user)
    return c


def token(client) -> str:
    return csrf_from(client.get("/portal/").get_data(as_text=True))


def header_token(client, url: str) -> str:
    """The session's CSRF token from the ``hx-headers`` of any page (staff start pages)."""
    html = client.get(url, follow_redirects=True).get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def events(action: AuditAction | None = None, object_type: str | None = None):
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    if object_type is not None:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    return list(db.session.scalars(stmt))


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def section(html: str, element_id: str) -> str:
    """The HTML from the element with ``element_id`` to the end of its ``</section>``/``</div>``."""
    start = html.index(f'id="{element_id}"')
    start = html.rindex("<", 0, start)
    tag = re.match(r"<(\w+)", html[start:]).group(1)
    depth, pos = 0, start
    pattern = re.compile(rf"<(/?){tag}\b")
    for match in pattern.finditer(html, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            pos = html.index(">", match.end()) + 1
            break
    return html[start:pos]


def scores_form(value: int | dict = 6, *, skip: tuple[str, ...] = ()) -> dict:
    values = value if isinstance(value, dict) else {area: value for area in AREAS}
    return {f"score_{area}": str(v) for area, v in values.items() if area not in skip}
