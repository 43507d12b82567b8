"""Back up and restore the whole database (SQLite file or PostgreSQL).

SQLite uses the online backup API (consistent while the app is running, WAL
included); PostgreSQL uses ``pg_dump --format=custom`` / ``pg_restore``. The
password of the database URL is handed to the PostgreSQL tools through
``PGPASSWORD`` and is never printed or put on the command line.
"""

import glob
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404 # runs only pg_dump/pg_restore, absolute paths, no shell
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import Connection, Engine

from journey.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
VERSION_TABLE = "alembic_version"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message is safe to print."""


@dataclass(frozen=True)
class BackupResult:
    path: str
    counts: dict[str, int]


def table_counts(conn: Connection) -> dict[str, int]:
    """Rows per table, for every table in the database (sorted by name)."""
    names = sorted(sa.inspect(conn).get_table_names())
    return {name: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
            for name in names}


def live_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return table_counts(conn)


def default_backup_path(engine: Engine) -> str:
    folder = os.path.join(current_app.instance_path, "backups")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if engine.dialect.name == "sqlite" else "pgdump"
    return os.path.join(folder, f"journey-{stamp}.{suffix}")


def _create_private_file(path: str) -> None:
    """Create ``path`` with mode 0600; refuse to overwrite an existing file."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise BackupError(f"Folder {folder} does not exist.")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"{path} already exists; choose another file name.") from None
    os.close(fd)
    os.chmod(path, 0o600)


def backup(path: str | None = None) -> BackupResult:
    """Write a backup of the configured database to ``path`` (default: instance/backups)."""
    engine = db.engine
    path = path or default_backup_path(engine)
    _create_private_file(path)
    try:
        if engine.dialect.name == "sqlite":
            counts = _sqlite_backup(_sqlite_path(engine), path)
        elif engine.dialect.name == "postgresql":
            counts = _pg_backup(engine, path)
        else:
            raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")
    except sa.exc.SQLAlchemyError as exc:
        os.remove(path)
        raise BackupError(f"Database error: {_first_line(exc)}") from None
    except sqlite3.Error as exc:
        os.remove(path)
        raise BackupError(f"SQLite error: {exc}") from None
    except BaseException:
        os.remove(path)
        raise
    os.chmod(path, 0o600)
    return BackupResult(path=path, counts=counts)


def _first_line(exc: sa.exc.SQLAlchemyError) -> str:
    # The driver's message names host and port, never the password.
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def restore(path: str) -> dict[str, int]:
    """Replace the configured database's contents with the backup in ``path``.

    The caller confirms first; this process's own connections are released so
    that nothing of ours holds a lock on the tables being replaced.
    """
    if not os.path.isfile(path):
        raise BackupError(f"{path} is not a file.")
    engine = db.engine
    # Check the file before touching anything.
    if engine.dialect.name == "sqlite":
        target = _sqlite_path(engine)
        check_sqlite_backup(path)
    elif engine.dialect.name == "postgresql":
        uri, env = _libpq(engine)
        check_pg_backup(path, env, engine)
    else:
        raise BackupError(f"Restores into {engine.dialect.name} databases are not supported.")
    db.session.remove()
    engine.dispose()
    if engine.dialect.name == "sqlite":
        try:
            _sqlite_restore(path, target)
        except sqlite3.Error as exc:
            raise BackupError(f"SQLite error: {exc}") from None
    else:
        # One transaction: a restore that fails half-way changes nothing.
        _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
              "--single-transaction", f"--dbname={uri}", path], env, engine)
    engine.dispose()
    return live_counts()


# SQLite ---------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if database in (None, "", ":memory:") or database.startswith("file:"):
        raise BackupError("The database is an in-memory SQLite database; nothing to back up.")
    if not os.path.isfile(database):
        raise BackupError(f"The SQLite database {database} does not exist.")
    return database


def _sqlite_backup(source_path: str, target_path: str) -> dict[str, int]:
    source = sqlite3.connect(source_path, timeout=15)
    target = sqlite3.connect(target_path)
    try:
        # Online backup: copies a consistent snapshot while the app keeps writing.
        source.backup(target)
        # A self-contained file: no -wal/-shm companions next to the backup.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    return _sqlite_file_counts(target_path)


def _sqlite_file_counts(path: str) -> dict[str, int]:
    engine = sa.create_engine("sqlite:///" + path, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return table_counts(conn)
    finally:
        engine.dispose()


def check_sqlite_backup(path: str) -> None:
    """Refuse anything but an SQLite file holding a Journey schema (alembic_version)."""
    with open(path, "rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{path} is not a Journey SQLite backup (not an SQLite file).")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
            (VERSION_TABLE,),
        ).fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database ({exc}).") from None
    finally:
        conn.close()
    if not found:
        raise BackupError(f"{path} is not a Journey backup (it has no {VERSION_TABLE} table).")


def _sqlite_restore(backup_path: str, target_path: str) -> None:
    source = sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=15)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


# PostgreSQL -----------------------------------------------------------------


def pg_tool(name: str) -> str:
    """Absolute path of a PostgreSQL client tool: PATH first, then the newest in
    /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return os.path.abspath(found)
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    candidates.sort(key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)))
    if not candidates:
        raise BackupError(f"{name} was not found on PATH or in /usr/lib/postgresql/*/bin; "
                          "install the PostgreSQL client tools.")
    return candidates[-1]


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment carrying it."""
    url = engine.url
    uri = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    # Fail instead of waiting forever when someone holds a lock on a table.
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c lock_timeout=60s").strip()
    return uri, env


def _run(args: list[str], env: dict[str, str], engine: Engine) -> subprocess.CompletedProcess:
    # The argument lists are built in this module; absolute tool path, no shell.
    result = subprocess.run(  # noqa: S603  # nosec B603
        args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = result.stderr.strip() or result.stdout.strip()
        if engine.url.password:
            message = message.replace(str(engine.url.password), "***")
        tool = os.path.basename(args[0])
        raise BackupError(f"{tool} failed (exit {result.returncode}): {message}")
    return result


def _pg_backup(engine: Engine, path: str) -> dict[str, int]:
    uri, env = _libpq(engine)
    # Count the rows in the very snapshot pg_dump copies, so the printed counts
    # describe the file even while the app keeps writing.
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        snapshot = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
        counts = table_counts(conn)
        _run([pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}",
              f"--file={path}", f"--dbname={uri}"], env, engine)
        conn.rollback()
    return counts


def check_pg_backup(path: str, env: dict[str, str], engine: Engine) -> None:
    with open(path, "rb") as fh:
        if fh.read(len(PG_CUSTOM_MAGIC)) != PG_CUSTOM_MAGIC:
            raise BackupError(f"{path} is not a Journey PostgreSQL backup "
                              "(not a pg_dump custom-format file).")
    listing = _run([pg_tool("pg_restore"), "--list", path], env, engine).stdout
    if not re.search(rf"^\d+; \d+ \d+ TABLE \S+ {VERSION_TABLE} ", listing, re.MULTILINE):
        raise BackupError(f"{path} is not a Journey backup (it has no {VERSION_TABLE} table).")


def describe_database(engine: Engine | None = None) -> str:
    """The database URL without its password, for messages."""
    engine = engine or db.engine
    return engine.url.render_as_string(hide_password=True)
