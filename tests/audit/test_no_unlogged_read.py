"""If the audit write fails, the request fails: no page or export leaves unlogged."""

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.extensions import db as _db
from journey.journeys.models import Note


class AuditWriteFailed(RuntimeError):
    pass


class AuditFailure:
    """While ``armed``, every INSERT INTO audit_event fails (a full disk, a lost grant)."""

    def __init__(self):
        self.armed = False
        self.attempts: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if self.armed and statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENT"):
            self.attempts.append(statement)
            raise AuditWriteFailed("audit_event is not writable")

    def __enter__(self):
        self.armed = True
        self.attempts.clear()
        return self

    def __exit__(self, *exc):
        self.armed = False
        return False


@pytest.fixture
def failing_audit(app, monkeypatch):
    """Use as ``with failing_audit:`` around a request; logging in still works.

    The suite lets exceptions propagate (TESTING); here the app answers as in production.
    """
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    failure = AuditFailure()
    sa.event.listen(_db.engine, "before_cursor_execute", failure)
    yield failure
    sa.event.remove(_db.engine, "before_cursor_execute", failure)


def _events(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


def _assert_error_page(response, *secrets):
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Något gick fel" in html and "Inget sparades" in html
    for secret in secrets:
        assert secret not in html
    assert "Traceback" not in html and "audit_event" not in html
    return html


def test_participant_page_fails_when_its_view_cannot_be_logged(client, login_as, world, db,
                                                              failing_audit):
    participant = world["enr_a"].participant
    login_as(world["coach_a"])
    # The page works while the trail can be written.
    assert "Amina" in client.get(f"/participants/{participant.id}").get_data(as_text=True)
    before = _events(db)
    with failing_audit:
        response = client.get(f"/participants/{participant.id}")
    assert failing_audit.attempts, "the view did try to write its audit event"
    _assert_error_page(response, "Amina", "Ali")
    assert _events(db) == before


def test_enrollment_page_fails_when_its_view_cannot_be_logged(client, login_as, world, db,
                                                             failing_audit):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    before = _events(db)
    with failing_audit:
        response = client.get(f"/enrollments/{enr.id}")
        htmx = client.get(f"/enrollments/{enr.id}", headers={"HX-Request": "true"})
    _assert_error_page(response, "Amina", "Ali", "Profilanalys", "Jobbpunkt HT")
    assert htmx.status_code == 500
    assert "Profilanalys" not in htmx.get_data(as_text=True)
    assert _events(db) == before


def test_a_change_with_its_event_is_rolled_back_whole(client, login_as, world, db,
                                                      failing_audit):
    """Nothing else is committed either: the note goes with the event that failed."""
    from tests.conftest import page_token

    enr = world["enr_a"]
    login_as(world["coach_a"])
    token = page_token(client, f"/enrollments/{enr.id}")
    before = _events(db)
    with failing_audit:
        response = client.post(f"/enrollments/{enr.id}/notes",
                               data={"note-body": "Ska inte sparas", "csrf_token": token})
    assert response.status_code == 500 and failing_audit.attempts
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Note.id))) == 0
    assert _events(db) == before


def test_report_json_is_not_delivered_when_the_export_cannot_be_logged(
        client, login_as, world, db, failing_audit):
    cohort_id = world["enr_a"].cohort_id
    login_as(world["manager1"])
    with failing_audit:
        response = client.get(f"/cohorts/{cohort_id}/report.json")
    assert failing_audit.attempts
    html = _assert_error_page(response, '"counts"', '"enrolled"', "Jobbpunkt HT")
    assert response.mimetype == "text/html" and not html.lstrip().startswith("{")


def test_audit_export_is_not_delivered_when_it_cannot_be_logged(client, login_as, world, db,
                                                               failing_audit):
    login_as(world["admin1"])
    before = _events(db)
    with failing_audit:
        response = client.get("/admin/audit/export.csv")
    _assert_error_page(response, "Tid;Användare")
    assert response.mimetype == "text/html"
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert _events(db) == before
