"""`flask journey backup` / `restore`: every row comes back, on SQLite and PostgreSQL.

The suite's database is shared by the whole session: the restore replaces its
rows (the schema stays the same) and the autouse fixture empties it afterwards.
"""

import os
import re
import sqlite3
import stat

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from journey.audit.models import AuditEvent
from journey.participants.models import Participant

ROW_RE = re.compile(r"^  (\w+)\s+(\d+)$")


def table_counts(db) -> dict[str, int]:
    db.session.commit()
    with db.engine.connect() as conn:
        return {name: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
                for name in sa.inspect(conn).get_table_names()}


def printed_counts(output: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for line in output.splitlines()
            if (m := ROW_RE.match(line)) and m.group(1) != "total"}


@pytest.fixture
def stamped(app, db):
    """The suite's database carries an Alembic version, as a migrated one does."""
    state = app.extensions["migrate"]
    script = ScriptDirectory.from_config(state.migrate.get_config(state.directory))
    with db.engine.begin() as conn:
        MigrationContext.configure(conn).stamp(script, "heads")
    yield script.get_current_head()
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["journey", *args])


def test_backup_then_restore_brings_back_every_row(db, world, stamped, cli, tmp_path):
    amina_id = world["enr_a"].participant_id
    cecilia_id = world["enr_c"].participant_id
    target = tmp_path / "journey.backup"
    at_backup = table_counts(db)
    assert at_backup["participant"] == 3 and at_backup["alembic_version"] == 1

    made = cli("backup", "-o", str(target))

    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert f"Backup written to {target} (mode 0600)" in made.output
    assert printed_counts(made.output) == at_backup
    # The backup is an export of everyone's data: audited, without a user (CLI).
    export = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (export.action.value, export.object_type, export.user_id) == (
        "export", "database", None)
    assert "journey.backup" in export.detail
    assert table_counts(db)["audit_event"] == at_backup["audit_event"] + 1

    # Damage: a participant (and by cascade their enrollment) deleted, one renamed,
    # the audit trail wiped.
    with db.engine.begin() as conn:
        conn.execute(sa.delete(Participant).where(Participant.id == cecilia_id))
        conn.execute(sa.update(Participant).where(Participant.id == amina_id)
                     .values(first_name="Ändrad"))
        conn.execute(sa.delete(AuditEvent))
    damaged = table_counts(db)
    assert damaged["participant"] == 2
    assert damaged["enrollment"] == at_backup["enrollment"] - 1

    restored = cli("restore", str(target), "--yes")

    assert restored.exit_code == 0, restored.output
    assert "Restore done. Rows per table:" in restored.output
    assert printed_counts(restored.output) == at_backup
    assert "WARN" not in restored.output  # the backup's schema is at the latest migration
    db.session.remove()
    after = table_counts(db)
    # Every table as at backup time, plus the audit event of the restore itself.
    assert after == {**at_backup, "audit_event": at_backup["audit_event"] + 1}
    assert db.session.get(Participant, amina_id).first_name == "Amina"
    assert db.session.get(Participant, cecilia_id) is not None
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action.value, event.object_type) == ("update", "database")
    assert "restored from" in event.detail
    # The application keeps working on the restored database.
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 3


def test_default_backup_file_is_private_and_timestamped(app, db, world, stamped, cli,
                                                        tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    made = cli("backup")
    assert made.exit_code == 0, made.output
    folder = tmp_path / "backups"
    [written] = list(folder.iterdir())
    suffix = "sqlite3" if db.engine.dialect.name == "sqlite" else "pgdump"
    assert re.fullmatch(rf"journey-\d{{8}}T\d{{6}}Z\.{suffix}", written.name)
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert str(written) in made.output


def test_backup_refuses_to_overwrite_a_file(db, world, cli, tmp_path):
    target = tmp_path / "exists.backup"
    target.write_text("keep me")
    before = table_counts(db)
    made = cli("backup", "-o", str(target))
    assert made.exit_code != 0
    assert "already exists" in made.output
    assert target.read_text() == "keep me"
    assert table_counts(db) == before  # no export recorded


def test_restore_needs_yes_and_changes_nothing_without_it(db, world, stamped, cli, tmp_path):
    target = tmp_path / "journey.backup"
    assert cli("backup", "-o", str(target)).exit_code == 0
    with db.engine.begin() as conn:
        conn.execute(sa.update(Participant).values(first_name="Ändrad"))
    before = table_counts(db)

    refused = cli("restore", str(target))

    assert refused.exit_code != 0
    assert "run again with --yes" in refused.output
    assert table_counts(db) == before
    names = db.session.scalars(sa.select(Participant.first_name)).all()
    assert set(names) == {"Ändrad"}


def test_restore_refuses_a_file_that_is_not_a_backup(db, world, stamped, cli, tmp_path):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("inte en säkerhetskopia\n")
    other_sqlite = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other_sqlite)
    conn.execute("CREATE TABLE thing (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = table_counts(db)
    for path in (text_file, other_sqlite):
        refused = cli("restore", str(path), "--yes")
        assert refused.exit_code != 0
        assert "is not a Journey" in refused.output, refused.output
    assert table_counts(db) == before


def test_restore_refuses_a_backup_without_migration_version(db, world, cli, tmp_path):
    # The suite's database is not stamped here: its backup has no alembic_version.
    target = tmp_path / "unversioned.backup"
    assert cli("backup", "-o", str(target)).exit_code == 0
    with db.engine.begin() as conn:
        conn.execute(sa.update(Participant).values(first_name="Ändrad"))
    refused = cli("restore", str(target), "--yes")
    assert refused.exit_code != 0
    assert "has no alembic_version table" in refused.output
    assert set(db.session.scalars(sa.select(Participant.first_name)).all()) == {"Ändrad"}
