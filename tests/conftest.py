"""Fixtures: one app per test session, tables emptied after every test.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL
is set (``make test`` does both). CSRF protection stays on.
"""

import os
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from journey import create_app
from journey.audit.services import ASYNC_COMMIT_STATEMENT
from journey.extensions import db as _db

# Tests always use the testing profile, whatever the shell exported.
os.environ["JOURNEY_ENV"] = "testing"

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'name="csrf_token" value="([^"]+)"')


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    if os.environ.get("JOURNEY_REQUIRE_POSTGRES"):
        raise RuntimeError("JOURNEY_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


class IsolatedClient(FlaskClient):
    """Runs every request in its own app context, as in production.

    Tests hold an app context for factories; without this, requests would share
    its ``g`` (the cached current user, the CSRF token) and its DB session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    application = create_app({"SQLALCHEMY_DATABASE_URI": url})
    assert application.config["ENV_NAME"] == "testing"
    application.test_client_class = IsolatedClient
    with application.app_context():
        _db.drop_all()
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def _empty_tables() -> None:
    _db.session.rollback()
    with _db.engine.begin() as conn:
        for table in reversed(_db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(autouse=True)
def db(app):
    """An app context and an empty database for every test."""
    with app.app_context():
        yield _db
        _db.session.remove()
        _empty_tables()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no csrf_token in page"
    return match.group(1) or match.group(2)


def login(client, user, password=None):
    from tests.factories import PASSWORD

    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/login", data={"email": user.email,
                                           "password": password or PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def page_token(client, url: str) -> str:
    """The CSRF token of the session, read from a page the user can open."""
    return csrf_from(client.get(url).get_data(as_text=True))


@pytest.fixture
def login_as(client, db):
    def _login(user, password=None):
        db.session.commit()
        login(client, user, password)
        return client

    return _login


@pytest.fixture
def world(db):
    from tests.factories import caseload_world

    w = caseload_world()
    db.session.commit()
    return w


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...`` then ``q.count`` SQL statements ran."""

    @contextmanager
    def _count():
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            # Not a query: PostgreSQL's per-transaction commit setting, issued once
            # by a transaction that only records views (journey.audit.services).
            if statement != ASYNC_COMMIT_STATEMENT:
                counter.statements.append(statement)

        engine = _db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return _count
