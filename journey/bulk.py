"""Bulk INSERTs of many rows, straight to the database driver.

A Core ``executemany`` spends most of its time in SQLAlchemy's per-row parameter
processing (a dictionary per row and column, the bind processors called for every
value). ``insert_rows`` does that work once per distinct value: each column's own bind
processor (dates to text on SQLite, enum members to their codes) is memoised for the
call, the rows become tuples and go to the driver: ``executemany`` in batches on
SQLite, one ``COPY ... FROM STDIN`` on PostgreSQL (psycopg's ``executemany`` sends a
statement per row). The SQL text is built from the table's own names, never from
input.

Used by ``journey import`` (10 000 rows and their steps, exits, follow-ups and audit
events) and by ``seed-synthetic``. Rows are written in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

BATCH_ROWS = 10_000

_PLANS: dict[tuple, tuple] = {}


def _row_getter(keys: tuple[str, ...]) -> Callable[[dict], tuple]:
    def get(row: dict) -> tuple:
        return tuple(row[key] for key in keys)

    # itemgetter of one key returns the value itself, not a tuple
    return get if len(keys) == 1 else itemgetter(*keys)


def _defaults(table: sa.Table, keys: tuple[str, ...]) -> list[tuple[str, Any]]:
    """(column, Python-side default) for the columns the rows leave out.

    A callable default (``utcnow``) is evaluated once per call, so every row of one
    call gets the same value. Server defaults and autoincrementing keys are left to
    the database.
    """
    found = []
    for column in table.columns:
        if column.name in keys or column.default is None:
            continue
        default = column.default
        if default.is_sequence:
            continue
        if default.is_scalar:
            found.append((column.name, lambda value=default.arg: value))
        elif default.is_callable:
            found.append((column.name, lambda fn=default.arg: fn(None)))
        else:
            raise ValueError(f"{table.name}.{column.name}: a SQL default is not supported "
                             "by bulk inserts; give the column a value")
    return found


def _plan(dialect: sa.Dialect, table: sa.Table, keys: tuple[str, ...]):
    cache_key = (dialect.name, table.name, id(table), keys)
    plan = _PLANS.get(cache_key)
    if plan is not None:
        return plan
    unknown = [k for k in keys if k not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(unknown)}")
    defaults = _defaults(table, keys)
    columns = keys + tuple(name for name, _ in defaults)
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    # Table and column names come from the models, never from input.
    target = f"{quote(table.name)} ({', '.join(quote(c) for c in columns)})"
    sql = f"INSERT INTO {target} VALUES ({', '.join(mark for _ in columns)})"  # noqa: S608  # nosec B608
    converters = []
    for i, name in enumerate(columns):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            converters.append((i, processor))
    copy_sql = f"COPY {target} FROM STDIN"
    plan = (sql, copy_sql, _row_getter(keys), [make for _, make in defaults], converters)
    _PLANS[cache_key] = plan
    return plan


def insert_rows(connection: sa.Connection, table: sa.Table, rows: Sequence[dict], *,
                batch_rows: int = BATCH_ROWS) -> int:
    """INSERT ``rows`` (dictionaries with the same keys) into ``table``; returns the count.

    Columns the rows leave out get the model's Python-side default (``""``,
    ``utcnow()``, an enum member) or the database's own. Nothing is returned from the
    database: give the ids explicitly (see ``reserve_ids``) when they are needed.
    """
    if not rows:
        return 0
    dialect = connection.dialect
    sql, copy_sql, getter, default_makers, converters = _plan(dialect, table, tuple(rows[0]))
    extra = tuple(make() for make in default_makers)
    # Each converter with its memo of this call's distinct values.
    converting = [(i, processor, {None: None}) for i, processor in converters]
    params: list[tuple] = []
    width = len(rows[0])
    for row in rows:
        if len(row) != width:  # a missing key raises KeyError in getter
            raise ValueError(f"{table.name}: every row needs the same columns as the first")
        values = list(getter(row))
        values.extend(extra)
        for i, processor, seen in converting:
            value = values[i]
            try:
                values[i] = seen[value]
            except KeyError:
                values[i] = seen[value] = processor(value)
            except TypeError:  # not hashable: convert without remembering
                values[i] = processor(value)
        params.append(tuple(values))
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        # COPY: one stream instead of a statement per row (psycopg's executemany
        # sends each row as its own INSERT); the server parses each value as its
        # column's type. Same connection, so the same transaction.
        with connection.connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for values in params:
                copy.write_row(values)
        return len(params)
    for start in range(0, len(params), batch_rows):
        connection.exec_driver_sql(sql, params[start:start + batch_rows])
    return len(params)


def reserve_ids(connection: sa.Connection, table: sa.Table, n: int) -> list[int]:
    """``n`` new primary keys for ``table``, for rows this transaction is about to insert.

    PostgreSQL: taken from the column's sequence (``nextval``), so concurrent
    transactions never get the same ones. SQLite: one past the largest id, after a
    write statement that matches no row has given this transaction the database's
    write lock, which it keeps until commit, so no other connection can insert in
    between.
    """
    if n <= 0:
        return []
    quote = connection.dialect.identifier_preparer.quote
    name, pk = quote(table.name), quote(table.primary_key.columns[0].name)
    if connection.dialect.name == "postgresql":
        return list(connection.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence(:t, :c)) "
                    "FROM generate_series(1, :n)"),
            {"t": table.name, "c": table.primary_key.columns[0].name, "n": n}).scalars())
    # Names come from the models, never from input.
    connection.exec_driver_sql(f"UPDATE {name} SET {pk} = {pk} WHERE 0")  # noqa: S608  # nosec B608
    last = connection.exec_driver_sql(f"SELECT max({pk}) FROM {name}").scalar()  # noqa: S608  # nosec B608
    first = (last or 0) + 1
    return list(range(first, first + n))
