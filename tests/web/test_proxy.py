"""X-Forwarded-* headers count only when the app is told a proxy sets them."""

import sqlalchemy as sa
from flask import url_for

from journey import create_app
from journey.audit.models import AuditEvent
from journey.enums import AuditAction
from tests.conftest import csrf_from

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "journey.kommun.example"}


def _failed_login_ip(app, db) -> str:
    client = app.test_client()
    token = csrf_from(client.get("/login", headers=FORWARDED).get_data(as_text=True))
    # Over https Flask-WTF also wants a same-site Referer, as browsers send it.
    client.post("/login", data={"email": "nobody@example.se", "password": "fel lösenord 123",
                                "csrf_token": token},
                headers={**FORWARDED, "Referer": "https://journey.kommun.example/login"})
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent.ip).where(
            AuditEvent.action == AuditAction.login_failed)).one()


def test_without_a_proxy_the_headers_are_ignored(app, db):
    assert app.config["PROXY_HOPS"] == 0
    assert _failed_login_ip(app, db) == "127.0.0.1"  # not the forged address


def test_behind_one_proxy_the_client_address_scheme_and_host_are_used(app, db):
    behind = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "PROXY_HOPS": 1})
    # Links the app builds (e.g. the portal invite link) must use the public address.
    behind.add_url_rule("/_where", "where",
                        lambda: url_for("web.healthz", _external=True))
    try:
        assert _failed_login_ip(behind, db) == "203.0.113.7"
        where = behind.test_client().get("/_where", headers=FORWARDED).get_data(as_text=True)
        assert where == "https://journey.kommun.example/healthz"
    finally:
        with behind.app_context():  # this app has its own connection pool: close it
            db.session.remove()
            db.engine.dispose()
