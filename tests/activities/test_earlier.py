"""The enrollment page shows the latest activities; the rest page in one at a time."""

import re
from datetime import timedelta

import pytest

from journey.enums import Attendance, AuditAction
from tests.activities.helpers import HX, TODAY, YESTERDAY, activity, audit, text


def _history(enr, n: int, *, start: int = 0):
    """``n`` earlier activities, one a day going back from yesterday (newest first)."""
    return [activity(enr, on=YESTERDAY - timedelta(days=start + i),
                     attendance=Attendance.no_show if i % 4 == 0 else Attendance.attended)
            for i in range(n)]


def _row_ids(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'<li id="activity-(\d+)"', html)]


def _earlier(enr, page=None) -> str:
    """The page of its own (without JavaScript)."""
    url = f"/enrollments/{enr.id}/activities/earlier"
    return url if page is None else f"{url}?page={page}"


def _more(enr, start) -> str:
    """What the section's button asks htmx for: the rows after the first ``start``."""
    return f"/enrollments/{enr.id}/activities/earlier?start={start}"


def test_section_shows_the_latest_five_and_a_button_for_the_rest(client, login_as, world,
                                                                  db):
    enr = world["enr_a"]
    rows = _history(enr, 40)
    db.session.commit()
    login_as(world["coach_a"])
    html = text(client.get(f"/enrollments/{enr.id}"))
    assert _row_ids(html) == [a.id for a in rows[:5]]
    assert "Visa tidigare aktiviteter (35 till)" in html
    assert f'hx-get="{_more(enr, 5)}"' in html and 'hx-target="#activities-past-list"' in html
    # Without JavaScript the button opens the first page of its own (rows 1–15).
    assert f'href="{_earlier(enr, 1)}"' in html
    # The summary still counts every activity: 30 attended, 10 no-shows.
    assert "Närvaro hittills: 30 av 40 (75" in html


def test_no_button_when_everything_fits(client, login_as, world, db):
    enr = world["enr_a"]
    rows = _history(enr, 5)
    db.session.commit()
    login_as(world["coach_a"])
    html = text(client.get(f"/enrollments/{enr.id}"))
    assert _row_ids(html) == [a.id for a in rows]
    assert "Visa tidigare aktiviteter" not in html
    assert 'id="activities-more"' in html  # the (empty) slot stays for htmx to replace


def test_htmx_appends_the_next_fifteen_and_moves_the_button(client, login_as, world, db):
    enr = world["enr_a"]
    rows = _history(enr, 40)
    db.session.commit()
    login_as(world["coach_a"])
    first = text(client.get(_more(enr, 5), headers=HX))
    assert "<html" not in first
    assert _row_ids(first) == [a.id for a in rows[5:20]]
    # The first new row takes the focus; the button now asks for the rows after 20,
    # and without JavaScript for page 2 (rows 16–30, which holds the 21st).
    assert f'<li id="activity-{rows[5].id}" class="activity activity-' in first
    assert first.count("autofocus") == 1 and 'tabindex="-1" autofocus' in first
    assert 'id="activities-more" class="activities-more" hx-swap-oob="true"' in first
    assert "Visa tidigare aktiviteter (20 till)" in first
    assert f'hx-get="{_more(enr, 20)}"' in first and f'href="{_earlier(enr, 2)}"' in first
    second = text(client.get(_more(enr, 20), headers=HX))
    assert _row_ids(second) == [a.id for a in rows[20:35]]
    assert "Visa tidigare aktiviteter (5 till)" in second and _more(enr, 35) in second
    last = text(client.get(_more(enr, 35), headers=HX))
    assert _row_ids(last) == [a.id for a in rows[35:]]
    assert "Visa tidigare aktiviteter" not in last
    assert 'id="activities-more" class="activities-more" hx-swap-oob="true"' in last


@pytest.mark.parametrize("start, first", [("-3", 0), ("fem", 5), (None, 5)])
def test_htmx_start_below_zero_or_not_a_number(client, login_as, world, db, start, first):
    # A start below zero is the beginning; a missing or garbled one is what the
    # section shows (five).
    enr = world["enr_a"]
    rows = _history(enr, 30)
    db.session.commit()
    login_as(world["coach_a"])
    url = _earlier(enr) if start is None else f"{_earlier(enr)}?start={start}"
    html = text(client.get(url, headers=HX))
    assert _row_ids(html) == [a.id for a in rows[first:first + 15]]


def test_without_javascript_a_page_with_newer_and_older_links(client, login_as, world, db):
    enr = world["enr_a"]
    rows = _history(enr, 40)
    db.session.commit()
    login_as(world["coach_a"])
    response = client.get(_earlier(enr, 2))
    html = text(response)
    assert response.status_code == 200 and "<html" in html
    assert "<h1>Tidigare aktiviteter</h1>" in html and "Amina Ali" in html
    assert _row_ids(html) == [a.id for a in rows[15:30]]
    assert "Visar 16–30 av 40, senaste först." in html
    assert "Sida 2 av 3" in html
    assert f'href="{_earlier(enr, 1)}"' in html and f'href="{_earlier(enr, 3)}"' in html
    assert "autofocus" not in html
    # The default page is the first: the latest fifteen, the section's five among them.
    assert _row_ids(text(client.get(_earlier(enr)))) == [a.id for a in rows[:15]]


@pytest.mark.parametrize("page, shown", [(0, 1), (-1, 1), (4, 3), (99999, 3),
                                         (10**20, 3)])
def test_pages_outside_the_list_show_the_nearest_page(client, login_as, world, db, page,
                                                      shown):
    enr = world["enr_a"]
    rows = _history(enr, 40)
    db.session.commit()
    login_as(world["coach_a"])
    html = text(client.get(_earlier(enr, page)))
    assert _row_ids(html) == [a.id for a in rows[(shown - 1) * 15:shown * 15]]
    assert f"Sida {shown} av 3" in html


def test_htmx_past_the_end_appends_nothing(client, login_as, world, db):
    # Activities were removed since the button was drawn: no rows twice in the list.
    enr = world["enr_a"]
    _history(enr, 20)
    db.session.commit()
    login_as(world["coach_a"])
    for start in (20, 10**20):  # beyond what any database binds as an OFFSET, too
        html = text(client.get(_more(enr, start), headers=HX))
        assert _row_ids(html) == []
        assert 'hx-swap-oob="true"' in html and "Visa tidigare aktiviteter" not in html


def test_a_non_number_page_means_the_default(client, login_as, world, db):
    enr = world["enr_a"]
    rows = _history(enr, 20)
    db.session.commit()
    login_as(world["coach_a"])
    html = text(client.get(_earlier(enr, "två")))
    assert _row_ids(html) == [a.id for a in rows[:15]]


def test_viewing_earlier_activities_is_audited(client, login_as, world, db):
    enr = world["enr_a"]
    _history(enr, 20)
    db.session.commit()
    login_as(world["coach_a"])
    client.get(_more(enr, 5), headers=HX)
    client.get(_earlier(enr, 2))
    events = [e for e in audit(AuditAction.view, object_type="enrollment")
              if e.detail.startswith("earlier activities")]
    assert len(events) == 2
    assert {(e.object_id, e.participant_id) for e in events} == {(enr.id, enr.participant_id)}
    assert sorted(e.detail for e in events) == ["earlier activities, from 6",
                                                "earlier activities, page 2"]


@pytest.mark.parametrize("who, whose, status", [
    ("coach_a", "enr_a", 200),
    ("manager1", "enr_a", 200),
    ("coach_b", "enr_a", 404),   # another coach's participant
    ("coach_a", "enr_b", 404),
    ("manager2", "enr_a", 404),  # another organisation
    ("coach_c", "enr_a", 404),
    ("admin1", "enr_a", 404),
    ("portal_a", "enr_a", 404),  # the participant uses the portal, not this page
])
def test_scope(client, login_as, world, db, who, whose, status):
    _history(world[whose], 20)
    db.session.commit()
    login_as(world[who])
    assert client.get(_earlier(world[whose], 2)).status_code == status
    assert client.get(_more(world[whose], 5), headers=HX).status_code == status


def test_anonymous_goes_to_login(client, world, db):
    for headers in ({}, HX):
        response = client.get(_more(world["enr_a"], 5), headers=headers)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_query_count_does_not_grow(client, login_as, world, db, count_queries):
    enr = world["enr_a"]
    _history(enr, 20)
    db.session.commit()
    login_as(world["coach_a"])
    with count_queries() as few:
        assert client.get(_more(enr, 5), headers=HX).status_code == 200
    _history(enr, 200, start=20)
    db.session.commit()
    with count_queries() as many:
        assert client.get(_more(enr, 5), headers=HX).status_code == 200
    assert many.count == few.count, many.statements


def test_upcoming_shows_the_soonest_twenty(client, login_as, world, db):
    enr = world["enr_a"]
    planned = [activity(enr, on=TODAY + timedelta(days=i), attendance=Attendance.planned)
               for i in range(25)]
    db.session.commit()
    login_as(world["coach_a"])
    html = text(client.get(f"/enrollments/{enr.id}"))
    upcoming = html.split('id="activities-past"')[0]
    # The soonest twenty, shown newest first like every list of the log.
    assert _row_ids(upcoming) == [a.id for a in reversed(planned[:20])]
    assert "5 aktiviteter till är planerade efter dessa." in upcoming
