"""The audit trail's CSV export: content, injection guard, filters, streaming, its own event."""

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from journey.audit import queries
from journey.audit import views as audit_views
from journey.audit.models import AuditEvent
from journey.enums import AuditAction
from tests.audit.helpers import event, many

URL = "/admin/audit/export.csv"


def _csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def admin(login_as, world, db):
    login_as(world["admin1"])
    db.session.execute(sa.delete(AuditEvent))  # the login event
    db.session.commit()
    return world


def test_csv_content_headers_and_scope(client, admin, db):
    o1, o2 = admin["orgs"]
    pid = admin["enr_a"].participant_id
    event(o1, datetime(2026, 1, 15, 12, 0, 5, tzinfo=UTC), user=admin["coach_a"],
          action=AuditAction.update, object_type="plan_item", object_id=77,
          participant_id=pid, ip="10.1.2.3", detail="ändrade titel; \"citat\"")
    event(o1, datetime(2026, 7, 1, 12, tzinfo=UTC), user=None, action=AuditAction.login_failed,
          object_type="user", ip="", detail="unknown account")
    event(o1, datetime(2026, 2, 1, 12, tzinfo=UTC), user=admin["portal_a"], detail="portal")
    event(o2, datetime(2026, 1, 15, 12, tzinfo=UTC), user=admin["coach_c"], detail="org två")
    db.session.commit()
    response = client.get(URL)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    today = queries.local_today().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="audit-{today}.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    rows = _csv(response)
    assert rows[0] == ["Tid", "Användare", "Roll", "Händelse", "Objekttyp", "Objekt-id",
                       "Deltagar-id", "IP-adress", "Detaljer"]
    body = rows[1:]
    # Newest first; the export's own event (just committed) comes first.
    assert body[0][3] == "Export" and body[0][4] == "audit_event"
    assert body[1] == ["2026-07-01 14:00:00", "System", "", "Misslyckad inloggning", "user",
                       "", "", "", "unknown account"]
    assert body[2][1:3] == [f"Deltagarkonto {admin['portal_a'].id}", "Deltagare"]
    assert body[3] == ["2026-01-15 13:00:05", "Coach A", "Jobbcoach", "Ändring", "plan_item",
                       "77", str(pid), "10.1.2.3", "ändrade titel; \"citat\""]
    assert len(body) == 4
    text = response.get_data(as_text=True)
    assert "org två" not in text and "Coach C" not in text and "Amina" not in text


def test_formula_injection_is_neutralised(client, admin, db):
    o1 = admin["orgs"][0]
    for i, payload in enumerate(("=cmd()", "+1+1", "-2+3", "@SUM(A1)")):
        event(o1, datetime(2026, 1, 1, 10, i, tzinfo=UTC), object_type="note", detail=payload)
    db.session.commit()
    rows = _csv(client.get(URL + "?object_type=note"))
    assert [r[8] for r in rows[1:]] == ["'@SUM(A1)", "'-2+3", "'+1+1", "'=cmd()"]


def test_export_applies_the_filters(client, admin, db):
    o1 = admin["orgs"][0]
    pa, pb = admin["enr_a"].participant_id, admin["enr_b"].participant_id
    at = datetime(2026, 3, 10, 10, tzinfo=UTC)
    event(o1, at, user=admin["coach_a"], participant_id=pa, detail="a")
    event(o1, at, user=admin["coach_b"], participant_id=pb, action=AuditAction.update,
          detail="b")
    event(o1, datetime(2026, 3, 20, 10, tzinfo=UTC), user=admin["coach_a"], participant_id=pa,
          detail="a-later")
    db.session.commit()

    def details(query):
        return [r[8] for r in _csv(client.get(f"{URL}?{query}"))[1:]]

    assert details(f"participant={pa}") == ["a-later", "a"]
    assert details(f"user={admin['coach_b'].id}") == ["b"]
    assert details("action=update") == ["b"]
    assert details(f"participant={pa}&date_to=2026-03-15") == ["a"]
    assert details("date_from=2026-03-11&date_to=2026-03-31") == ["a-later"]


def test_the_export_is_audited_with_its_filters(client, admin, db):
    response = client.get(URL + "?action=view&participant=12&date_from=2026-01-01")
    assert response.status_code == 200
    response.get_data()
    db.session.expire_all()
    exported = db.session.scalars(sa.select(AuditEvent)).all()
    assert len(exported) == 1
    e = exported[0]
    assert e.action == AuditAction.export and e.object_type == "audit_event"
    assert e.user_id == admin["admin1"].id and e.organization_id == admin["orgs"][0].id
    assert e.participant_id is None
    assert e.detail.startswith(f"audit-{queries.local_today().isoformat()}.csv; filters: ")
    assert "participant=12" in e.detail and "action=view" in e.detail
    assert "date_from=2026-01-01" in e.detail


def test_invalid_filters_export_nothing(client, admin, db):
    response = client.get(URL + "?date_from=2026-03-10&date_to=2026-03-01")
    assert response.status_code == 422
    assert "Till-datumet kan inte vara före från-datumet." in response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_streamed_in_keyset_chunks_without_loss_on_equal_times(client, admin, db,
                                                               monkeypatch, count_queries):
    """Chunks of 7 over 30 events, many sharing a timestamp: each exported once, in order."""
    monkeypatch.setattr(audit_views, "EXPORT_CHUNK", 7)
    o1 = admin["orgs"][0]
    same = datetime(2026, 6, 1, 12, tzinfo=UTC)
    ids = [event(o1, same if i % 3 else datetime(2026, 6, 1, 11, i, tzinfo=UTC),
                 object_type="chunk", detail=f"e{i}") for i in range(30)]
    db.session.commit()
    expected = sorted(ids, key=lambda e: (e.at, e.id), reverse=True)
    expected_details = [e.detail for e in expected]
    with count_queries() as q:
        response = client.get(URL + "?object_type=chunk")
        details = [r[8] for r in _csv(response)[1:]]
    assert details == expected_details
    selects = [s for s in q.statements if "FROM audit_event" in s and "count(" not in s]
    assert len(selects) == 5  # 30 rows / 7 per chunk


def test_large_export_streams_in_pieces(client, admin, db, monkeypatch):
    monkeypatch.setattr(audit_views, "EXPORT_CHUNK", 100)
    many(admin["orgs"][0], 450, start=datetime(2026, 1, 1, tzinfo=UTC))
    db.session.commit()
    response = client.get(URL, buffered=False)
    assert response.is_streamed
    pieces = list(response.response)
    assert len(pieces) == 1 + 5  # the header, then one piece per chunk
    rows = list(csv.reader(io.StringIO(b"".join(pieces).decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 450 + 1  # header, events, the export's own event
    response.close()
