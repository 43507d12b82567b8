"""Deployment checks: is this configuration safe to serve personal data?

Each check returns :class:`Finding` lines; ``fail`` findings make
``flask journey check-deploy`` exit non-zero, ``warn`` findings are printed
but do not block a deployment.
"""

import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

from journey.config import PROFILES

OK, WARN, FAIL = "ok", "warn", "fail"
MIN_SECRET_KEY_LENGTH = 32


@dataclass(frozen=True)
class Finding:
    level: str  # ok | warn | fail
    message: str


def known_public_secret_keys() -> set[str]:
    """The SECRET_KEY values written in journey/config.py (development, tests)."""
    return {key for profile in PROFILES.values()
            if (key := getattr(profile, "SECRET_KEY", None))}


def check_profile(app: Flask) -> list[Finding]:
    env_name = app.config.get("ENV_NAME")
    findings = []
    if env_name != "production":
        findings.append(Finding(WARN, (
            f"JOURNEY_ENV is '{env_name}', not 'production': the {env_name} profile "
            "has weaker defaults; set JOURNEY_ENV=production on servers.")))
    else:
        findings.append(Finding(OK, "JOURNEY_ENV is production."))
    flags = [name for name in ("DEBUG", "TESTING") if app.config.get(name)]
    if app.debug and "DEBUG" not in flags:
        flags.insert(0, "DEBUG")
    if env_name == "production" and flags:
        findings.append(Finding(FAIL, (
            f"{' and '.join(flags)} on in production: the debugger runs code from the "
            "browser and testing mode switches protections off; unset FLASK_DEBUG.")))
    elif not flags:
        findings.append(Finding(OK, "DEBUG and TESTING are off."))
    return findings


def check_secret_key(app: Flask) -> list[Finding]:
    key = app.config.get("SECRET_KEY")
    advice = ('generate one with: python -c "import secrets; print(secrets.token_hex(32))"'
              " and set SECRET_KEY in the environment.")
    if not key:
        return [Finding(FAIL, "SECRET_KEY is not set; " + advice)]
    if isinstance(key, bytes):
        key = key.decode("utf-8", "replace")
    if key in known_public_secret_keys():
        return [Finding(FAIL, "SECRET_KEY is a public development/test key from "
                              "journey/config.py; anyone could forge sessions: " + advice)]
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return [Finding(FAIL, f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} "
                              "characters; " + advice)]
    return [Finding(OK, f"SECRET_KEY is set ({MIN_SECRET_KEY_LENGTH}+ characters, "
                        "not a known key).")]


def check_personnummer_keys(app: Flask) -> list[Finding]:
    """The keys that encrypt and hash personnummer: set, valid, not the public ones."""
    from journey.participants import crypto

    advice = ("see SECURITY.md (Key rotation); generate a key with: python -c "
              '"import base64, os; print(base64.b64encode(os.urandom(32)).decode())"')
    data_keys = app.config.get("JOURNEY_DATA_KEYS")
    hash_key = app.config.get("JOURNEY_HASH_KEY")
    missing = [name for name, value in (("JOURNEY_DATA_KEYS", data_keys),
                                        ("JOURNEY_HASH_KEY", hash_key)) if not value]
    if missing:
        return [Finding(FAIL, f"{' and '.join(missing)} not set: personnummer cannot be "
                              "encrypted; " + advice)]
    try:
        parsed = crypto.parse_data_keys(data_keys)
        crypto.parse_hash_key(hash_key)
    except crypto.KeyConfigError as exc:
        return [Finding(FAIL, f"{exc} ({advice})")]
    dev_keys = {key for _, key in crypto.parse_data_keys(crypto.DEV_DATA_KEYS)}
    public = [name for name, is_public in (
        ("JOURNEY_DATA_KEYS", any(key in dev_keys for _, key in parsed)),
        ("JOURNEY_HASH_KEY", hash_key.strip() == crypto.DEV_HASH_KEY)) if is_public]
    if public:
        return [Finding(FAIL, f"{' and '.join(public)} use the public development key from "
                              "journey/config.py: anyone could decrypt or match personnummer; "
                              + advice)]
    return [Finding(OK, f"Personnummer keys are set ({len(parsed)} data key(s), current "
                        f"{parsed[0][0]!r}; not the development keys).")]


def check_cookies_and_csrf(app: Flask) -> list[Finding]:
    rules = [
        ("SESSION_COOKIE_SECURE", "the session cookie would travel over plain HTTP"),
        ("SESSION_COOKIE_HTTPONLY", "scripts in the page could read the session cookie"),
        ("WTF_CSRF_ENABLED", "other sites could submit forms as a logged-in user"),
    ]
    findings = []
    for name, risk in rules:
        if app.config.get(name):
            findings.append(Finding(OK, f"{name} is on."))
        else:
            findings.append(Finding(FAIL, f"{name} is off: {risk}."))
    return findings


def check_database_backend(app: Flask, environ: Mapping[str, str]) -> list[Finding]:
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        return [Finding(OK, f"Database is {url.get_backend_name()} "
                            f"({url.render_as_string(hide_password=True)}).")]
    if url.database in (None, "", ":memory:"):
        return [Finding(FAIL, "Database is an in-memory SQLite database: every restart "
                              "loses all data; set DATABASE_URL.")]
    if environ.get("JOURNEY_ALLOW_SQLITE") == "1":
        return [Finding(OK, "Database is SQLite, allowed by JOURNEY_ALLOW_SQLITE=1 "
                            "(one host only; back it up with flask journey backup).")]
    return [Finding(FAIL, "Database is SQLite: use PostgreSQL (set DATABASE_URL), or set "
                          "JOURNEY_ALLOW_SQLITE=1 to accept SQLite on a single small host.")]


def configured_processes(environ: Mapping[str, str]) -> int:
    """Worker processes announced by WEB_CONCURRENCY or GUNICORN_CMD_ARGS (-w/--workers)."""
    counts = [1]
    if environ.get("WEB_CONCURRENCY", "").strip().isdigit():
        counts.append(int(environ["WEB_CONCURRENCY"]))
    try:
        args = shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))
    except ValueError:
        args = []
    for index, arg in enumerate(args):
        value = None
        if arg in ("-w", "--workers") and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith("--workers="):
            value = arg.split("=", 1)[1]
        elif arg.startswith("-w") and len(arg) > 2:
            value = arg[2:]
        if value is not None and value.isdigit():
            counts.append(int(value))
    return max(counts)


def check_rate_limit_storage(app: Flask, environ: Mapping[str, str]) -> list[Finding]:
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    processes = configured_processes(environ)
    if not uri.startswith("memory://"):
        # Only the scheme: the URI may carry a password.
        scheme = uri.split("://", 1)[0]
        return [Finding(OK, f"Login throttling uses shared storage ({scheme}://).")]
    if processes > 1:
        return [Finding(WARN, (
            f"RATELIMIT_STORAGE_URI is memory:// but {processes} worker processes are "
            "configured (WEB_CONCURRENCY/GUNICORN_CMD_ARGS): each process counts login "
            f"attempts on its own, so an attacker gets up to {processes} times the allowed "
            "tries; set RATELIMIT_STORAGE_URI=redis://host:6379/0."))]
    return [Finding(OK, "Login throttling uses memory:// with one process "
                        "(use Redis before adding processes or hosts).")]


def check_migrations(app: Flask) -> list[Finding]:
    """Compare the database's Alembic revision with the head of migrations/."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from journey.extensions import db

    migrate_state = app.extensions["migrate"]
    config = migrate_state.migrate.get_config(migrate_state.directory)
    heads = set(ScriptDirectory.from_config(config).get_heads())
    try:
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except sa.exc.SQLAlchemyError as exc:
        shown = db.engine.url.render_as_string(hide_password=True)
        reason = type(exc.orig or exc).__name__
        return [Finding(FAIL, f"Cannot read the migration version from the database "
                              f"{shown} ({reason}); is it running and reachable?")]
    if current == heads:
        return [Finding(OK, f"Database schema is at the latest migration "
                            f"({', '.join(sorted(heads))}).")]
    if not current:
        return [Finding(FAIL, "Database has no migration version (no alembic_version "
                              "row): run flask --app wsgi journey init-db --no-demo.")]
    return [Finding(FAIL, (
        f"Database schema is at {', '.join(sorted(current))} but the latest migration is "
        f"{', '.join(sorted(heads))}: back up, then run flask --app wsgi db upgrade."))]


def run_checks(app: Flask, environ: Mapping[str, str] | None = None) -> list[Finding]:
    environ = os.environ if environ is None else environ
    return [
        *check_profile(app),
        *check_secret_key(app),
        *check_personnummer_keys(app),
        *check_cookies_and_csrf(app),
        *check_database_backend(app, environ),
        *check_rate_limit_storage(app, environ),
        *check_migrations(app),
    ]
