"""Running prepared column statements with less overhead than ``Session.execute``,
and writing constants into statements that PostgreSQL prepares."""

import enum

import sqlalchemy as sa

from journey.extensions import db


def execute_columns(stmt: sa.Executable, params: dict) -> sa.CursorResult:
    """Run a statement that selects columns, never entities, in the session's transaction.

    The ORM's per-statement work (up to a tenth of a millisecond each) buys nothing for
    such a statement; a page that runs several on every view (the caseload, the
    enrollment page) saves it. Pending changes are flushed first, as
    ``Session.execute`` would.
    """
    session = db.session()
    if session.autoflush:
        session.flush()
    return session.connection().execute(stmt, params)


def inline_enum(value: enum.StrEnum) -> sa.ColumnElement:
    """An enum value written into the statement, not bound.

    psycopg prepares a statement on the server once it has run five times, and
    PostgreSQL then plans it once (a generic plan) unless that plan is estimated to
    cost more than one planned for the values at hand. With an enrollment's status or
    a step's status bound, the two estimates disagreed so much that PostgreSQL planned
    every execution afresh (0.5 to 2 ms each); written in, the generic plan is used.
    Nor is an IN list of them expanded again on every execution, as SQLAlchemy does
    for a bound one. Only enum members go in here: their values are fixed
    identifiers, never user input.
    """
    return sa.literal_column(f"'{value.value}'")


ONE = sa.literal_column("1", sa.Integer)
"""``LIMIT 1`` written into the statement (SQLAlchemy binds a plain ``limit(1)``)."""
