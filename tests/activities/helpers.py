"""Helpers for the activity tests (kept here rather than in the shared factories)."""

from datetime import date, time, timedelta

import sqlalchemy as sa

from journey.activities.models import Activity
from journey.audit.models import AuditEvent
from journey.cohorts.models import GroupSession
from journey.enums import ActivityKind, Attendance
from journey.extensions import db
from tests import factories
from tests.conftest import page_token

HX = {"HX-Request": "true"}
TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)
NEXT_WEEK = TODAY + timedelta(days=7)


def activity(enr, *, on=None, attendance=Attendance.attended, kind=ActivityKind.coaching,
             note="", at: time | None = None, group_session=None) -> Activity:
    a = factories.activity(enr, on=on or YESTERDAY, attendance=attendance, kind=kind, note=note)
    a.time = at
    if group_session is not None:
        a.group_session_id = group_session.id
    db.session.flush()
    return a


def group_session(cohort, *, title="CV-verkstad", on=None, kind=ActivityKind.workshop,
                  duration=120) -> GroupSession:
    s = GroupSession(cohort_id=cohort.id, title=title, date=on or YESTERDAY, kind=kind,
                     duration_minutes=duration)
    db.session.add(s)
    db.session.flush()
    return s


def activities_of(enr) -> list[Activity]:
    db.session.expire_all()
    return list(db.session.scalars(
        sa.select(Activity).where(Activity.enrollment_id == enr.id).order_by(Activity.id)))


def all_activities() -> list[Activity]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Activity).order_by(Activity.id)))


def audit(action=None, object_type="activity") -> list[AuditEvent]:
    stmt = sa.select(AuditEvent).where(AuditEvent.object_type == object_type)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def token(client, enr) -> str:
    return page_token(client, f"/enrollments/{enr.id}")


def form(**overrides) -> dict:
    data = {"kind": "coaching", "date": YESTERDAY.isoformat(), "time": "",
            "duration_minutes": "60", "attendance": "attended", "note": ""}
    data.update(overrides)
    return data


def text(response) -> str:
    return response.get_data(as_text=True)
