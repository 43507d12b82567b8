"""`flask journey check-deploy`: one line per problem, exit 1 when unsafe."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from journey import create_app
from journey.config import DEV_DATA_KEYS, DEV_HASH_KEY
from journey.extensions import db
from journey.participants.crypto import generate_key

ROOT = Path(__file__).resolve().parents[2]
SAFE = {
    "ENV_NAME": "production",
    "TESTING": False,
    "DEBUG": False,
    "SECRET_KEY": secrets.token_hex(32),
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "WTF_CSRF_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "JOURNEY_DATA_KEYS": "k2:" + generate_key() + ",k1:" + generate_key(),
    "JOURNEY_HASH_KEY": generate_key(),
}
PROCESS_ENV = ("WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "FLASK_DEBUG", "JOURNEY_ALLOW_SQLITE")


def _script(app) -> ScriptDirectory:
    state = app.extensions["migrate"]
    return ScriptDirectory.from_config(state.migrate.get_config(state.directory))


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    """``make_app(stamp="heads"|revision|None, create=True, **overrides)``: an app on its
    own SQLite file, with the tables created and the Alembic version stamped."""
    for name in PROCESS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JOURNEY_ALLOW_SQLITE", "1")
    apps = []

    def _make(stamp="heads", create=True, **overrides):
        url = "sqlite:///" + str(tmp_path / f"deploy{len(apps)}.sqlite3")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, **SAFE, **overrides})
        apps.append(app)
        if not create:
            return app
        with app.app_context():
            db.create_all()
            if stamp:
                with db.engine.begin() as conn:
                    MigrationContext.configure(conn).stamp(_script(app), stamp)
        return app

    yield _make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def check(app):
    # The suite's autouse fixture holds another app's context; the CLI would reuse it.
    with app.app_context():
        return app.test_cli_runner().invoke(args=["journey", "check-deploy"])


def lines(result, level):
    return [line for line in result.output.splitlines() if line.startswith(level)]


def test_safe_configuration_passes_with_ok_lines(make_app):
    result = check(make_app())
    assert result.exit_code == 0, result.output
    assert lines(result, "FAIL") == []
    assert lines(result, "WARN") == []
    assert len(lines(result, "OK")) >= 8
    assert "schema is at the latest migration" in result.output
    assert result.output.rstrip().endswith("OK: safe to deploy (0 warning(s)).")
    # The key itself is never printed.
    assert SAFE["SECRET_KEY"] not in result.output


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"DEBUG": True}, "DEBUG on in production"),
    ({"TESTING": True}, "TESTING on in production"),
    ({"SECRET_KEY": "x" * 31}, "SECRET_KEY is shorter than 32 characters"),
    ({"SECRET_KEY": "dev-only-not-secret"}, "SECRET_KEY is a public development/test key"),
    ({"SECRET_KEY": "test-only-not-secret"}, "SECRET_KEY is a public development/test key"),
    ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE is off"),
    ({"SESSION_COOKIE_HTTPONLY": False}, "SESSION_COOKIE_HTTPONLY is off"),
    ({"WTF_CSRF_ENABLED": False}, "WTF_CSRF_ENABLED is off"),
])
def test_each_unsafe_setting_fails_with_one_clear_line(make_app, overrides, expected):
    result = check(make_app(**overrides))
    assert result.exit_code == 1, result.output
    failures = lines(result, "FAIL")
    assert len(failures) == 1, result.output
    assert expected in failures[0]
    assert "Not safe to deploy: 1 problem(s)" in result.output


def test_every_problem_is_listed_at_once(make_app):
    result = check(make_app(DEBUG=True, SECRET_KEY="short", SESSION_COOKIE_SECURE=False,
                            WTF_CSRF_ENABLED=False))
    assert result.exit_code == 1
    assert len(lines(result, "FAIL")) == 4
    assert "Not safe to deploy: 4 problem(s)" in result.output


def test_missing_secret_key_fails(make_app):
    app = make_app()
    app.config["SECRET_KEY"] = None
    result = check(app)
    assert result.exit_code == 1
    assert any("SECRET_KEY is not set" in line for line in lines(result, "FAIL"))


def test_sqlite_needs_an_explicit_opt_in(make_app, monkeypatch):
    app = make_app()
    monkeypatch.delenv("JOURNEY_ALLOW_SQLITE")
    refused = check(app)
    assert refused.exit_code == 1
    assert lines(refused, "FAIL") == [
        "FAIL  Database is SQLite: use PostgreSQL (set DATABASE_URL), or set "
        "JOURNEY_ALLOW_SQLITE=1 to accept SQLite on a single small host."]
    monkeypatch.setenv("JOURNEY_ALLOW_SQLITE", "1")
    allowed = check(app)
    assert allowed.exit_code == 0
    assert any("allowed by JOURNEY_ALLOW_SQLITE=1" in line for line in lines(allowed, "OK"))


@pytest.mark.parametrize(("name", "value", "processes"), [
    ("WEB_CONCURRENCY", "4", 4),
    ("GUNICORN_CMD_ARGS", "--bind 0.0.0.0:8000 --workers 3", 3),
    ("GUNICORN_CMD_ARGS", "-w5", 5),
])
def test_memory_rate_limits_with_several_processes_warn_but_pass(make_app, monkeypatch,
                                                                 name, value, processes):
    monkeypatch.setenv(name, value)
    result = check(make_app())
    assert result.exit_code == 0, result.output
    [warning] = lines(result, "WARN")
    assert f"memory:// but {processes} worker processes" in warning
    assert "RATELIMIT_STORAGE_URI=redis://" in warning
    assert "(1 warning(s))" in result.output


def test_shared_rate_limit_storage_is_ok_and_its_password_hidden(make_app, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    app = make_app()
    # Set after start: the Redis client library is not installed in the test venv.
    app.config["RATELIMIT_STORAGE_URI"] = "redis://:hemligt-pw@redis.internal:6379/0"
    result = check(app)
    assert result.exit_code == 0
    assert "OK    Login throttling uses shared storage (redis://)." in result.output
    assert "hemligt-pw" not in result.output


def test_database_without_migration_version_fails(make_app):
    result = check(make_app(stamp=None))
    assert result.exit_code == 1
    [failure] = lines(result, "FAIL")
    assert "no migration version" in failure
    assert "journey init-db" in failure


def test_database_behind_the_latest_migration_fails(make_app):
    probe = make_app()
    script = _script(probe)
    head = script.get_current_head()
    older = script.get_revision(head).down_revision
    assert older
    result = check(make_app(stamp=older))
    assert result.exit_code == 1
    [failure] = lines(result, "FAIL")
    assert f"schema is at {older} but the latest migration is {head}" in failure
    assert "db upgrade" in failure


def test_unreachable_postgres_fails_without_showing_the_password(make_app):
    url = "postgresql+psycopg://journey:s3cret-pw@127.0.0.1:1/journey"
    result = check(make_app(create=False, SQLALCHEMY_DATABASE_URI=url))
    assert result.exit_code == 1
    assert "OK    Database is postgresql" in result.output
    assert any("Cannot read the migration version" in line for line in lines(result, "FAIL"))
    assert "s3cret-pw" not in result.output


def test_non_production_profile_warns(make_app):
    result = check(make_app(ENV_NAME="testing", TESTING=True))
    assert any("JOURNEY_ENV is 'testing', not 'production'" in line
               for line in lines(result, "WARN"))
    # Testing mode is only refused in production; the warning says to switch.
    assert result.exit_code == 0


def _flask(args, env, tmp_path):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "journey", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def production_env(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in (*PROCESS_ENV, "SECRET_KEY", "DATABASE_URL", "RATELIMIT_STORAGE_URI")}
    env.update(JOURNEY_ENV="production",
               DATABASE_URL="sqlite:///" + str(tmp_path / "prod.sqlite3"))
    return env


def test_command_line_refuses_production_without_secret_key(production_env, tmp_path):
    # create_app refuses to start; the last line says why.
    result = _flask(["check-deploy"], production_env, tmp_path)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "SECRET_KEY must be set in the environment" in last


def test_command_line_passes_a_safe_production_setup(production_env, tmp_path):
    production_env.update(SECRET_KEY=secrets.token_hex(32), JOURNEY_ALLOW_SQLITE="1",
                          JOURNEY_DATA_KEYS="k1:" + generate_key(),
                          JOURNEY_HASH_KEY=generate_key())
    migrated = _flask(["init-db", "--no-demo"], production_env, tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    result = _flask(["check-deploy"], production_env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    assert result.stdout.rstrip().endswith("OK: safe to deploy (0 warning(s)).")
    production_env["WEB_CONCURRENCY"] = "3"
    warned = _flask(["check-deploy"], production_env, tmp_path)
    assert warned.returncode == 0
    assert "WARN  RATELIMIT_STORAGE_URI is memory:// but 3 worker processes" in warned.stdout


def test_command_line_refuses_production_without_personnummer_keys(production_env, tmp_path):
    production_env.update(SECRET_KEY=secrets.token_hex(32), JOURNEY_ALLOW_SQLITE="1")
    result = _flask(["check-deploy"], production_env, tmp_path)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "JOURNEY_DATA_KEYS and JOURNEY_HASH_KEY must be set in the environment" in last


def _key_lines(app, **config):
    # Set after create_app: a production app without keys would not even start.
    app.config.update(config)
    result = check(app)
    return result, [line for line in result.output.splitlines()
                    if "JOURNEY_DATA_KEYS" in line or "JOURNEY_HASH_KEY" in line
                    or "Personnummer keys" in line]


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"JOURNEY_DATA_KEYS": None}, "FAIL  JOURNEY_DATA_KEYS not set"),
    ({"JOURNEY_HASH_KEY": ""}, "FAIL  JOURNEY_HASH_KEY not set"),
    ({"JOURNEY_DATA_KEYS": DEV_DATA_KEYS}, "FAIL  JOURNEY_DATA_KEYS use the public development"),
    ({"JOURNEY_DATA_KEYS": "new:" + generate_key() + "," + DEV_DATA_KEYS},
     "FAIL  JOURNEY_DATA_KEYS use the public development"),
    ({"JOURNEY_HASH_KEY": DEV_HASH_KEY}, "FAIL  JOURNEY_HASH_KEY use the public development"),
    ({"JOURNEY_DATA_KEYS": "k1:c2hvcnQ="}, "FAIL  JOURNEY_DATA_KEYS key 'k1' must be 32 bytes"),
    ({"JOURNEY_HASH_KEY": "not base64!"}, "FAIL  JOURNEY_HASH_KEY is not valid base64"),
])
def test_personnummer_keys_missing_malformed_or_public_fail(make_app, overrides, expected):
    result, key_lines = _key_lines(make_app(), **overrides)
    assert result.exit_code == 1
    assert len(key_lines) == 1 and key_lines[0].startswith(expected), key_lines


def test_personnummer_keys_of_a_safe_setup_pass_and_are_never_printed(make_app):
    result, key_lines = _key_lines(make_app())
    assert result.exit_code == 0, result.output
    assert key_lines == ["OK    Personnummer keys are set (2 data key(s), current 'k2'; "
                         "not the development keys)."]
    for part in SAFE["JOURNEY_DATA_KEYS"].split(","):
        assert part.split(":")[1] not in result.output
    assert SAFE["JOURNEY_HASH_KEY"] not in result.output


def test_wsgi_entry_point_freezes_the_loaded_objects(production_env):
    # gunicorn imports wsgi in each worker: what the app loaded at start is moved out
    # of the garbage collector's reach, so full collections stay short.
    production_env.update(SECRET_KEY=secrets.token_hex(32), JOURNEY_ALLOW_SQLITE="1",
                          JOURNEY_DATA_KEYS="k1:" + generate_key(),
                          JOURNEY_HASH_KEY=generate_key())
    result = subprocess.run(
        [sys.executable, "-c", "import gc, wsgi; print(wsgi.app.name, gc.get_freeze_count())"],
        cwd=ROOT, env=production_env, capture_output=True, text=True, timeout=120,
        check=False)
    assert result.returncode == 0, result.stderr
    name, frozen = result.stdout.split()
    assert name == "journey"
    assert int(frozen) > 10_000  # the app's modules and objects, not a handful
