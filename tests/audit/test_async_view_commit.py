"""On PostgreSQL a transaction that only records views commits without waiting for
the disk; any change makes it wait. On SQLite nothing is issued.

What the database uses is read inside the transaction itself, just before COMMIT
(``SHOW synchronous_commit``), by a listener that runs after the audit's own.
"""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from journey.audit.models import AuditEvent
from journey.audit.services import ASYNC_COMMIT_STATEMENT, record
from journey.auth.models import User
from journey.enums import AuditAction, StepStatus


@contextmanager
def commit_setting(db):
    """Yields a list: per commit, the statements run and the synchronous_commit in force."""
    seen = []
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def at_commit(session):
        conn = session.connection()
        setting = None
        if conn.dialect.name == "postgresql":
            setting = conn.exec_driver_sql("SHOW synchronous_commit").scalar()
        seen.append((list(statements), setting))
        statements.clear()

    def durable_by_default(dbapi_connection, _record, _proxy):
        # The suite's throwaway server runs with synchronous_commit off for speed
        # (scripts/with_postgres.sh); production's default is on. Each connection
        # the app takes starts from on here, as it would there.
        if db.engine.dialect.name == "postgresql":
            dbapi_connection.execute("SET synchronous_commit TO on")
            dbapi_connection.commit()

    sa.event.listen(db.engine, "checkout", durable_by_default)
    sa.event.listen(db.engine, "before_cursor_execute", before)
    sa.event.listen(Session, "before_commit", at_commit)
    try:
        yield seen
    finally:
        sa.event.remove(Session, "before_commit", at_commit)
        sa.event.remove(db.engine, "before_cursor_execute", before)
        sa.event.remove(db.engine, "checkout", durable_by_default)


def _async_issued(statements) -> bool:
    return ASYNC_COMMIT_STATEMENT in statements


def _postgres(db) -> bool:
    return db.engine.dialect.name == "postgresql"


def test_a_page_view_commits_without_waiting_on_postgresql(client, login_as, world, db):
    login_as(world["coach_a"])
    enrollment_id = world["enr_a"].id
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    with commit_setting(db) as seen:
        assert client.get(f"/enrollments/{enrollment_id}").status_code == 200
    statements, setting = seen[-1]
    if _postgres(db):
        assert setting == "off"
        assert _async_issued(statements)
        # Set before the events are written, in the same transaction.
        set_at = statements.index(ASYNC_COMMIT_STATEMENT)
        assert any(s.startswith("INSERT INTO audit_event") for s in statements[set_at:])
    else:
        assert setting is None and not _async_issued(statements)
    # The view is recorded all the same.
    db.session.rollback()
    after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert after == before + 1


def test_a_change_waits_for_the_disk(client, login_as, world, db):
    """A step update (a change with its event, and the page's views) commits durably."""
    from tests.conftest import page_token

    coach = world["coach_a"]
    login_as(coach)
    enrollment = world["enr_a"]
    step = enrollment.steps[0]
    token = page_token(client, f"/enrollments/{enrollment.id}")
    with commit_setting(db) as seen:
        response = client.post(
            f"/enrollments/{enrollment.id}/steps/{step.id}",
            data={"csrf_token": token, f"step-{step.id}-status": StepStatus.in_progress.value},
            headers={"HX-Request": "true"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert seen, "the update committed nothing"
    for statements, setting in seen:
        assert not _async_issued(statements)
        if _postgres(db):
            assert setting == "on"


@pytest.mark.parametrize("write", ["orm", "core", "text"])
def test_any_write_in_the_transaction_keeps_the_commit_durable(world, db, write):
    coach = db.session.get(User, world["coach_a"].id)
    with commit_setting(db) as seen:
        if write == "orm":
            coach.name = "Coach A2"
        elif write == "core":
            db.session.execute(sa.update(User).where(User.id == coach.id).values(name="Coach A3"))
        else:
            db.session.execute(sa.text("UPDATE user_account SET name = 'Coach A4' WHERE id = :id"),
                               {"id": coach.id})
        record(AuditAction.view, object_type="caseload", object_id=coach.id, user=coach)
        db.session.commit()
        # The next transaction on the same connection only reads: it may skip the wait.
        record(AuditAction.view, object_type="caseload", object_id=coach.id, user=coach)
        db.session.commit()
    (first, first_setting), (second, second_setting) = seen
    assert not _async_issued(first)
    assert _async_issued(second) == _postgres(db)
    if _postgres(db):
        assert (first_setting, second_setting) == ("on", "off")


def test_the_setting_turns_it_off(app, world, db):
    coach = db.session.get(User, world["coach_a"].id)
    app.config["AUDIT_VIEWS_ASYNC_COMMIT"] = False
    try:
        with commit_setting(db) as seen:
            record(AuditAction.view, object_type="caseload", object_id=coach.id, user=coach)
            db.session.commit()
    finally:
        app.config["AUDIT_VIEWS_ASYNC_COMMIT"] = True
    statements, setting = seen[-1]
    assert not _async_issued(statements)
    assert setting in (None, "on")


def test_a_rolled_back_write_does_not_mark_the_next_transaction(world, db):
    coach = db.session.get(User, world["coach_a"].id)
    with commit_setting(db) as seen:
        db.session.execute(sa.update(User).where(User.id == coach.id).values(name="Gone"))
        db.session.rollback()
        record(AuditAction.view, object_type="caseload", object_id=coach.id, user=coach)
        db.session.commit()
    statements, _setting = seen[-1]
    assert _async_issued(statements) == _postgres(db)


@pytest.mark.parametrize("value, expected", [("0", False), ("off", False), ("yes", True)])
def test_environment_switch(monkeypatch, value, expected):
    from journey import create_app

    monkeypatch.setenv("AUDIT_VIEWS_ASYNC_COMMIT", value)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["AUDIT_VIEWS_ASYNC_COMMIT"] is expected


def test_environment_switch_refuses_other_values(monkeypatch):
    from journey import create_app
    from journey.config import ConfigError

    monkeypatch.setenv("AUDIT_VIEWS_ASYNC_COMMIT", "maybe")
    with pytest.raises(ConfigError, match="AUDIT_VIEWS_ASYNC_COMMIT must be true or false"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
