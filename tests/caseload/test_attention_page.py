"""The caseload shows the first few of the "needs attention" list; the rest has a paged page.

Both pages cost the same whatever the list's length: a capped number of entries
rendered, a fixed number of SQL statements.
"""

import re

import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.caseload.queries import Thresholds, attention_page, needs_attention
from journey.enums import AuditAction, EnrollmentStatus, Role
from tests import factories
from tests.caseload.helpers import (
    attention,
    attention_section,
    coach_with_cohort,
    days_ago,
    exit_enrollment,
    follow_up,
    plan_item,
    quiet_enrollment,
)

HX = {"HX-Request": "true"}
URL = "/caseload/attention"


def _flagged(coach, coh, n: int, prefix: str = "Deltagare"):
    """``n`` enrollments that need attention: never contacted, no step started.

    Every third one also has an overdue task (one reason more), so the order
    by reasons differs from the order by name.
    """
    for i in range(n):
        enr = factories.enrollment(coach, coh, enrolled_on=days_ago(60),
                                   first_name=prefix, last_name=f"N{i:03d}")
        if i % 3 == 2:
            plan_item(enr, days_ago(2))


def _expected(coach) -> list[str]:
    thresholds = Thresholds.of_organization_id(coach.organization_id)
    return [e.full_name for e in needs_attention(coach.id, thresholds)]


def _get(client, url, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


# --- The caseload page --------------------------------------------------------------


def test_caseload_shows_eight_and_links_to_the_whole_list(client, login_as, db):
    coach, coh = coach_with_cohort()
    _flagged(coach, coh, 12)
    quiet_enrollment(coach, coh, "Lugn")
    login_as(coach)
    page = _get(client, "/caseload")
    shown = list(attention(page))
    assert shown == _expected(coach)[:8]
    section = attention_section(page)
    assert "12 deltagare" in section  # the count is of the whole list
    link = re.search(r'<a href="([^"]+)">Visa alla 12 deltagare som behöver uppmärksamhet</a>',
                     section)
    assert link and link.group(1) == URL
    assert "<details class=\"attention-more\"" not in page
    assert "Så tas listan fram" in section


def test_caseload_shows_a_short_list_whole_without_a_link(client, login_as, db):
    coach, coh = coach_with_cohort()
    _flagged(coach, coh, 8)
    login_as(coach)
    page = _get(client, "/caseload")
    assert list(attention(page)) == _expected(coach)
    assert len(attention(page)) == 8
    assert URL not in page and "Visa alla" not in page


# --- The whole list -----------------------------------------------------------------


def test_whole_list_is_paged_fifty_at_a_time_in_the_same_order(client, login_as, db):
    coach, coh = coach_with_cohort()
    _flagged(coach, coh, 55)
    login_as(coach)
    expected = _expected(coach)
    assert len(expected) == 55
    first = _get(client, URL)
    second = _get(client, f"{URL}?page=2")
    assert list(attention(first)) == expected[:50]
    assert list(attention(second)) == expected[50:]
    assert "55 deltagare · visar 1–50" in first and "Sida 1 av 2" in first
    assert "55 deltagare · visar 51–55" in second and "Sida 2 av 2" in second
    # The pager: plain links that htmx turns into swaps of the list.
    nav = first.split('<nav class="pagination', 1)[1].split("</nav>", 1)[0]
    assert 'rel="prev"' not in nav
    assert (f'href="{URL}?page=2" hx-get="{URL}?page=2" hx-target="#attention-results" '
            'hx-swap="outerHTML" hx-push-url="true"') in nav
    nav = second.split('<nav class="pagination', 1)[1].split("</nav>", 1)[0]
    assert f'rel="prev" href="{URL}" hx-get="{URL}"' in nav  # page 1 has no ?page
    assert 'rel="next"' not in nav
    # The page has a heading, a way back and the rules of the list.
    assert "<h1" in first and "Behöver uppmärksamhet" in first
    assert '<p class="breadcrumb"><a href="/caseload">Mina deltagare</a></p>' in first
    assert "Så tas listan fram" in first


def test_one_page_has_no_pager(client, login_as, db):
    coach, coh = coach_with_cohort()
    _flagged(coach, coh, 3)
    login_as(coach)
    page = _get(client, URL)
    assert list(attention(page)) == _expected(coach)
    assert "3 deltagare" in page and "visar" not in page
    assert '<nav class="pagination' not in page


def test_page_numbers_out_of_range_are_clamped(client, login_as, db):
    coach, coh = coach_with_cohort()
    _flagged(coach, coh, 55)
    login_as(coach)
    expected = _expected(coach)
    for query in ("page=0", "page=-3", "page=abc", "page=", "page=1&page=2"):
        assert list(attention(_get(client, f"{URL}?{query}"))) == expected[:50], query
    for query in ("page=3", "page=99", "page=99999999999999999999999"):
        page = _get(client, f"{URL}?{query}")
        assert list(attention(page)) == expected[50:], query
        assert "Sida 2 av 2" in page


def test_empty_list_shows_a_calm_message(client, login_as, db):
    coach, coh = coach_with_cohort()
    quiet_enrollment(coach, coh, "Lugn")
    login_as(coach)
    page = _get(client, f"{URL}?page=4")
    assert attention(page) == {}
    assert "Ingen behöver extra uppmärksamhet just nu." in page
    assert '<nav class="pagination' not in page


def test_htmx_request_gets_only_the_list_partial(client, login_as, db):
    coach, coh = coach_with_cohort()
    _flagged(coach, coh, 55)
    login_as(coach)
    response = client.get(f"{URL}?page=2", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<div id="attention-results"')
    assert "<html" not in html and "<h1" not in html and "Så tas listan fram" not in html
    names = re.findall(r'<a href="/enrollments/\d+">(.*?)</a>', html)
    assert names == _expected(coach)[50:]
    assert 'hx-target="#attention-results"' in html and 'hx-push-url="true"' in html
    # Boosted and history-restore requests get the whole page.
    for extra in ({"HX-Boosted": "true"}, {"HX-History-Restore-Request": "true"}):
        assert "<h1" in _get(client, f"{URL}?page=2", headers={**HX, **extra})


# --- Scope, audit, cost -------------------------------------------------------------


def test_only_the_coachs_own_participants_appear(client, login_as, world, db):
    # Every enrollment of the world has signals (no contact, no step for 87 days).
    follow_up(exit_enrollment(world["enr_b"]), 3, days_ago(2))
    login_as(world["coach_a"])
    page = _get(client, URL)
    assert list(attention(page)) == ["Amina Ali"]
    assert "Bo Berg" not in page and "Cecilia Cruz" not in page


def test_other_roles_get_not_found_and_anonymous_goes_to_login(client, login_as, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    for who in ("manager1", "admin1", "portal_a"):
        client.delete_cookie("journey_session")
        login_as(world[who])
        assert client.get(URL).status_code == 404, who
        assert client.get(URL, headers=HX).status_code == 404, who


def test_viewing_the_list_leaves_an_audit_event_without_names(client, login_as, world, db):
    login_as(world["coach_a"])
    _get(client, URL)
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.view, AuditEvent.object_type == "caseload")).all()
    assert len(events) == 1
    [event] = events
    assert event.user_id == event.object_id == world["coach_a"].id
    assert event.participant_id is None
    assert event.detail == "attention list page 1, 1 of 1 shown"
    # A list that names nobody leaves no trace.
    quiet = factories.user(Role.coach)
    client.delete_cookie("journey_session")
    login_as(quiet)
    _get(client, URL)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.object_type == "caseload")) == 1


def test_query_count_does_not_grow_with_the_list(client, login_as, count_queries, db):
    coach, coh = coach_with_cohort()
    _flagged(coach, coh, 3)
    login_as(coach)
    with count_queries() as small:
        _get(client, URL)
    with count_queries() as small_partial:
        _get(client, URL, headers=HX)
    with count_queries() as small_caseload:
        _get(client, "/caseload")
    _flagged(coach, coh, 120, prefix="Fler")
    for i in range(30):
        enr = exit_enrollment(quiet_enrollment(coach, coh, "Avslutad", f"N{i:03d}"))
        follow_up(enr, 3, days_ago(i % 9))
    db.session.commit()
    assert len(_expected(coach)) == 153
    with count_queries() as large:
        html = _get(client, URL)
    with count_queries() as large_last:
        last = _get(client, f"{URL}?page=4")
    with count_queries() as large_partial:
        _get(client, f"{URL}?page=2", headers=HX)
    with count_queries() as large_caseload:
        caseload = _get(client, "/caseload")
    assert html.count('class="attention-item"') == 50
    assert last.count('class="attention-item"') == 3  # page 4 is past the end: page 4 of 4
    assert caseload.count('class="attention-item"') == 8
    assert large.count == large_last.count == small.count <= 4, large.statements
    assert large_partial.count == small_partial.count, large_partial.statements
    assert large_caseload.count == small_caseload.count, large_caseload.statements


def test_attention_page_query_matches_the_whole_list(app, db):
    coach, coh = coach_with_cohort()
    _flagged(coach, coh, 20)
    db.session.commit()
    thresholds = Thresholds.of_organization_id(coach.organization_id)
    whole = needs_attention(coach.id, thresholds)
    first = attention_page(coach.id, thresholds, per_page=8)
    assert (first.total, first.page, first.pages, first.has_more) == (20, 1, 3, True)
    assert first.entries == whole[:8]
    assert (first.first_index, first.last_index) == (1, 8)
    last = attention_page(coach.id, thresholds, page=3, per_page=8)
    assert last.entries == whole[16:] and last.page == 3
    assert (last.first_index, last.last_index) == (17, 20)
    assert attention_page(coach.id, thresholds, page=7, per_page=8) == last
    assert attention_page(coach.id, thresholds, page=-1, per_page=8) == first
    assert attention_page(coach.id, thresholds, per_page=50).entries == whole
    nobody = factories.user(Role.coach)
    db.session.commit()
    empty = attention_page(nobody.id, thresholds, page=3)
    assert (empty.entries, empty.total, empty.page, empty.pages) == ([], 0, 1, 1)
    assert (empty.first_index, empty.last_index) == (0, 0)


def test_open_and_exited_enrollments_share_one_order_across_pages(app, db):
    coach, coh = coach_with_cohort()
    _flagged(coach, coh, 7)  # two or three reasons each
    exited = {}
    for i in range(7):  # one to three pending follow-ups each
        enr = exit_enrollment(quiet_enrollment(coach, coh, "Avslutad", f"N{i:03d}"))
        for months in (3, 6, 12)[: i % 3 + 1]:
            follow_up(enr, months, days_ago(i))
        exited[enr.id] = i % 3 + 1
    db.session.commit()
    thresholds = Thresholds.of_organization_id(coach.organization_id)
    whole = needs_attention(coach.id, thresholds)
    assert len(whole) == 14
    assert {e.enrollment_id: len(e.follow_ups) for e in whole
            if e.status is EnrollmentStatus.exited} == exited
    # Most reasons first, then by name: the two kinds of entry interleave.
    keys = [(-e.reason_count, e.last_name, e.first_name) for e in whole]
    assert keys == sorted(keys)
    assert [e.first_name for e in whole[:4]] == ["Avslutad", "Deltagare", "Avslutad", "Deltagare"]
    pages = [attention_page(coach.id, thresholds, page=p, per_page=4) for p in (1, 2, 3, 4, 5)]
    assert [e for p in pages[:4] for e in p.entries] == whole
    assert pages[4] == pages[3] and pages[3].entries == whole[12:]
    assert {(p.total, p.pages) for p in pages} == {(14, 4)}
