"""The admins' audit trail page: scope, filters, Stockholm days, paging, htmx, budgets."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from journey.audit import queries
from journey.audit.models import AuditEvent
from journey.enums import AuditAction
from tests.audit.helpers import event, many

URL = "/admin/audit"
HX = {"HX-Request": "true"}


def _rows(html: str) -> list[str]:
    """The event rows of the results table (their detail cells, in order)."""
    return re.findall(r'<td class="audit-detail">([^<]*)</td>', html)


def _page(client, query: str = "", headers=None):
    response = client.get(URL + ("?" + query if query else ""), headers=headers)
    return response, response.get_data(as_text=True)


@pytest.fixture
def admin(login_as, world, db):
    login_as(world["admin1"])
    return world


# --- who may see it -----------------------------------------------------------------------


def test_admin_sees_only_own_organisation_events(client, admin, db):
    o1, o2 = admin["orgs"]
    event(o1, datetime(2026, 1, 10, 9, tzinfo=UTC), user=admin["coach_a"], detail="ett-händelse")
    event(o2, datetime(2026, 1, 10, 9, tzinfo=UTC), user=admin["coach_c"], detail="två-händelse")
    db.session.commit()
    response, html = _page(client)
    assert response.status_code == 200
    assert "ett-händelse" in html
    assert "två-händelse" not in html and "Coach C" not in html
    assert "<h1>Händelselogg</h1>" in html


@pytest.mark.parametrize("role", ["manager1", "coach_a", "portal_a"])
def test_other_roles_get_404(client, login_as, world, role):
    login_as(world[role])
    assert client.get(URL).status_code == 404
    assert client.get(URL + "/export.csv").status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    for url in (URL, URL + "/export.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


# --- rows ---------------------------------------------------------------------------------


def test_rows_newest_first_in_stockholm_time_with_user_and_role(client, admin, db):
    o1 = admin["orgs"][0]
    db.session.execute(sa.delete(AuditEvent))  # the admin's own login event
    event(o1, datetime(2026, 1, 15, 12, 0, 5, tzinfo=UTC), user=admin["coach_a"],
          action=AuditAction.update, object_type="plan_item", object_id=77,
          participant_id=admin["enr_a"].participant_id, detail="vinter")
    event(o1, datetime(2026, 7, 1, 12, 0, 0, tzinfo=UTC), user=None,
          action=AuditAction.login_failed, object_type="user", detail="sommar", ip="")
    db.session.commit()
    _, html = _page(client)
    assert _rows(html) == ["sommar", "vinter"]
    assert "2026-01-15 13:00:05" in html  # CET, UTC+1
    assert "2026-07-01 14:00:00" in html  # CEST, UTC+2
    assert "Coach A (Jobbcoach)" in html
    assert "<td>Misslyckad inloggning</td>" in html and "<td>Ändring</td>" in html
    assert "plan_item" in html and "#77" in html
    assert f">{admin['enr_a'].participant_id}</td>" in html
    assert "Amina" not in html  # participant ids only, never names
    assert '<th scope="col">Deltagar-id</th>' in html
    assert '<div class="table-wrap">' in html


def test_portal_accounts_are_shown_by_id_not_name(client, admin, db):
    portal = admin["portal_a"]
    event(admin["orgs"][0], datetime(2026, 2, 1, 8, tzinfo=UTC), user=portal, detail="portal")
    db.session.commit()
    _, html = _page(client)
    assert f"Deltagarkonto {portal.id}" in html
    assert "Amina Ali" not in html  # neither in the row nor in the user filter


def test_empty_state(client, admin, db):
    db.session.execute(sa.delete(AuditEvent))  # the admin's own login event
    db.session.commit()
    _, html = _page(client)
    assert "Inga händelser ännu" in html
    _, html = _page(client, "action=delete")
    assert "Inga händelser matchar filtren" in html


# --- filters ------------------------------------------------------------------------------


@pytest.fixture
def spread(admin, db):
    o1 = admin["orgs"][0]
    at = datetime(2026, 3, 10, 10, tzinfo=UTC)
    pa, pb = admin["enr_a"].participant_id, admin["enr_b"].participant_id
    event(o1, at, user=admin["coach_a"], action=AuditAction.view, object_type="enrollment",
          participant_id=pa, detail="a-view")
    event(o1, at, user=admin["coach_b"], action=AuditAction.update, object_type="plan_item",
          participant_id=pb, detail="b-update")
    event(o1, at, user=None, action=AuditAction.login_failed, object_type="user",
          detail="system-event")
    event(o1, at, user=admin["manager1"], action=AuditAction.export, object_type="cohort",
          detail="m-export")
    db.session.commit()
    return admin


@pytest.mark.parametrize("query, expected", [
    ("user={coach_a}", {"a-view"}),
    ("user={coach_b}", {"b-update"}),
    ("user=system", {"system-event"}),
    ("participant={pa}", {"a-view"}),
    ("participant={pb}", {"b-update"}),
    ("action=export", {"m-export"}),
    ("action=login_failed", {"system-event"}),
    ("object_type=plan_item", {"b-update"}),
    ("object_type=+Enrollment+", {"a-view"}),
    ("user={coach_a}&action=update", set()),
    ("date_from=2026-03-10&date_to=2026-03-10",
     {"a-view", "b-update", "system-event", "m-export"}),
    ("date_from=2026-03-11", set()),
])
def test_each_filter(client, spread, query, expected):
    query = query.format(coach_a=spread["coach_a"].id, coach_b=spread["coach_b"].id,
                         pa=spread["enr_a"].participant_id, pb=spread["enr_b"].participant_id)
    if "date_to" not in query:  # leave out the login events of today
        query += "&date_to=2026-03-31"
    response, html = _page(client, query)
    assert response.status_code == 200
    assert set(_rows(html)) == expected


def test_filter_form_offers_org_users_and_swedish_actions(client, spread):
    _, html = _page(client)
    assert '<label for="participant">Deltagar-id</label>' in html
    assert f'<option value="{spread["coach_a"].id}">Coach A (Jobbcoach)</option>' in html
    assert "Coach C" not in html  # another organisation's user
    assert '<option value="system">System (ingen användare)</option>' in html
    assert '<option value="login_failed">Misslyckad inloggning</option>' in html
    assert 'method="get"' in html and 'hx-get="/admin/audit"' in html
    assert 'hx-push-url="true"' in html and "hx-disabled-elt" in html
    assert 'hx-trigger="change, submit"' in html


def test_selected_filters_stay_in_the_form(client, spread):
    _, html = _page(client, f"user={spread['coach_b'].id}&action=update&participant=5"
                            "&date_from=2026-03-01")
    assert f'<option selected value="{spread["coach_b"].id}">' in html
    assert '<option selected value="update">' in html
    assert 'value="5"' in html and 'value="2026-03-01"' in html


@pytest.mark.parametrize("query, message", [
    ("participant=abc", "Skriv deltagarens id som ett heltal, till exempel 123."),
    ("participant=0", "Skriv deltagarens id som ett heltal, till exempel 123."),
    ("participant=199001011239", "Skriv deltagarens id som ett heltal, till exempel 123."),
    ("date_from=2026-13-01", "Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2026-08-17."),
    ("date_from=2026-03-10&date_to=2026-03-09",
     "Till-datumet kan inte vara före från-datumet."),
    ("action=hack", "Välj en händelse i listan."),
    ("object_type=x;drop", "Använd bara bokstäverna a–z och _, till exempel enrollment."),
])
def test_invalid_filters_show_a_message_and_no_rows(client, spread, query, message):
    response, html = _page(client, query)
    assert response.status_code == 422
    assert "Kontrollera filtren" in html
    assert message in html
    assert _rows(html) == []


def test_user_of_another_organisation_cannot_be_chosen(client, spread, db):
    coach_c = spread["coach_c"]
    event(spread["orgs"][1], datetime(2026, 3, 10, tzinfo=UTC), user=coach_c, detail="org2")
    db.session.commit()
    response, html = _page(client, f"user={coach_c.id}")
    assert response.status_code == 422
    assert "Välj en användare i listan." in html
    assert "org2" not in html


# --- Stockholm days -----------------------------------------------------------------------


@pytest.mark.parametrize("month, offset", [(1, 1), (7, 2)])  # CET and CEST
def test_date_filters_are_inclusive_stockholm_days(client, admin, db, month, offset):
    o1 = admin["orgs"][0]

    def local(day, hour, minute, second=0):
        # A Stockholm wall-clock time, stored in UTC.
        return datetime(2026, month, day, hour, minute, second,
                        tzinfo=UTC) - _hours(offset)

    event(o1, local(14, 23, 59, 59), detail="before-from")
    event(o1, local(15, 0, 0), detail="from-midnight")
    event(o1, local(20, 23, 59), detail="to-2359")
    event(o1, local(21, 0, 0), detail="next-midnight")
    db.session.commit()
    _, html = _page(client, f"date_from=2026-{month:02d}-15&date_to=2026-{month:02d}-20")
    assert _rows(html) == ["to-2359", "from-midnight"]
    assert f"2026-{month:02d}-20 23:59:00" in html
    _, html = _page(client, f"date_to=2026-{month:02d}-14")
    assert _rows(html) == ["before-from"]


def _hours(n):
    from datetime import timedelta

    return timedelta(hours=n)


def test_midnight_bounds_follow_daylight_saving():
    from datetime import date

    assert queries.local_midnight_utc(date(2026, 1, 15)) == datetime(2026, 1, 14, 23,
                                                                     tzinfo=UTC)
    assert queries.local_midnight_utc(date(2026, 7, 15)) == datetime(2026, 7, 14, 22,
                                                                     tzinfo=UTC)


# --- paging and htmx ----------------------------------------------------------------------


def test_paged_fifty_per_page_with_counts(client, admin, db):
    db.session.execute(sa.delete(AuditEvent))
    many(admin["orgs"][0], 120, start=datetime(2026, 4, 1, 8, tzinfo=UTC),
         user=admin["coach_a"])
    db.session.commit()
    _, html = _page(client)
    assert "120 händelser" in html and "visar 1–50" in html
    assert _rows(html)[0] == "bulk 119" and len(_rows(html)) == 50
    assert "Sida 1 av 3" in html and 'href="/admin/audit?page=2"' in html
    _, html = _page(client, "page=3")
    assert "visar 101–120" in html and len(_rows(html)) == 20
    assert _rows(html)[-1] == "bulk 0"
    assert 'href="/admin/audit?page=2"' in html and "Nästa sida" not in html
    _, html = _page(client, "page=99")  # past the end: the last page
    assert "Sida 3 av 3" in html
    # Paging links keep the filters.
    _, html = _page(client, f"user={admin['coach_a'].id}")
    assert f'href="/admin/audit?user={admin["coach_a"].id}&amp;page=2"' in html


def test_htmx_gets_the_results_partial_with_a_clean_address(client, spread):
    query = f"user={spread['coach_a'].id}&participant=&action=&object_type=&date_from=&date_to="
    response, html = _page(client, query, headers=HX)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="audit-results"')
    assert "<html" not in html and "audit-filter" not in html
    assert _rows(html) == ["a-view"]
    assert response.headers["HX-Push-Url"] == f"/admin/audit?user={spread['coach_a'].id}"
    assert "HX-Request" in response.headers["Vary"]
    full, page_html = _page(client, query)
    assert "<html" in page_html and 'id="audit-filter"' in page_html
    assert 'id="audit-results"' in page_html and _rows(page_html) == ["a-view"]
    assert "HX-Push-Url" not in full.headers


def test_htmx_invalid_filter_answers_with_the_error_list(client, spread):
    response, html = _page(client, "participant=abc", headers=HX)
    assert response.status_code == 422
    assert html.lstrip().startswith('<section id="audit-results"')
    assert 'role="alert"' in html and '<a href="#participant">Deltagar-id</a>' in html


def test_export_link_carries_the_filters(client, spread):
    _, html = _page(client, "action=view")
    assert 'href="/admin/audit/export.csv?action=view"' in html


# --- budgets and indexes ------------------------------------------------------------------


def test_query_count_does_not_grow_with_events(client, admin, db, count_queries):
    o1 = admin["orgs"][0]
    many(o1, 10, start=datetime(2026, 5, 1, tzinfo=UTC), user=admin["coach_a"])
    db.session.commit()
    with count_queries() as q1:
        assert client.get(URL).status_code == 200
    many(o1, 190, start=datetime(2026, 5, 2, tzinfo=UTC), user=admin["coach_b"],
         participant_id=admin["enr_b"].participant_id)
    many(o1, 10, start=datetime(2026, 5, 3, tzinfo=UTC), user=None)
    db.session.commit()
    with count_queries() as q2:
        assert client.get(URL + "?page=2").status_code == 200
    assert q1.count == q2.count, q2.statements
    # session user, the user filter's choices, the count, the rows
    assert q1.count <= 5, q1.statements


def _plan(db, stmt) -> str:
    dialect = db.engine.dialect.name
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as conn:
        if dialect == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
            return "\n".join(str(r[-1]) for r in rows)
        # Tiny test tables make a sequential scan cheapest; forbid it to see the index used.
        conn.exec_driver_sql("SET enable_seqscan = off")
        rows = conn.exec_driver_sql(f"EXPLAIN {compiled}").all()
        return "\n".join(r[0] for r in rows)


@pytest.mark.parametrize("filters, index", [
    (queries.AuditFilters(), "ix_audit_event_org_at"),
    (queries.AuditFilters(date_from=datetime(2026, 1, 1).date()), "ix_audit_event_org_at"),
    (queries.AuditFilters(user_id=1), "ix_audit_event_user_at"),
    (queries.AuditFilters(participant_id=1), "ix_audit_event_participant_at"),
])
def test_filters_use_the_audit_indexes(world, db, filters, index):
    o1 = world["orgs"][0]
    many(o1, 50, start=datetime(2026, 1, 1, tzinfo=UTC), user=world["coach_a"])
    db.session.commit()
    conds = queries._conditions(o1.id, filters)
    stmt = queries._rows_stmt(conds).limit(50)
    assert index in _plan(db, stmt)
