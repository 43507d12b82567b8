"""Write audit events in the same transaction as the change they describe."""

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from journey.audit.models import AuditEvent
from journey.db import utcnow
from journey.enums import AuditAction
from journey.extensions import db


def _client_ip() -> str:
    if not has_request_context():
        return ""
    return (request.remote_addr or "")[:45]


def record(
    action: AuditAction,
    *,
    object_type: str = "",
    object_id: int | None = None,
    participant_id: int | None = None,
    detail: str = "",
    user=None,
    organization_id: int | None = None,
) -> None:
    """Add an audit event to the session (committed with the caller's change).

    :param action: what happened.
    :param object_type: table-like name of the object, e.g. ``"enrollment"``.
    :param participant_id: the participant whose data was read or changed.
    :param detail: short free text; never personal identity numbers.
    :param user: acting user; defaults to the logged-in user.
    """
    user = _acting(user)
    values = _values(action, user, object_type=object_type, object_id=object_id,
                     participant_id=participant_id, detail=detail,
                     organization_id=organization_id)
    if action in DEFERRED:
        # A read leaves its trace when the request commits, not at the next query:
        # on SQLite an early INSERT would hold the database's write lock while the
        # page renders (a report PDF takes a second), so two workers queue behind
        # each other. The event is still written in the request's transaction, and a
        # failure to write it still fails the request (the commit raises).
        db.session.info.setdefault(_PENDING, []).append(values)
    else:
        db.session.add(AuditEvent(**values))


def record_many(action: AuditAction, events: Iterable[dict], *, user=None) -> None:
    """Write one audit event per item of ``events`` with a single INSERT.

    For batch changes (the retention job anonymises hundreds of records at a time).
    Each item takes the keyword arguments of ``record`` other than ``action`` and
    ``user``. The INSERT runs now, in the caller's transaction, after a flush.

    :param action: what happened, the same for every event; not a view or export.
    :param events: e.g. ``{"object_type": "participant", "object_id": 7, ...}``.
    :param user: acting user; defaults to the logged-in user.
    """
    if action in DEFERRED:
        raise ValueError(f"{action} events are recorded at commit: use record()")
    user = _acting(user)
    rows = [_values(action, user, **event) for event in events]
    if rows:
        db.session.flush()
        db.session.execute(_INSERT_EVENTS, rows)


def _acting(user):
    if user is None and has_request_context() and current_user.is_authenticated:
        return current_user
    return user


def _values(action: AuditAction, user, *, object_type: str = "", object_id: int | None = None,
            participant_id: int | None = None, detail: str = "",
            organization_id: int | None = None) -> dict:
    return {
        "at": utcnow(),
        "organization_id": (
            organization_id
            if organization_id is not None
            else (user.organization_id if user is not None else None)
        ),
        "user_id": user.id if user is not None else None,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "participant_id": participant_id,
        "ip": _client_ip(),
        "detail": detail[:2000],
    }


# Actions that change nothing else: their events are added to the session at commit.
DEFERRED = frozenset({AuditAction.view, AuditAction.export})
_PENDING = "journey_pending_audit_events"
_INSERT_EVENTS = sa.insert(AuditEvent.__table__)


@sa.event.listens_for(Session, "before_commit")
def _add_pending_events(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        # The request's own changes first (an event may name a row they add), then
        # the events as one plain INSERT: through the unit of work, a page view's
        # commit took 0.6 ms, now 0.3 ms.
        session.flush()
        connection = session.connection()
        if (connection.dialect.name == "postgresql" and not connection.info.get(_WROTE)
                and has_app_context() and current_app.config["AUDIT_VIEWS_ASYNC_COMMIT"]):
            # Only views and exports to record: PostgreSQL need not wait for the
            # disk before answering (docs/deployment.md, "Audit of views"). This is
            # the app's only before_commit hook and it has just flushed, so nothing
            # is written after the check; a hook added later that changes objects
            # must run before this one (listen with insert=True).
            connection.exec_driver_sql(ASYNC_COMMIT_STATEMENT)
        session.execute(_INSERT_EVENTS, pending)


# --- Which transactions wrote anything ----------------------------------------------
# A transaction whose only write is its view events may commit asynchronously on
# PostgreSQL: should the database server crash, it loses at most the last moment's
# view events (PostgreSQL keeps it consistent). Every change, and the events written
# with it, still waits for the disk. What counts as a change is decided per statement
# on the connection, so nothing escapes it: anything but a SELECT (ORM flushes,
# Core updates, text SQL) marks the transaction as writing until it ends.

_WROTE = "journey_transaction_wrote"
ASYNC_COMMIT_STATEMENT = "SET LOCAL synchronous_commit TO OFF"


@sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _note_writes(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info[_WROTE] = True


@sa.event.listens_for(sa.engine.Engine, "begin")
@sa.event.listens_for(sa.engine.Engine, "commit")
@sa.event.listens_for(sa.engine.Engine, "rollback")
def _transaction_bounds(conn) -> None:
    conn.info.pop(_WROTE, None)


@sa.event.listens_for(Session, "after_soft_rollback")
def _drop_pending_events(session: Session, _previous_transaction) -> None:
    # Rolled back with the rest of the request's work, as if they had been flushed.
    session.info.pop(_PENDING, None)
