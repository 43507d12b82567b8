"""Audit events written straight to the table, at chosen instants."""

from datetime import UTC, datetime

from journey.audit.models import AuditEvent
from journey.enums import AuditAction
from journey.extensions import db

STOCKHOLM_WINTER = 1  # UTC+1 in winter (CET)


def event(organization, at: datetime, *, user=None, action=AuditAction.view,
          object_type="enrollment", object_id=None, participant_id=None, ip="10.0.0.1",
          detail="") -> AuditEvent:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    e = AuditEvent(organization_id=organization.id, at=at, user_id=user.id if user else None,
                   action=action, object_type=object_type, object_id=object_id,
                   participant_id=participant_id, ip=ip, detail=detail)
    db.session.add(e)
    return e


def many(organization, n: int, *, start: datetime, user=None, **kwargs) -> None:
    """``n`` events a minute apart from ``start`` (in bulk, for size tests)."""
    from datetime import timedelta

    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    rows = [
        {"organization_id": organization.id, "at": start + timedelta(minutes=i),
         "user_id": user.id if user else None, "action": kwargs.get("action", AuditAction.view),
         "object_type": kwargs.get("object_type", "enrollment"), "object_id": i,
         "participant_id": kwargs.get("participant_id"), "ip": "10.0.0.2",
         "detail": f"bulk {i}"}
        for i in range(n)
    ]
    db.session.execute(AuditEvent.__table__.insert(), rows)
