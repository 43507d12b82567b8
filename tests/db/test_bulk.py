"""journey.bulk: INSERTs straight to the driver, and ids reserved for them."""

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from journey import bulk
from journey.audit.models import AuditEvent
from journey.enums import AuditAction, StepKind, StepStatus
from journey.journeys.models import JourneyStep
from journey.participants.models import Participant
from tests import factories as f


def _enrollment(db):
    org = f.org()
    coach = f.user("coach", org)
    enrollment = f.enrollment(coach)
    db.session.commit()
    return org, enrollment


def test_insert_rows_converts_values_and_applies_the_models_defaults(db):
    org, enrollment = _enrollment(db)
    connection = db.session.connection()
    written = bulk.insert_rows(connection, JourneyStep.__table__, [
        {"enrollment_id": enrollment.id, "name": f"Steg {i}", "kind": StepKind.coaching,
         "position": 100 + i, "status": StepStatus.done if i == 2 else StepStatus.not_started}
        for i in (1, 2, 3)
    ])
    events = bulk.insert_rows(connection, AuditEvent.__table__, [
        {"action": AuditAction.create, "object_type": "bulk_test", "object_id": enrollment.id,
         "organization_id": org.id}
    ])
    db.session.commit()

    assert (written, events) == (3, 1)
    steps = db.session.scalars(sa.select(JourneyStep).where(
        JourneyStep.enrollment_id == enrollment.id, JourneyStep.name.like("Steg %"))
        .order_by(JourneyStep.position)).all()
    assert [s.position for s in steps] == [101, 102, 103]
    assert [(s.name, s.kind, s.status, s.note) for s in steps] == [
        ("Steg 1", StepKind.coaching, StepStatus.not_started, ""),
        ("Steg 2", StepKind.coaching, StepStatus.done, ""),
        ("Steg 3", StepKind.coaching, StepStatus.not_started, ""),
    ]
    # created_at/updated_at and the event's time come from the model's utcnow default.
    assert all(s.created_at is not None and s.updated_at is not None for s in steps)
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "bulk_test", AuditEvent.object_id == enrollment.id,
        AuditEvent.action == AuditAction.create)).one()
    assert event.at is not None and event.ip == "" and event.detail == ""


def test_insert_rows_batches_and_writes_every_row(db):
    _org, enrollment = _enrollment(db)
    rows = [{"enrollment_id": enrollment.id, "name": "x", "kind": StepKind.other,
             "position": 200 + i} for i in range(25)]
    assert bulk.insert_rows(db.session.connection(), JourneyStep.__table__, rows,
                            batch_rows=10) == 25
    db.session.commit()
    positions = db.session.scalars(sa.select(JourneyStep.position).where(
        JourneyStep.enrollment_id == enrollment.id, JourneyStep.position >= 200)).all()
    assert sorted(positions) == list(range(200, 225))


def test_insert_rows_refuses_rows_of_other_shapes_and_writes_nothing(db):
    _org, enrollment = _enrollment(db)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(JourneyStep))
    good = {"enrollment_id": enrollment.id, "name": "a", "kind": StepKind.other, "position": 300}
    connection = db.session.connection()
    with pytest.raises(ValueError, match="same columns"):
        bulk.insert_rows(connection, JourneyStep.__table__, [good, {**good, "note": "extra"}])
    without_name = {k: v for k, v in good.items() if k != "name"}
    with pytest.raises(ValueError, match="same columns"):
        bulk.insert_rows(connection, JourneyStep.__table__, [good, without_name])
    with pytest.raises(KeyError):  # as many columns, one of them another
        bulk.insert_rows(connection, JourneyStep.__table__,
                         [good, {**without_name, "note": "x"}])
    with pytest.raises(ValueError, match="no column"):
        bulk.insert_rows(connection, JourneyStep.__table__, [{**good, "colour": "red"}])
    assert bulk.insert_rows(connection, JourneyStep.__table__, []) == 0
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JourneyStep)) == before


def _participant_row(org_id: int, i: int) -> dict:
    return {"organization_id": org_id, "first_name": f"Bulk{i}", "last_name": "Test",
            "birth_date": date(1990, 1, 1 + i), "version": 1}


def test_reserved_ids_are_new_and_the_rows_get_them_in_order(db):
    org, _enrollment_ = _enrollment(db)
    existing = db.session.scalar(sa.select(sa.func.max(Participant.id)))
    connection = db.session.connection()
    ids = bulk.reserve_ids(connection, Participant.__table__, 4)
    assert len(set(ids)) == 4 and min(ids) > existing
    bulk.insert_rows(connection, Participant.__table__,
                     [{"id": pid, **_participant_row(org.id, i)} for i, pid in enumerate(ids)])
    db.session.commit()
    stored = dict(db.session.execute(sa.select(Participant.id, Participant.first_name)
                                     .where(Participant.id.in_(ids))).all())
    assert stored == {pid: f"Bulk{i}" for i, pid in enumerate(ids)}

    # After they are written, the next reservation is past them; none reserved is zero.
    again = bulk.reserve_ids(db.session.connection(), Participant.__table__, 2)
    assert min(again) > max(ids)
    assert bulk.reserve_ids(db.session.connection(), Participant.__table__, 0) == []
    db.session.rollback()


def test_a_reservation_keeps_other_writers_from_taking_the_same_ids(app, db):
    """Another connection inserting while the reservation's transaction is open
    never ends up with one of its ids (SQLite: it waits for the write lock;
    PostgreSQL: the sequence gives it another id)."""
    org, _enrollment_ = _enrollment(db)
    org_id = org.id
    connection = db.session.connection()
    ids = bulk.reserve_ids(connection, Participant.__table__, 3)
    other: dict = {}

    def insert_elsewhere():
        with app.app_context():
            engine = db.engine
            with engine.begin() as conn:
                if engine.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA busy_timeout=5000")
                other["id"] = conn.execute(
                    Participant.__table__.insert().returning(Participant.__table__.c.id),
                    _participant_row(org_id, 9)).scalar()

    thread = threading.Thread(target=insert_elsewhere)
    thread.start()
    thread.join(timeout=0.5)
    if db.engine.dialect.name == "sqlite":
        assert thread.is_alive(), "another connection wrote while the ids were reserved"
    bulk.insert_rows(connection, Participant.__table__,
                     [{"id": pid, **_participant_row(org_id, i)} for i, pid in enumerate(ids)])
    db.session.commit()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert other["id"] not in ids
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Participant)
                              .where(Participant.first_name.like("Bulk%")))
    assert count == 4
