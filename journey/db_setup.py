"""Per-connection settings for SQLite (WAL, foreign keys, busy timeout)."""

import sqlalchemy as sa
from sqlalchemy.engine import Engine

_configured: set[int] = set()


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite" or id(engine) in _configured:
        return
    _configured.add(id(engine))

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
