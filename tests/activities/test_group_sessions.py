"""Group sessions: the list, the bulk attendance form, and corrections."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from journey.activities.models import Activity
from journey.cohorts.models import GroupSession
from journey.enums import Attendance, AuditAction, EnrollmentStatus, Role
from journey.extensions import db as _db
from tests import factories
from tests.activities.helpers import (
    HX,
    NEXT_WEEK,
    TODAY,
    YESTERDAY,
    activity,
    all_activities,
    audit,
    group_session,
    text,
)
from tests.conftest import page_token


def _sessions() -> list[GroupSession]:
    _db.session.expire_all()
    return list(_db.session.scalars(sa.select(GroupSession).order_by(GroupSession.id)))


def _grow_cohort(coach, cohort, n):
    enrollments = [factories.enrollment(coach, cohort) for _ in range(n)]
    _db.session.commit()
    return enrollments


def _checked(html: str, enrollment_id: int) -> str | None:
    match = re.search(rf'name="attendance-{enrollment_id}" value="(\w+)" checked', html)
    return match.group(1) if match else None


def _session_form(title="CV-verkstad", on=YESTERDAY, **extra) -> dict:
    return {"title": title, "kind": "workshop", "date": on.isoformat(),
            "duration_minutes": "120", **extra}


# --- the list ----------------------------------------------------------------------------------

def test_list_shows_sessions_of_visible_cohorts_with_attendance(client, login_as, world, db):
    enr_a, enr_b = world["enr_a"], world["enr_b"]
    s1 = group_session(enr_a.cohort, title="CV-verkstad", on=YESTERDAY)
    activity(enr_a, group_session=s1, attendance=Attendance.attended)
    activity(enr_b, group_session=s1, attendance=Attendance.no_show)
    group_session(world["enr_c"].cohort, title="Trygghetsvandring")
    other_cohort = factories.cohort(enr_a.cohort.program, "Jobbpunkt VT")
    factories.enrollment(world["coach_b"], other_cohort)
    group_session(other_cohort, title="Bara för Coach B")
    db.session.commit()
    login_as(world["coach_a"])
    response = client.get("/group-sessions")
    assert response.status_code == 200
    html = text(response)
    assert "<h1>Gruppaktiviteter</h1>" in html
    row = html[html.index("CV-verkstad"):].split("</tr>")[0]
    assert "1 av 2" in row and "Jobbpunkt HT" in row and "Workshop" in row
    assert "Trygghetsvandring" not in html  # another organisation
    assert "Bara för Coach B" not in html  # a cohort without any of coach A's participants
    assert f"/cohorts/{enr_a.cohort_id}/group-sessions/new" in html
    assert f"/cohorts/{other_cohort.id}/group-sessions/new" not in html


def test_coach_list_ignores_cohorts_with_only_exited_participants(client, login_as, world, db):
    world["enr_a"].status = EnrollmentStatus.exited
    group_session(world["enr_a"].cohort, title="Gammal träff")
    db.session.commit()
    login_as(world["coach_a"])
    html = text(client.get("/group-sessions"))
    assert "Gammal träff" not in html
    assert "Inga gruppaktiviteter ännu" in html
    assert "Du har ännu inga deltagare i en pågående kull." in html


def test_manager_list_covers_the_organisation(client, login_as, world, db):
    other_cohort = factories.cohort(world["enr_a"].cohort.program, "Jobbpunkt VT")
    group_session(other_cohort, title="Tom kull-träff")
    group_session(world["enr_c"].cohort, title="Trygghetsvandring")
    db.session.commit()
    login_as(world["manager1"])
    html = text(client.get("/group-sessions"))
    assert "Tom kull-träff" in html and "0 av 0" in html
    assert "Trygghetsvandring" not in html
    assert f"/cohorts/{other_cohort.id}/group-sessions/new" in html


@pytest.mark.parametrize("who", ["portal_a", "admin1"])
def test_list_hidden_from_other_roles(client, login_as, world, who):
    login_as(world[who])
    assert client.get("/group-sessions").status_code == 404


def test_list_anonymous_redirects_to_login(client, world):
    response = client.get("/group-sessions")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_list_query_count_is_constant(client, login_as, world, db, count_queries):
    coach, cohort = world["coach_a"], world["enr_a"].cohort
    login_as(coach)
    enrollments = _grow_cohort(coach, cohort, 5)
    for i in range(3):
        s = group_session(cohort, title=f"Träff {i}", on=YESTERDAY - timedelta(days=i))
        for enr in enrollments:
            activity(enr, group_session=s)
    db.session.commit()
    with count_queries() as few:
        assert client.get("/group-sessions").status_code == 200
    for i in range(3, 40):
        s = group_session(cohort, title=f"Träff {i}", on=YESTERDAY - timedelta(days=i))
        for enr in enrollments:
            activity(enr, group_session=s)
    for _ in range(5):
        factories.enrollment(coach, factories.cohort(cohort.program))
    db.session.commit()
    with count_queries() as many:
        html = text(client.get("/group-sessions"))
    assert html.count("/group-sessions/") - html.count("/group-sessions/new") >= 40
    assert many.count == few.count, many.statements


# --- a new session -----------------------------------------------------------------------------

def test_form_lists_only_the_coachs_open_participants(client, login_as, world, db):
    cohort = world["enr_a"].cohort
    paused = factories.enrollment(world["coach_a"], cohort, first_name="Paula", last_name="Paus")
    paused.status = EnrollmentStatus.paused
    exited = factories.enrollment(world["coach_a"], cohort, first_name="Ex", last_name="Itad")
    exited.status = EnrollmentStatus.exited
    db.session.commit()
    login_as(world["coach_a"])
    response = client.get(f"/cohorts/{cohort.id}/group-sessions/new")
    assert response.status_code == 200
    html = text(response)
    assert "Amina Ali" in html and "Paula Paus" in html
    assert "Bo Berg" not in html and "Ex Itad" not in html
    # Today's date by default, so everyone starts as attended.
    assert f'value="{TODAY.isoformat()}"' in html
    assert _checked(html, world["enr_a"].id) == "attended"
    assert _checked(html, paused.id) == "attended"


def test_manager_form_lists_everyone_open_in_the_cohort(client, login_as, world):
    login_as(world["manager1"])
    html = text(client.get(f"/cohorts/{world['enr_a'].cohort_id}/group-sessions/new"))
    assert "Amina Ali" in html and "Bo Berg" in html
    assert "Coach A" in html and "Coach B" in html


def test_scope_of_the_new_form(client, login_as, world, db):
    cohort = world["enr_a"].cohort
    lonely = factories.cohort(cohort.program, "Utan Coach A")
    factories.enrollment(world["coach_b"], lonely)
    db.session.commit()
    login_as(world["coach_a"])
    tok = page_token(client, f"/cohorts/{cohort.id}/group-sessions/new")
    for cohort_id in (world["enr_c"].cohort_id, lonely.id, 999999):
        assert client.get(f"/cohorts/{cohort_id}/group-sessions/new").status_code == 404
        response = client.post(f"/cohorts/{cohort_id}/group-sessions/new",
                               data={**_session_form(), "csrf_token": tok})
        assert response.status_code == 404
    assert _sessions() == []


@pytest.mark.parametrize("who", ["portal_a", "admin1"])
def test_new_form_hidden_from_other_roles(client, login_as, world, who):
    login_as(world[who])
    tok = page_token(client, "/portal/" if who == "portal_a" else "/admin/users")
    url = f"/cohorts/{world['enr_a'].cohort_id}/group-sessions/new"
    assert client.get(url).status_code == 404
    assert client.post(url, data={**_session_form(), "csrf_token": tok}).status_code == 404
    assert _sessions() == []


def test_new_form_anonymous_redirects_to_login(client, world):
    url = f"/cohorts/{world['enr_a'].cohort_id}/group-sessions/new"
    assert client.get(url).headers["Location"].startswith("/login")
    tok = page_token(client, "/login")
    response = client.post(url, data={**_session_form(), "csrf_token": tok})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert _sessions() == []


def test_ten_participants_make_ten_activities(client, login_as, world, db):
    coach, cohort = world["coach_a"], world["enr_a"].cohort
    others = _grow_cohort(coach, cohort, 9)
    enrollments = [world["enr_a"], *others]
    choices = ["attended"] * 6 + ["no_show"] * 2 + ["cancelled", "planned"]
    login_as(coach)
    url = f"/cohorts/{cohort.id}/group-sessions/new"
    tok = page_token(client, url)
    data = {**_session_form(), "csrf_token": tok,
            **{f"attendance-{e.id}": c for e, c in zip(enrollments, choices, strict=True)}}
    response = client.post(url, data=data)
    assert response.status_code == 302
    (session,) = _sessions()
    assert response.headers["Location"] == f"/group-sessions/{session.id}?saved=created"
    assert (session.title, session.kind, session.date, session.duration_minutes,
            session.cohort_id) == ("CV-verkstad", "workshop", YESTERDAY, 120, cohort.id)
    acts = all_activities()
    assert len(acts) == 10
    by_enrollment = {a.enrollment_id: a for a in acts}
    for enr, choice in zip(enrollments, choices, strict=True):
        a = by_enrollment[enr.id]
        assert (a.attendance, a.kind, a.date, a.duration_minutes, a.group_session_id) == (
            choice, "workshop", YESTERDAY, 120, session.id)
    events = audit(AuditAction.create)
    assert len(events) == 10
    assert sorted(e.participant_id for e in events) == sorted(e.participant_id
                                                              for e in enrollments)
    assert {e.object_id for e in events} == {a.id for a in acts}
    page = text(client.get(response.headers["Location"]))
    assert "Gruppaktiviteten har sparats." in page
    assert "6 av 10" in page


def test_not_invited_participants_get_no_activity(client, login_as, world, db):
    coach, cohort = world["coach_a"], world["enr_a"].cohort
    (other,) = _grow_cohort(coach, cohort, 1)
    login_as(coach)
    url = f"/cohorts/{cohort.id}/group-sessions/new"
    data = {**_session_form(), "csrf_token": page_token(client, url),
            f"attendance-{world['enr_a'].id}": "attended", f"attendance-{other.id}": "not_invited"}
    assert client.post(url, data=data).status_code == 302
    assert [a.enrollment_id for a in all_activities()] == [world["enr_a"].id]
    assert len(audit(AuditAction.create)) == 1


@pytest.mark.parametrize("intruder", ["enr_b", "enr_c", "unknown", "not-a-number"])
def test_a_tampered_row_rejects_the_whole_submission(client, login_as, world, db, intruder):
    coach, cohort = world["coach_a"], world["enr_a"].cohort
    mine = [world["enr_a"], *_grow_cohort(coach, cohort, 9)]
    login_as(coach)
    url = f"/cohorts/{cohort.id}/group-sessions/new"
    key = {"enr_b": f"attendance-{world['enr_b'].id}",  # same cohort, another coach
           "enr_c": f"attendance-{world['enr_c'].id}",  # another organisation
           "unknown": "attendance-999999", "not-a-number": "attendance-x"}[intruder]
    data = {**_session_form(), "csrf_token": page_token(client, url),
            **{f"attendance-{e.id}": "attended" for e in mine}, key: "attended"}
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "Listan innehåller en deltagare som inte finns i kullen" in text(response)
    assert _sessions() == [] and all_activities() == [] and audit() == []


def test_future_date_needs_planned_or_cancelled(client, login_as, world, db):
    coach, cohort = world["coach_a"], world["enr_a"].cohort
    (other,) = _grow_cohort(coach, cohort, 1)
    login_as(coach)
    url = f"/cohorts/{cohort.id}/group-sessions/new"
    tok = page_token(client, url)
    data = {**_session_form(on=NEXT_WEEK), "csrf_token": tok,
            f"attendance-{world['enr_a'].id}": "planned", f"attendance-{other.id}": "attended"}
    response = client.post(url, data=data)
    assert response.status_code == 422
    html = text(response)
    assert "Inget sparades. Rätta de markerade raderna." in html
    error_row = html[html.index(f'name="attendance-{other.id}"') - 600:]
    assert "kan bara vara planerad eller inställd" in error_row
    # The choices made are kept.
    assert _checked(html, world["enr_a"].id) == "planned"
    assert _checked(html, other.id) == "attended"
    assert _sessions() == [] and all_activities() == []
    data[f"attendance-{other.id}"] = "cancelled"
    assert client.post(url, data=data).status_code == 302
    assert sorted(a.attendance for a in all_activities()) == ["cancelled", "planned"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Ge träffen en rubrik."),
    ({"duration_minutes": "0"}, "Ange en längd mellan 1 och 600 minuter."),
    ({"date": ""}, "Ange ett datum."),
    ({"kind": "picnic"}, "giltig"),
])
def test_invalid_session_fields_save_nothing(client, login_as, world, db, overrides, message):
    cohort = world["enr_a"].cohort
    login_as(world["coach_a"])
    url = f"/cohorts/{cohort.id}/group-sessions/new"
    data = {**_session_form(), "csrf_token": page_token(client, url),
            f"attendance-{world['enr_a'].id}": "attended", **overrides}
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert _sessions() == [] and all_activities() == []


def test_an_invalid_attendance_value_saves_nothing(client, login_as, world, db):
    cohort = world["enr_a"].cohort
    login_as(world["coach_a"])
    url = f"/cohorts/{cohort.id}/group-sessions/new"
    data = {**_session_form(), "csrf_token": page_token(client, url),
            f"attendance-{world['enr_a'].id}": "sleeping"}
    response = client.post(url, data=data)
    assert response.status_code == 422 and "Välj närvaro." in text(response)
    assert _sessions() == []


def test_new_session_requires_csrf(client, login_as, world, db):
    login_as(world["coach_a"])
    url = f"/cohorts/{world['enr_a'].cohort_id}/group-sessions/new"
    data = {**_session_form(), f"attendance-{world['enr_a'].id}": "attended"}
    assert client.post(url, data=data).status_code == 400
    assert client.post(url, data=data, headers=HX).status_code == 400
    assert _sessions() == [] and all_activities() == []


def test_boosted_submission_gets_whole_pages(client, login_as, world, db):
    """The form is boosted by htmx: errors come back as a full page to swap in."""
    login_as(world["coach_a"])
    url = f"/cohorts/{world['enr_a'].cohort_id}/group-sessions/new"
    tok = page_token(client, url)
    headers = {**HX, "HX-Boosted": "true", "X-CSRFToken": tok}
    bad = client.post(url, data=_session_form(title=""), headers=headers)
    assert bad.status_code == 422 and "<html" in text(bad)
    good = client.post(url, data={**_session_form(),
                                  f"attendance-{world['enr_a'].id}": "attended"},
                       headers=headers)
    assert good.status_code == 302
    assert len(all_activities()) == 1


def test_new_form_query_count_does_not_grow_with_the_cohort(client, login_as, world, db,
                                                            count_queries):
    coach, cohort = world["coach_a"], world["enr_a"].cohort
    _grow_cohort(coach, cohort, 9)
    login_as(coach)
    url = f"/cohorts/{cohort.id}/group-sessions/new"
    with count_queries() as ten:
        assert client.get(url).status_code == 200
    _grow_cohort(coach, cohort, 50)
    with count_queries() as sixty:
        html = text(client.get(url))
    assert html.count('class="roster-row') == 60
    assert sixty.count == ten.count, sixty.statements
    manager = world["manager1"]
    client.delete_cookie("journey_session")
    login_as(manager)
    with count_queries() as as_manager:
        html = text(client.get(url))
    assert html.count('class="roster-row') == 61  # Bo Berg of coach B too
    assert as_manager.count <= sixty.count


# --- an existing session -----------------------------------------------------------------------

@pytest.fixture
def recorded(world, db):
    """A session of yesterday: Amina attended, Bo (coach B) did not show up."""
    cohort = world["enr_a"].cohort
    s = group_session(cohort, title="Intervjuträning", on=YESTERDAY)
    a = activity(world["enr_a"], group_session=s, attendance=Attendance.attended)
    b = activity(world["enr_b"], group_session=s, attendance=Attendance.no_show)
    db.session.commit()
    return {"session": s, "a": a, "b": b}


def test_detail_shows_the_callers_participants(client, login_as, world, recorded, db):
    s = recorded["session"]
    login_as(world["coach_a"])
    response = client.get(f"/group-sessions/{s.id}")
    assert response.status_code == 200
    html = text(response)
    assert "<h1>Intervjuträning</h1>" in html and "Amina Ali" in html and "Bo Berg" not in html
    assert _checked(html, world["enr_a"].id) == "attended"
    (event,) = audit(AuditAction.view, object_type="group_session")
    assert event.object_id == s.id
    client.delete_cookie("journey_session")
    login_as(world["manager1"])
    html = text(client.get(f"/group-sessions/{s.id}"))
    assert _checked(html, world["enr_b"].id) == "no_show"
    assert "1 av 2" in html


def test_detail_scope(client, login_as, world, recorded, db):
    s = recorded["session"]
    foreign = group_session(world["enr_c"].cohort)
    lonely = factories.cohort(world["enr_a"].cohort.program, "Utan Coach A")
    factories.enrollment(world["coach_b"], lonely)
    not_mine = group_session(lonely)
    db.session.commit()
    login_as(world["coach_a"])
    tok = page_token(client, f"/group-sessions/{s.id}")
    for sid in (foreign.id, not_mine.id, 999999):
        assert client.get(f"/group-sessions/{sid}").status_code == 404
        assert client.post(f"/group-sessions/{sid}",
                           data={"csrf_token": tok}).status_code == 404
    client.delete_cookie("journey_session")
    login_as(world["manager2"])
    assert client.get(f"/group-sessions/{s.id}").status_code == 404
    assert client.get(f"/group-sessions/{foreign.id}").status_code == 200


@pytest.mark.parametrize("who", ["portal_a", "admin1"])
def test_detail_hidden_from_other_roles(client, login_as, world, recorded, who):
    login_as(world[who])
    assert client.get(f"/group-sessions/{recorded['session'].id}").status_code == 404


def test_detail_anonymous_redirects_to_login(client, recorded):
    response = client.get(f"/group-sessions/{recorded['session'].id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_correcting_attendance_in_bulk(client, login_as, world, recorded, db):
    s, a = recorded["session"], recorded["a"]
    coach, cohort = world["coach_a"], world["enr_a"].cohort
    newcomer, leaver = _grow_cohort(coach, cohort, 2)
    gone = activity(leaver, group_session=s, attendance=Attendance.attended)
    db.session.commit()
    ids = {"a": a.id, "b": recorded["b"].id, "gone": gone.id, "sid": s.id}
    login_as(coach)
    url = f"/group-sessions/{ids['sid']}"
    data = {"csrf_token": page_token(client, url),
            f"attendance-{world['enr_a'].id}": "no_show",     # corrected
            f"attendance-{newcomer.id}": "attended",          # added afterwards
            f"attendance-{leaver.id}": "not_invited"}         # removed
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url}?saved=updated"
    acts = {x.id: x for x in all_activities()}
    assert acts[ids["a"]].attendance == Attendance.no_show
    assert acts[ids["b"]].attendance == Attendance.no_show  # coach B's participant untouched
    assert ids["gone"] not in acts
    (added,) = [x for x in acts.values() if x.enrollment_id == newcomer.id]
    assert (added.group_session_id, added.attendance, added.date) == (
        ids["sid"], Attendance.attended, YESTERDAY)
    changes = sorted((e.action, e.participant_id) for e in audit() if e.action != "view")
    assert changes == sorted([(AuditAction.update, world["enr_a"].participant_id),
                              (AuditAction.create, newcomer.participant_id),
                              (AuditAction.delete, leaver.participant_id)])
    assert "Närvaron har sparats." in text(client.get(response.headers["Location"]))


def test_correction_with_a_tampered_row_changes_nothing(client, login_as, world, recorded, db):
    s = recorded["session"]
    login_as(world["coach_a"])
    url = f"/group-sessions/{s.id}"
    data = {"csrf_token": page_token(client, url),
            f"attendance-{world['enr_a'].id}": "no_show",
            f"attendance-{world['enr_b'].id}": "attended"}  # coach B's participant
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "Inget sparades" in text(response)
    acts = {x.id: x.attendance for x in all_activities()}
    assert acts == {recorded["a"].id: "attended", recorded["b"].id: "no_show"}
    assert [e for e in audit() if e.action != "view"] == []


def test_correction_keeps_the_date_rule(client, login_as, world, db):
    s = group_session(world["enr_a"].cohort, on=NEXT_WEEK)
    a = activity(world["enr_a"], on=NEXT_WEEK, group_session=s, attendance=Attendance.planned)
    db.session.commit()
    a_id = a.id
    login_as(world["coach_a"])
    url = f"/group-sessions/{s.id}"
    response = client.post(url, data={"csrf_token": page_token(client, url),
                                      f"attendance-{world['enr_a'].id}": "attended"})
    assert response.status_code == 422
    assert "kan bara vara planerad eller inställd" in text(response)
    assert all_activities()[0].attendance == Attendance.planned and all_activities()[0].id == a_id


def test_correction_requires_csrf(client, login_as, world, recorded, db):
    login_as(world["coach_a"])
    response = client.post(f"/group-sessions/{recorded['session'].id}",
                           data={f"attendance-{world['enr_a'].id}": "no_show"})
    assert response.status_code == 400
    assert {x.attendance for x in all_activities() if x.enrollment_id == world["enr_a"].id} == \
        {Attendance.attended}


def test_detail_query_count_does_not_grow(client, login_as, world, recorded, db, count_queries):
    coach, s = world["coach_a"], recorded["session"]
    login_as(coach)
    with count_queries() as small:
        assert client.get(f"/group-sessions/{s.id}").status_code == 200
    for enr in _grow_cohort(coach, world["enr_a"].cohort, 40):
        activity(enr, group_session=s)
    db.session.commit()
    with count_queries() as large:
        html = text(client.get(f"/group-sessions/{s.id}"))
    assert html.count('class="roster-row') == 41
    assert large.count == small.count, large.statements


def test_group_activities_show_on_the_enrollment_page(client, login_as, world, recorded):
    login_as(world["coach_a"])
    html = text(client.get(f"/enrollments/{world['enr_a'].id}"))
    assert f'href="/group-sessions/{recorded["session"].id}">Intervjuträning</a>' in html


def test_manager_records_for_every_participant(client, login_as, world, db):
    manager = factories.user(Role.manager, world["orgs"][0])
    cohort = world["enr_a"].cohort
    login_as(manager)
    url = f"/cohorts/{cohort.id}/group-sessions/new"
    data = {**_session_form(on=TODAY), "csrf_token": page_token(client, url),
            f"attendance-{world['enr_a'].id}": "attended",
            f"attendance-{world['enr_b'].id}": "no_show"}
    assert client.post(url, data=data).status_code == 302
    stored = _db.session.scalars(sa.select(Activity).order_by(Activity.enrollment_id)).all()
    assert [(x.enrollment_id, x.attendance) for x in stored] == [
        (world["enr_a"].id, "attended"), (world["enr_b"].id, "no_show")]


def test_list_shows_invited_for_sessions_ahead(client, login_as, world, db):
    s = group_session(world["enr_a"].cohort, title="Kommande workshop", on=NEXT_WEEK)
    activity(world["enr_a"], on=NEXT_WEEK, group_session=s, attendance=Attendance.planned)
    activity(world["enr_b"], on=NEXT_WEEK, group_session=s, attendance=Attendance.planned)
    db.session.commit()
    login_as(world["manager1"])
    html = text(client.get("/group-sessions"))
    row = html[html.index("Kommande workshop"):].split("</tr>")[0]
    assert "2 inbjudna" in row and "deltog" not in row
