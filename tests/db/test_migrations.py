"""The migrations build exactly the schema of the models, forwards and backwards."""

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from journey import create_app
from journey.extensions import db


@pytest.fixture
def migration_url(tmp_path):
    """A scratch database of the same backend as the suite's."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite3")
        return
    name = f"journey_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_and_no_drift(migration_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": migration_url})
    with app.app_context():
        upgrade()
        model_tables = {t.name for t in db.metadata.sorted_tables}
        assert _tables(db.engine) == model_tables

        downgrade(revision="base")
        assert _tables(db.engine) == set()

        upgrade()
        assert _tables(db.engine) == model_tables

        # Autogenerate would find nothing to add: models and migrations agree.
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == []

        # CHECK constraints from the enums are really in the database.
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO organization (name, created_at, updated_at) "
                "VALUES ('X', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            conn.execute(sa.text(
                "INSERT INTO user_account (organization_id, email, name, role, locale, "
                "is_active, session_token, created_at, updated_at) SELECT id, 'a@b.se', 'A', "
                "'superuser', 'sv', true, 't', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
                "FROM organization"))
        db.session.remove()
        db.engine.dispose()


def _coach_index(engine) -> tuple[list[str], list[str]]:
    """Key and included columns of the enrollment's coach index."""
    index = next(i for i in sa.inspect(engine).get_indexes("enrollment")
                 if i["name"] == "ix_enrollment_coach_status")
    return index["column_names"], index.get("include_columns", [])


def test_coach_index_covers_the_caseload_columns(migration_url):
    """0b6c7d8e9f0a widens the coach index to the columns the caseload reads (the id
    included on PostgreSQL; SQLite has it as the rowid) and narrows it on the way down."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": migration_url})
    wide = ["coach_id", "status", "cohort_id", "enrolled_on", "participant_id"]
    with app.app_context():
        included = ["id"] if db.engine.dialect.name == "postgresql" else []
        upgrade()
        assert _coach_index(db.engine) == (wide, included)
        downgrade(revision="9a5b6c7d8e9f")
        assert _coach_index(db.engine) == (["coach_id", "status"], [])
        upgrade()
        assert _coach_index(db.engine) == (wide, included)
        db.session.remove()
        db.engine.dispose()


def test_suite_database_backend_matches_the_requested_one(app):
    dialect = db.engine.dialect.name
    if os.environ.get("JOURNEY_REQUIRE_POSTGRES"):
        assert dialect == "postgresql"
    else:
        assert dialect in ("sqlite", "postgresql")


def test_sqlite_connections_use_wal_foreign_keys_busy_timeout_and_cache(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "x.sqlite3")})
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -16 * 1024  # KiB
    with app.app_context():
        db.engine.dispose()
