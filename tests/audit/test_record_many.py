"""record_many: one audit event per item, written with one INSERT in the caller's transaction."""

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.audit.services import record_many
from journey.enums import AuditAction


def test_one_event_per_item_in_one_statement(world, db, count_queries):
    manager = world["manager1"]
    manager_id, organization_id = manager.id, manager.organization_id  # loaded before counting
    events = [{"object_type": "participant", "object_id": i, "participant_id": None,
               "detail": f"batch {i}"} for i in (11, 12, 13)]
    with count_queries() as q:
        record_many(AuditAction.anonymize, events, user=manager)
    assert [s for s in q.statements if s.lstrip().upper().startswith("INSERT")] \
        and q.count == 1
    db.session.rollback()  # written in the caller's transaction: gone with it
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.anonymize)) == 0

    record_many(AuditAction.anonymize, events, user=manager)
    db.session.commit()
    rows = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.anonymize).order_by(AuditEvent.object_id)).all()
    assert [(r.object_id, r.detail, r.user_id, r.organization_id) for r in rows] == [
        (i, f"batch {i}", manager_id, organization_id) for i in (11, 12, 13)]


def test_nothing_to_record_writes_nothing(world, db, count_queries):
    with count_queries() as q:
        record_many(AuditAction.anonymize, [], user=world["manager1"])
    assert q.count == 0


@pytest.mark.parametrize("action", [AuditAction.view, AuditAction.export])
def test_views_and_exports_are_refused(world, db, action):
    with pytest.raises(ValueError, match="record\\(\\)"):
        record_many(action, [{"object_type": "participant", "object_id": 1}],
                    user=world["manager1"])
