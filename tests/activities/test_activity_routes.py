"""The activity log on the enrollment page: add, edit, attendance, remove."""

from datetime import date, time, timedelta

import pytest

from journey.enums import Attendance, AuditAction
from tests import factories
from tests.activities.helpers import (
    HX,
    NEXT_WEEK,
    TODAY,
    YESTERDAY,
    activities_of,
    activity,
    audit,
    form,
    group_session,
    text,
    token,
)
from tests.conftest import csrf_from, page_token


def _section(html: str) -> str:
    start = html.index('<section id="activities"')
    return html[start:html.index("</section>", start)]


# --- the section on the enrollment page ------------------------------------------------------

def test_section_lists_upcoming_and_past_newest_first(client, login_as, world, db):
    enr = world["enr_a"]
    old = activity(enr, on=date(2026, 1, 5), note="Pratade om CV:t")
    newer = activity(enr, on=YESTERDAY, attendance=Attendance.no_show, at=time(13, 0))
    soon = activity(enr, on=TODAY + timedelta(days=2), attendance=Attendance.planned)
    later = activity(enr, on=NEXT_WEEK, attendance=Attendance.planned, at=time(9, 30))
    session = group_session(enr.cohort, title="Intervjuträning")
    grouped = activity(enr, on=YESTERDAY - timedelta(days=1), group_session=session)
    activity(world["enr_b"], note="Bo:s anteckning")
    db.session.commit()
    login_as(world["coach_a"])
    section = _section(text(client.get(f"/enrollments/{enr.id}")))
    assert '<h2 id="activities-heading">Aktiviteter</h2>' in section
    upcoming, past = section.split('id="activities-past"')
    assert upcoming.index(f'id="activity-{later.id}"') < upcoming.index(f'id="activity-{soon.id}"')
    assert past.index(f'id="activity-{newer.id}"') < past.index(f'id="activity-{grouped.id}"') \
        < past.index(f'id="activity-{old.id}"')
    assert "kl. 09:30" in upcoming and "kl. 13:00" in past
    assert "Pratade om CV:t" in past  # the coach sees the note
    assert "Intervjuträning" in past and f"/group-sessions/{session.id}" in past
    assert "Uteblev" in past and "Planerad" in upcoming
    assert "Bo:s anteckning" not in section
    # Attendance so far: attended / (attended + no-show).
    assert "Närvaro hittills: 2 av 3 (67" in section


def test_section_empty_state(client, login_as, world):
    login_as(world["coach_a"])
    section = _section(text(client.get(f"/enrollments/{world['enr_a'].id}")))
    assert "Inget inplanerat" in section and "Inga aktiviteter registrerade" in section


def test_future_rows_offer_only_cancel(client, login_as, world, db):
    enr = world["enr_a"]
    future = activity(enr, on=NEXT_WEEK, attendance=Attendance.planned)
    past = activity(enr, on=YESTERDAY, attendance=Attendance.planned)
    db.session.commit()
    login_as(world["coach_a"])
    html = text(client.get(f"/enrollments/{enr.id}"))
    future_row = html[html.index(f'id="activity-{future.id}"'):].split("</li>")[0]
    past_row = html[html.index(f'id="activity-{past.id}"'):].split("</li>")[0]
    assert 'value="cancelled"' in future_row
    assert 'value="attended"' not in future_row and 'value="no_show"' not in future_row
    assert all(f'value="{v}"' in past_row for v in ("attended", "no_show", "cancelled"))


def test_note_never_reaches_the_portal(client, login_as, world, db):
    activity(world["enr_a"], note="Endast för coachen")
    db.session.commit()
    login_as(world["portal_a"])
    html = text(client.get("/portal/"))
    assert response_ok(html)
    assert "Endast för coachen" not in html


def response_ok(html: str) -> bool:
    return "<html" in html


def test_section_query_count_does_not_grow(client, login_as, world, db, count_queries):
    enr = world["enr_a"]
    for i in range(3):
        activity(enr, on=YESTERDAY - timedelta(days=i))
    db.session.commit()
    login_as(world["coach_a"])
    with count_queries() as few:
        assert client.get(f"/enrollments/{enr.id}").status_code == 200
    session = group_session(enr.cohort)
    for i in range(57):
        activity(enr, on=YESTERDAY - timedelta(days=i), group_session=session if i % 2 else None,
                 attendance=Attendance.planned if i % 3 else Attendance.attended)
    db.session.commit()
    with count_queries() as many:
        response = client.get(f"/enrollments/{enr.id}")
    assert response.status_code == 200
    html = text(response)
    # The latest 5 earlier activities; the other 55 are a click away.
    assert html.count('class="activity activity-') == 5
    assert "Visa tidigare aktiviteter (55 till)" in html
    assert many.count == few.count, many.statements
    # Counts, the upcoming ones and the latest earlier ones.
    assert sum("FROM activity" in s for s in many.statements) == 3


# --- add -------------------------------------------------------------------------------------

def test_add_without_javascript_redirects_with_confirmation(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = client.post(f"/enrollments/{enr.id}/activities", data={
        **form(time="14:30", note="Första mötet", duration_minutes="45"),
        "csrf_token": token(client, enr)})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == f"/enrollments/{enr.id}?saved=activity-created#activities"
    (stored,) = activities_of(enr)
    assert (stored.kind, stored.date, stored.time, stored.duration_minutes, stored.attendance,
            stored.note) == ("coaching", YESTERDAY, time(14, 30), 45, "attended", "Första mötet")
    section = _section(text(client.get(location.split("#")[0])))
    assert "Aktiviteten har lagts till." in section
    assert "har lagts till" not in _section(text(client.get(f"/enrollments/{enr.id}")))
    (event,) = audit(AuditAction.create)
    assert (event.object_id, event.participant_id, event.user_id) == (
        stored.id, enr.participant_id, world["coach_a"].id)


def test_add_with_htmx_returns_the_section(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = client.post(f"/enrollments/{enr.id}/activities",
                           data=form(date=NEXT_WEEK.isoformat(), attendance="planned"),
                           headers={**HX, "X-CSRFToken": token(client, enr)})
    assert response.status_code == 200
    html = text(response)
    assert html.lstrip().startswith('<section id="activities"')
    assert "<html" not in html
    (stored,) = activities_of(enr)
    assert f'id="activity-{stored.id}"' in html
    assert "Aktiviteten har lagts till." in html
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("htmx", [True, False])
def test_add_refuses_attendance_in_the_future(client, login_as, world, db, htmx):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    tok = token(client, enr)
    data = form(date=NEXT_WEEK.isoformat(), attendance="attended")
    if htmx:
        response = client.post(f"/enrollments/{enr.id}/activities", data=data,
                               headers={**HX, "X-CSRFToken": tok})
    else:
        response = client.post(f"/enrollments/{enr.id}/activities",
                               data={**data, "csrf_token": tok})
    assert response.status_code == 422
    html = text(response)
    assert ("<html" in html) is not htmx
    section = _section(html)
    assert "Närvaro kan bara registreras för i dag eller ett tidigare datum" in section
    assert 'aria-invalid="true"' in section
    assert '<details class="card activity-add" id="activity-add" open>' in section
    assert activities_of(enr) == [] and audit() == []


@pytest.mark.parametrize(("overrides", "message"), [
    ({"duration_minutes": "0"}, "Ange en längd mellan 1 och 600 minuter."),
    ({"duration_minutes": "601"}, "Ange en längd mellan 1 och 600 minuter."),
    ({"duration_minutes": ""}, "Ange en längd mellan 1 och 600 minuter."),
    ({"date": ""}, "Ange ett datum."),
    ({"kind": "picnic"}, "giltig"),
    ({"attendance": "maybe"}, "giltig"),
    ({"time": "25:99"}, "giltig"),
])
def test_add_rejects_invalid_input(client, login_as, world, db, overrides, message):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = client.post(f"/enrollments/{enr.id}/activities", data=form(**overrides),
                           headers={**HX, "X-CSRFToken": token(client, enr)})
    assert response.status_code == 422
    assert message in text(response)
    assert activities_of(enr) == []


def test_add_requires_csrf(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    assert client.post(f"/enrollments/{enr.id}/activities", data=form()).status_code == 400
    assert client.post(f"/enrollments/{enr.id}/activities", data=form(),
                       headers=HX).status_code == 400
    assert activities_of(enr) == [] and audit() == []


def test_manager_of_the_organisation_may_add(client, login_as, world, db):
    enr = world["enr_b"]
    login_as(world["manager1"])
    response = client.post(f"/enrollments/{enr.id}/activities", data=form(),
                           headers={**HX, "X-CSRFToken": token(client, enr)})
    assert response.status_code == 200
    assert len(activities_of(enr)) == 1


# --- edit ------------------------------------------------------------------------------------

def test_edit_with_htmx_swaps_the_row(client, login_as, world, db):
    enr = world["enr_a"]
    a = activity(enr, note="före")
    db.session.commit()
    login_as(world["coach_a"])
    tok = token(client, enr)
    url = f"/enrollments/{enr.id}/activities/{a.id}/edit"
    edit_row = text(client.get(url, headers=HX))
    assert edit_row.lstrip().startswith(
        f'<li id="activity-{a.id}" class="activity activity-editing"')
    assert "<html" not in edit_row and "före" in edit_row
    assert f'hx-get="/enrollments/{enr.id}/activities/{a.id}"' in edit_row  # cancel
    response = client.post(url, data=form(kind="guidance", note="efter", attendance="no_show"),
                           headers={**HX, "X-CSRFToken": tok})
    assert response.status_code == 200
    row = text(response)
    assert row.lstrip().startswith(f'<li id="activity-{a.id}" class="activity activity-no_show"')
    assert "Aktiviteten har sparats." in row and "Vägledning" in row and "efter" in row
    (stored,) = activities_of(enr)
    assert (stored.kind, stored.note, stored.attendance) == ("guidance", "efter", "no_show")
    (event,) = audit(AuditAction.update)
    assert event.participant_id == enr.participant_id and event.object_id == a.id
    assert event.detail == "changed kind, attendance, note"


def test_edit_without_javascript_is_a_page_and_redirects(client, login_as, world, db):
    enr = world["enr_a"]
    a = activity(enr)
    db.session.commit()
    login_as(world["coach_a"])
    url = f"/enrollments/{enr.id}/activities/{a.id}/edit"
    page = client.get(url)
    assert page.status_code == 200
    html = text(page)
    assert "<html" in html and "<h1>Ändra aktivitet</h1>" in html
    response = client.post(url, data={**form(duration_minutes="90"), "csrf_token": csrf_from(html)})
    assert response.status_code == 302
    assert response.headers["Location"] == \
        f"/enrollments/{enr.id}?saved=activity-updated#activities"
    assert activities_of(enr)[0].duration_minutes == 90
    assert "Aktiviteten har sparats." in _section(text(client.get(
        response.headers["Location"].split("#")[0])))


@pytest.mark.parametrize("htmx", [True, False])
def test_edit_refuses_future_attendance(client, login_as, world, db, htmx):
    enr = world["enr_a"]
    a = activity(enr, on=YESTERDAY, attendance=Attendance.attended)
    db.session.commit()
    login_as(world["coach_a"])
    tok = token(client, enr)
    data = form(date=NEXT_WEEK.isoformat(), attendance="attended")
    url = f"/enrollments/{enr.id}/activities/{a.id}/edit"
    response = client.post(url, data=data, headers={**HX, "X-CSRFToken": tok}) if htmx else \
        client.post(url, data={**data, "csrf_token": tok})
    assert response.status_code == 422
    html = text(response)
    assert ("<html" in html) is not htmx
    assert "kan bara vara planerad eller inställd" in html
    assert activities_of(enr)[0].date == YESTERDAY
    assert audit(AuditAction.update) == []


def test_edit_get_records_a_view(client, login_as, world, db):
    enr = world["enr_a"]
    a = activity(enr)
    db.session.commit()
    login_as(world["coach_a"])
    client.get(f"/enrollments/{enr.id}/activities/{a.id}/edit", headers=HX)
    (event,) = audit(AuditAction.view)
    assert event.object_id == a.id and event.participant_id == enr.participant_id


# --- quick attendance ------------------------------------------------------------------------

def test_quick_attendance_with_htmx(client, login_as, world, db):
    enr = world["enr_a"]
    a = activity(enr, on=TODAY, attendance=Attendance.planned)
    db.session.commit()
    login_as(world["coach_a"])
    response = client.post(f"/enrollments/{enr.id}/activities/{a.id}/attendance",
                           data={"attendance": "attended"},
                           headers={**HX, "X-CSRFToken": token(client, enr)})
    assert response.status_code == 200
    row = text(response)
    assert row.lstrip().startswith(f'<li id="activity-{a.id}" class="activity activity-attended"')
    assert "Närvaron har sparats." in row
    assert activities_of(enr)[0].attendance == Attendance.attended
    (event,) = audit(AuditAction.update)
    assert event.detail == "attendance planned -> attended"
    assert event.participant_id == enr.participant_id


def test_quick_attendance_without_javascript(client, login_as, world, db):
    enr = world["enr_a"]
    a = activity(enr, on=YESTERDAY, attendance=Attendance.planned)
    db.session.commit()
    login_as(world["coach_a"])
    response = client.post(f"/enrollments/{enr.id}/activities/{a.id}/attendance",
                           data={"attendance": "no_show", "csrf_token": token(client, enr)})
    assert response.status_code == 302
    assert response.headers["Location"] == \
        f"/enrollments/{enr.id}?saved=activity-attendance#activities"
    assert activities_of(enr)[0].attendance == Attendance.no_show
    assert "Närvaron har sparats." in _section(text(client.get(
        response.headers["Location"].split("#")[0])))


@pytest.mark.parametrize("htmx", [True, False])
@pytest.mark.parametrize("value", ["attended", "no_show"])
def test_quick_attendance_refuses_future_dates(client, login_as, world, db, htmx, value):
    enr = world["enr_a"]
    a = activity(enr, on=NEXT_WEEK, attendance=Attendance.planned)
    db.session.commit()
    login_as(world["coach_a"])
    tok = token(client, enr)
    url = f"/enrollments/{enr.id}/activities/{a.id}/attendance"
    response = client.post(url, data={"attendance": value},
                           headers={**HX, "X-CSRFToken": tok}) if htmx else \
        client.post(url, data={"attendance": value, "csrf_token": tok})
    assert response.status_code == 422
    html = text(response)
    assert ("<html" in html) is not htmx
    row = html[html.index(f'id="activity-{a.id}"'):].split("</li>")[0]
    assert "kan bara vara planerad eller inställd" in row
    assert activities_of(enr)[0].attendance == Attendance.planned
    assert audit(AuditAction.update) == []


@pytest.mark.parametrize("value", ["planned", "", "teleported"])
def test_quick_attendance_accepts_only_the_three_buttons(client, login_as, world, db, value):
    enr = world["enr_a"]
    a = activity(enr, on=YESTERDAY, attendance=Attendance.attended)
    db.session.commit()
    login_as(world["coach_a"])
    response = client.post(f"/enrollments/{enr.id}/activities/{a.id}/attendance",
                           data={"attendance": value},
                           headers={**HX, "X-CSRFToken": token(client, enr)})
    assert response.status_code == 422
    assert "Välj närvarande, uteblev eller inställd." in text(response)
    assert activities_of(enr)[0].attendance == Attendance.attended


def test_quick_attendance_requires_csrf(client, login_as, world, db):
    enr = world["enr_a"]
    a = activity(enr, attendance=Attendance.planned)
    db.session.commit()
    login_as(world["coach_a"])
    response = client.post(f"/enrollments/{enr.id}/activities/{a.id}/attendance",
                           data={"attendance": "attended"}, headers=HX)
    assert response.status_code == 400
    assert activities_of(enr)[0].attendance == Attendance.planned


# --- delete ----------------------------------------------------------------------------------

def test_delete_with_htmx_confirms_inline(client, login_as, world, db):
    enr = world["enr_a"]
    a = activity(enr)
    db.session.commit()
    login_as(world["coach_a"])
    tok = token(client, enr)
    url = f"/enrollments/{enr.id}/activities/{a.id}/delete"
    confirm = text(client.get(url, headers=HX))
    assert confirm.lstrip().startswith(
        f'<li id="activity-{a.id}" class="activity activity-confirm"')
    assert "Ta bort aktiviteten?" in confirm and "<html" not in confirm
    assert len(activities_of(enr)) == 1  # asking is not deleting
    activity_id = a.id
    response = client.post(url, headers={**HX, "X-CSRFToken": tok})
    assert response.status_code == 200
    assert "Aktiviteten har tagits bort." in text(response)
    assert activities_of(enr) == []
    (event,) = audit(AuditAction.delete)
    assert event.object_id == activity_id and event.participant_id == enr.participant_id


def test_delete_without_javascript(client, login_as, world, db):
    enr = world["enr_a"]
    a = activity(enr)
    db.session.commit()
    login_as(world["coach_a"])
    url = f"/enrollments/{enr.id}/activities/{a.id}/delete"
    page = text(client.get(url))
    assert "<html" in page and "<h1>Ta bort aktivitet</h1>" in page
    response = client.post(url, data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert response.headers["Location"] == \
        f"/enrollments/{enr.id}?saved=activity-deleted#activities"
    assert activities_of(enr) == []
    assert "Aktiviteten har tagits bort." in _section(text(client.get(
        response.headers["Location"].split("#")[0])))


def test_delete_requires_csrf(client, login_as, world, db):
    enr = world["enr_a"]
    a = activity(enr)
    db.session.commit()
    login_as(world["coach_a"])
    response = client.post(f"/enrollments/{enr.id}/activities/{a.id}/delete", headers=HX)
    assert response.status_code == 400
    assert len(activities_of(enr)) == 1 and audit(AuditAction.delete) == []


# --- the row (cancel of an inline edit) ------------------------------------------------------

def test_row_partial_and_its_no_javascript_fallback(client, login_as, world, db):
    enr = world["enr_a"]
    a = activity(enr)
    db.session.commit()
    login_as(world["coach_a"])
    url = f"/enrollments/{enr.id}/activities/{a.id}"
    row = text(client.get(url, headers=HX))
    assert row.lstrip().startswith(f'<li id="activity-{a.id}"')
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/enrollments/{enr.id}#activity-{a.id}"


# --- scope: every route × every kind of caller -----------------------------------------------

ROUTES = [
    ("POST", "/enrollments/{e}/activities"),
    ("GET", "/enrollments/{e}/activities/{a}"),
    ("GET", "/enrollments/{e}/activities/{a}/edit"),
    ("POST", "/enrollments/{e}/activities/{a}/edit"),
    ("POST", "/enrollments/{e}/activities/{a}/attendance"),
    ("GET", "/enrollments/{e}/activities/{a}/delete"),
    ("POST", "/enrollments/{e}/activities/{a}/delete"),
]
OK = {"GET": (200,), "POST": (200,)}


def _call(client, method, url, tok):
    data = {**form(attendance="no_show"), "csrf_token": tok} if method == "POST" else None
    # An htmx request, so a success is 200 (a partial) rather than a redirect.
    return client.open(url, method=method, data=data, headers=HX)


@pytest.fixture
def scoped(world, db):
    acts = {key: activity(world[key], attendance=Attendance.attended)
            for key in ("enr_a", "enr_b", "enr_c")}
    db.session.commit()
    return acts


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_scope_for_coach(client, login_as, world, scoped, db, method, path):
    login_as(world["coach_a"])
    tok = token(client, world["enr_a"])
    ids = {k: (world[k].id, scoped[k].id) for k in scoped}
    cases = [
        (ids["enr_b"], 404),                         # another coach's enrollment
        (ids["enr_c"], 404),                         # another organisation
        ((ids["enr_a"][0], ids["enr_b"][1]), 404),   # an activity of another enrollment
        ((999999, ids["enr_a"][1]), 404),
        (ids["enr_a"], 200),                         # their own
    ]
    for (e, a), expected in cases:
        if "{a}" not in path and a != ids["enr_a"][1]:
            continue  # the add route takes no activity id
        response = _call(client, method, path.format(e=e, a=a), tok)
        assert response.status_code == expected, (path, e, a, text(response)[:300])
    db.session.expire_all()
    # Nothing of the others changed.
    assert activities_of(world["enr_b"])[0].attendance == Attendance.attended
    assert activities_of(world["enr_c"])[0].attendance == Attendance.attended


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_scope_for_manager(client, login_as, world, scoped, method, path):
    login_as(world["manager1"])
    tok = token(client, world["enr_b"])
    e_b, a_b = world["enr_b"].id, scoped["enr_b"].id
    e_c, a_c = world["enr_c"].id, scoped["enr_c"].id
    assert _call(client, method, path.format(e=e_c, a=a_c), tok).status_code == 404
    assert _call(client, method, path.format(e=e_b, a=a_b), tok).status_code == 200


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("who", ["portal_a", "admin1"])
def test_scope_for_portal_and_admin_accounts(client, login_as, world, scoped, method, path, who):
    login_as(world[who])
    tok = page_token(client, "/portal/" if who == "portal_a" else "/admin/users")
    url = path.format(e=world["enr_a"].id, a=scoped["enr_a"].id)
    assert _call(client, method, url, tok).status_code == 404
    assert activities_of(world["enr_a"])[0].attendance == Attendance.attended


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_scope_for_anonymous(client, world, scoped, method, path):
    tok = csrf_from(text(client.get("/login")))
    url = path.format(e=world["enr_a"].id, a=scoped["enr_a"].id)
    response = client.open(url, method=method,
                           data={**form(), "csrf_token": tok} if method == "POST" else None)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert len(activities_of(world["enr_a"])) == 1


def test_audit_trail_of_a_full_round(client, login_as, world, db):
    enr = world["enr_a"]
    other = factories.enrollment(world["coach_a"], enr.cohort)
    db.session.commit()
    login_as(world["coach_a"])
    headers = {**HX, "X-CSRFToken": token(client, enr)}
    client.post(f"/enrollments/{enr.id}/activities", data=form(attendance="planned"),
                headers=headers)
    (a,) = activities_of(enr)
    a_id, p_id = a.id, enr.participant_id
    client.post(f"/enrollments/{enr.id}/activities/{a_id}/attendance",
                data={"attendance": "attended"}, headers=headers)
    client.post(f"/enrollments/{enr.id}/activities/{a_id}/delete", headers=headers)
    events = [(e.action, e.object_id, e.participant_id) for e in audit()
              if e.action != AuditAction.view]
    assert events == [(AuditAction.create, a_id, p_id),
                      (AuditAction.update, a_id, p_id),
                      (AuditAction.delete, a_id, p_id)]
    assert all(e.participant_id != other.participant_id for e in audit())
