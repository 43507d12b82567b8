"""Configuration read from the environment.

``JOURNEY_ENV`` selects the profile: ``production`` (default), ``development``
or ``testing``. Outside development and testing ``SECRET_KEY``,
``JOURNEY_DATA_KEYS`` and ``JOURNEY_HASH_KEY`` must be set.
"""

import os
from datetime import timedelta

# Known, public keys for development and the test suite; check-deploy rejects them.
DEV_DATA_KEYS = "dev1:ZGV2LW9ubHktbm90LXNlY3JldC1kYXRhLWtleS0wMDE="
DEV_HASH_KEY = "ZGV2LW9ubHktbm90LXNlY3JldC1oYXNoLWtleS0wMDE="  # nosec B105 # public


class ConfigError(RuntimeError):
    pass


class Config:
    ENV_NAME = "production"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "journey_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # The cookie is re-sent when the session changes, not on every response: its
    # lifetime matches the absolute limit, which ends the session anyway.
    SESSION_REFRESH_EACH_REQUEST = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_ENABLED = True
    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    LANGUAGES = ("sv", "en")
    SEED_DEMO_IF_EMPTY = False
    # Attention signals (issue 3) read these per organisation later.
    PAGE_SIZE = 50
    # Login throttling storage: memory:// keeps counts per process; set a Redis
    # URL (redis://host:6379/0) when several processes or hosts serve the app.
    RATELIMIT_STORAGE_URI = "memory://"
    # Login throttling (journey/auth/throttle.py), in the notation of the limits package.
    # Every attempt counts per client address; only failed ones per account.
    LOGIN_LIMIT_PER_IP = "20 per 5 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    # A session ends after this long without a request, and this long after login
    # whatever the activity (journey/auth/session.py).
    IDLE_TIMEOUT = timedelta(minutes=30)
    ABSOLUTE_TIMEOUT = timedelta(hours=12)
    # Personnummer at rest (journey/participants/crypto.py, SECURITY.md): AES-256-GCM
    # keys "id:base64key,..." (the first encrypts, all decrypt) and the HMAC key of
    # the search hash (base64).
    JOURNEY_DATA_KEYS: str | None = None
    JOURNEY_HASH_KEY: str | None = None
    # On PostgreSQL, a transaction that only records views and exports commits
    # without waiting for the disk; changes always wait (journey/audit/services.py,
    # docs/deployment.md "Audit of views"). False: every commit waits.
    AUDIT_VIEWS_ASYNC_COMMIT = True
    # PDFs are rendered in a child process forked for each one, so that what
    # WeasyPrint allocates is given back (journey/reports/pdf.py); False renders in
    # the worker itself. A render that takes longer than the timeout (seconds) is
    # stopped and the request fails.
    PDF_RENDER_IN_CHILD = True
    PDF_RENDER_TIMEOUT = 45  # below gunicorn's --timeout (60 s in docs/deployment.md)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False
    # Known, public values: only for local development and the test suite.
    SECRET_KEY = "dev-only-not-secret"  # noqa: S105  # nosec B105 # public; check-deploy rejects
    JOURNEY_DATA_KEYS = DEV_DATA_KEYS
    JOURNEY_HASH_KEY = DEV_HASH_KEY


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SESSION_COOKIE_SECURE = False
    SECRET_KEY = "test-only-not-secret"  # noqa: S105  # nosec B105 # public; check-deploy rejects
    JOURNEY_DATA_KEYS = DEV_DATA_KEYS
    JOURNEY_HASH_KEY = DEV_HASH_KEY
    SERVER_NAME = None
    # Throttling stays on in tests, but the suite logs in hundreds of times from
    # 127.0.0.1; tests/auth/test_throttling.py lowers it to prove the real limit.
    # The per-account limit keeps its production value.
    LOGIN_LIMIT_PER_IP = "100000 per 5 minutes"


PROFILES = {
    "production": Config,
    "development": DevelopmentConfig,
    "testing": TestConfig,
}


def default_sqlite_uri(instance_path: str) -> str:
    return "sqlite:///" + os.path.join(instance_path, "journey.sqlite3")


def load_config(app, config=None) -> None:
    """Apply the profile named by ``JOURNEY_ENV`` (or the given object/dict)."""
    if config is None or isinstance(config, dict):
        profile = PROFILES.get(os.environ.get("JOURNEY_ENV", "production"))
        if profile is None:
            raise ConfigError("JOURNEY_ENV must be one of: " + ", ".join(PROFILES))
        app.config.from_object(profile)
    else:
        app.config.from_object(config)
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    for name in ("JOURNEY_DATA_KEYS", "JOURNEY_HASH_KEY"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    if os.environ.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["RATELIMIT_STORAGE_URI"]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(os.environ["DATABASE_URL"])
    for name in ("AUDIT_VIEWS_ASYNC_COMMIT", "PDF_RENDER_IN_CHILD"):
        if os.environ.get(name):
            app.config[name] = _flag(name)
    if os.environ.get("PDF_RENDER_TIMEOUT"):
        app.config["PDF_RENDER_TIMEOUT"] = _seconds("PDF_RENDER_TIMEOUT")
    if isinstance(config, dict):
        app.config.update(config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = default_sqlite_uri(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 15}}
    if app.config.get("ENV_NAME") == "production" and not app.config.get("SECRET_KEY"):
        raise ConfigError(
            "SECRET_KEY must be set in the environment outside development and tests "
            "(or set JOURNEY_ENV=development for a local demo)."
        )
    if app.config.get("ENV_NAME") == "production" and not (
            app.config.get("JOURNEY_DATA_KEYS") and app.config.get("JOURNEY_HASH_KEY")):
        raise ConfigError(
            "JOURNEY_DATA_KEYS and JOURNEY_HASH_KEY must be set in the environment outside "
            "development and tests: they encrypt and hash personnummer (see SECURITY.md; "
            "generate a key with: python -c \"import base64, os; "
            "print(base64.b64encode(os.urandom(32)).decode())\")."
        )


def _flag(name: str) -> bool:
    value = os.environ[name].strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false (1/0, yes/no, on/off), not {value!r}.")


def _seconds(name: str) -> float:
    value = os.environ[name].strip()
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise ConfigError(f"{name} must be a number of seconds above 0, not {value!r}.")
    return seconds


def normalise_db_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgres://``/``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
