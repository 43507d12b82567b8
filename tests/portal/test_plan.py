"""The participant's own plan in the portal: what it shows, what it hides, who may change it."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from journey.enums import (
    ActivityKind,
    Attendance,
    AuditAction,
    EnrollmentStatus,
    PlanOwner,
    StepStatus,
)
from journey.extensions import db as _db
from journey.journeys.models import JourneyStep, PlanItem
from journey.outcomes.models import ExitOutcome
from tests import factories
from tests.portal.helpers import (
    HX,
    client_for,
    count,
    events,
    header_token,
    meeting,
    note,
    plan_item,
    section,
    token,
)

TODAY = date.today()


def _routes(enr_id: int, item_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", f"/enrollments/{enr_id}/plan"),
        ("POST", f"/enrollments/{enr_id}/plan"),
        ("POST", f"/enrollments/{enr_id}/plan/{item_id}/toggle"),
        ("GET", f"/enrollments/{enr_id}/assessment"),
        ("POST", f"/enrollments/{enr_id}/assessment"),
    ]


def _send(client, method, path, tok, **extra):
    url = "/portal" + path
    if method == "GET":
        return client.get(url, headers=HX)
    return client.post(url, data={"csrf_token": tok, "title": "x", "done": "1", **extra},
                       headers=HX)


# --- the page ------------------------------------------------------------------------------


def test_own_page_shows_goal_steps_meetings_and_plan(client, login_as, world, db):
    enr = world["enr_a"]
    enr.goal = "Arbete inom äldreomsorgen"
    steps = sorted(enr.steps, key=lambda s: s.position)
    steps[0].status, steps[0].started_on, steps[0].completed_on = StepStatus.done, TODAY, TODAY
    steps[1].status, steps[1].started_on = StepStatus.in_progress, TODAY
    plan_item(enr, "Ring Arbetsförmedlingen", due_on=TODAY - timedelta(days=2))
    plan_item(enr, "Boka läkartid", owner=PlanOwner.coach)
    plan_item(enr, "Skriva CV", done_on=TODAY)
    meeting(enr, in_days=3, kind=ActivityKind.network_meeting, minutes=90)
    db.session.commit()
    login_as(world["portal_a"])
    response = client.get("/portal/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Jobbpunkt" in html and "Arbete inom äldreomsorgen" in html
    # The journey: an ordered list, status in words, the current step marked.
    path = html[html.index('<ol class="my-path">'):].split("</ol>")[0]
    assert path.count("<li") == 4
    assert "Profilanalys" in path and "Klar" in path and "Inte påbörjat än" in path
    current = path[path.index('aria-current="step"'):].split("</li>")[0]
    assert "Coachning" in current and "Här är du nu" in current
    assert path.count('aria-current="step"') == 1
    # Meetings: kind, date, time and duration.
    meetings = section(html, f"meetings-{enr.id}")
    assert meetings  # the heading exists
    assert "Nätverksträff" in html
    when = (TODAY + timedelta(days=3)).isoformat()
    assert when in html and "kl. 10:00" in html and "90 min" in html
    # Plan: open items first, overdue in words, coach's items read-only, done items after.
    plan = section(html, f"plan-{enr.id}")
    assert plan.index("Ring Arbetsförmedlingen") < plan.index("Skriva CV")
    assert plan.index("Boka läkartid") < plan.index("Skriva CV")
    assert "Försenad" in plan
    coach_item = plan[plan.index("Boka läkartid"):].split("</li>")[0]
    assert "Din coach gör detta" in coach_item and "toggle" not in coach_item
    assert "Markera som klar" in plan and "Ångra" in plan
    assert f"Klar {TODAY.isoformat()}" in plan


def test_empty_goal_and_plan_say_what_happens_next(client, login_as, world):
    login_as(world["portal_a"])
    html = client.get("/portal/").get_data(as_text=True)
    assert "Du och din coach bestämmer det tillsammans" in html
    assert "Inga bokade möten" in html
    assert "Inget på listan än" in html


def test_activity_notes_and_coach_notes_never_appear(client, login_as, world, db):
    enr = world["enr_a"]
    meeting(enr, note="Hemlig aktivitetsanteckning 4711")
    factories.activity(enr, note="Gammal hemlig anteckning 4712")
    note(enr, world["coach_a"], "Hemlig coachanteckning 4713")
    db.session.commit()
    login_as(world["portal_a"])
    for url in ("/portal/", f"/portal/enrollments/{enr.id}/assessment"):
        html = client.get(url).get_data(as_text=True)
        assert "4711" not in html and "4712" not in html and "4713" not in html
    partial = client.get(f"/portal/enrollments/{enr.id}/plan", headers=HX)
    assert "4711" not in partial.get_data(as_text=True)
    assert "Coachningssamtal" in client.get("/portal/").get_data(as_text=True)


def test_only_the_next_five_planned_meetings_are_shown(client, login_as, world, db):
    enr = world["enr_a"]
    meeting(enr, in_days=-1, kind=ActivityKind.workshop)  # past
    meeting(enr, in_days=1, kind=ActivityKind.internship, attendance=Attendance.cancelled)
    for days in (9, 7, 5, 3, 2, 1):
        meeting(enr, in_days=days, kind=ActivityKind.guidance, at=None)
    meeting(enr, in_days=0, kind=ActivityKind.language_class, at=None)
    db.session.commit()
    login_as(world["portal_a"])
    html = client.get("/portal/").get_data(as_text=True)
    meetings = html[html.index('class="my-meeting-list"'):].split("</ul>")[0]
    assert meetings.count('class="my-meeting"') == 5
    assert "Workshop" not in meetings and "Praktik" not in meetings
    assert meetings.index("Språklektion") < meetings.index("Vägledning")
    assert "I dag" in meetings
    assert (TODAY + timedelta(days=9)).isoformat() not in meetings
    assert (TODAY + timedelta(days=3)).isoformat() in meetings


def test_exited_enrollment_is_one_short_line(client, login_as, world, db):
    enr = world["enr_a"]
    plan_item(enr, "Gammal uppgift 77")
    enr.status = EnrollmentStatus.exited
    db.session.add(ExitOutcome(enrollment_id=enr.id, exited_on=TODAY - timedelta(days=5),
                               outcome="studies"))
    db.session.commit()
    login_as(world["portal_a"])
    html = client.get("/portal/").get_data(as_text=True)
    assert f"Avslutad {(TODAY - timedelta(days=5)).isoformat()}" in html
    assert "Gammal uppgift 77" not in html and 'class="my-path"' not in html
    # Its plan can no longer be changed from the portal.
    item = _db.session.scalars(sa.select(PlanItem)).one()
    tok = token(client)
    assert client.post(f"/portal/enrollments/{enr.id}/plan/{item.id}/toggle",
                       data={"csrf_token": tok}).status_code == 404
    assert client.post(f"/portal/enrollments/{enr.id}/plan",
                       data={"csrf_token": tok, f"plan-{enr.id}-title": "Ny"}).status_code == 404


def test_viewing_the_page_is_audited(client, login_as, world, db):
    login_as(world["portal_a"])
    client.get("/portal/")
    client.get(f"/portal/enrollments/{world['enr_a'].id}/plan", headers=HX)
    views = events(AuditAction.view)
    assert [(e.object_type, e.participant_id, e.user_id) for e in views] == [
        ("participant", world["enr_a"].participant_id, world["portal_a"].id),
        ("enrollment", world["enr_a"].participant_id, world["portal_a"].id),
    ]


def test_htmx_get_returns_the_plan_section_and_plain_get_redirects(client, login_as, world):
    enr = world["enr_a"]
    login_as(world["portal_a"])
    partial = client.get(f"/portal/enrollments/{enr.id}/plan", headers=HX)
    html = partial.get_data(as_text=True)
    assert html.lstrip().startswith(f'<div id="plan-body-{enr.id}"')
    assert "<html" not in html and "HX-Request" in partial.headers["Vary"]
    plain = client.get(f"/portal/enrollments/{enr.id}/plan")
    assert plain.status_code == 302
    assert plain.headers["Location"].endswith(f"/portal/#plan-{enr.id}")


# --- access --------------------------------------------------------------------------------


def test_other_participants_ids_are_404_on_every_route(client, login_as, world, db):
    enr_a, enr_b, enr_c = world["enr_a"], world["enr_b"], world["enr_c"]
    item_b = plan_item(enr_b, "Bos uppgift")
    item_c = plan_item(enr_c, "Cecilias uppgift")
    item_a = plan_item(enr_a, "Aminas uppgift")
    db.session.commit()
    login_as(world["portal_a"])
    tok = token(client)
    for enr_id, item_id in ((enr_b.id, item_b.id), (enr_c.id, item_c.id), (999999, item_a.id)):
        for method, path in _routes(enr_id, item_id):
            assert _send(client, method, path, tok).status_code == 404, (method, path)
    # An item of another enrollment through one's own enrollment id.
    for item_id in (item_b.id, item_c.id, 999999):
        response = _send(client, "POST", f"/enrollments/{enr_a.id}/plan/{item_id}/toggle", tok)
        assert response.status_code == 404
    db.session.expire_all()
    assert all(i.done_on is None for i in _db.session.scalars(sa.select(PlanItem)))
    assert count(PlanItem) == 3


@pytest.mark.parametrize("role", ["coach_a", "manager1", "admin1"])
def test_staff_get_404_on_portal_routes(client, login_as, world, db, role):
    enr = world["enr_a"]
    item = plan_item(enr)
    db.session.commit()
    login_as(world[role])
    tok = header_token(client, "/")
    assert client.get("/portal/").status_code == 404
    for method, path in _routes(enr.id, item.id):
        assert _send(client, method, path, tok).status_code == 404, (method, path)
    db.session.expire_all()
    assert count(PlanItem) == 1 and _db.session.get(PlanItem, item.id).done_on is None


def test_anonymous_is_sent_to_login(client, world, db):
    enr = world["enr_a"]
    item = plan_item(enr)
    db.session.commit()
    for url in ("/portal/", f"/portal/enrollments/{enr.id}/plan",
                f"/portal/enrollments/{enr.id}/assessment"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    # A POST without a session has no valid token either: refused, nothing changed.
    response = client.post(f"/portal/enrollments/{enr.id}/plan/{item.id}/toggle")
    assert response.status_code in (302, 400)
    db.session.expire_all()
    assert _db.session.get(PlanItem, item.id).done_on is None


def test_posts_without_csrf_token_are_refused(client, login_as, world, db):
    enr = world["enr_a"]
    item = plan_item(enr)
    db.session.commit()
    login_as(world["portal_a"])
    assert client.post(f"/portal/enrollments/{enr.id}/plan/{item.id}/toggle",
                       data={"done": "1"}, headers=HX).status_code == 400
    assert client.post(f"/portal/enrollments/{enr.id}/plan",
                       data={f"plan-{enr.id}-title": "Ny sak"}).status_code == 400
    db.session.expire_all()
    assert _db.session.get(PlanItem, item.id).done_on is None
    assert count(PlanItem) == 1
    assert events(AuditAction.update, "plan_item") == []
    assert events(AuditAction.create, "plan_item") == []


# --- ticking off ---------------------------------------------------------------------------


def test_tick_with_htmx_swaps_the_plan_section(client, login_as, world, db):
    enr = world["enr_a"]
    item = plan_item(enr, "Ring Arbetsförmedlingen")
    db.session.commit()
    login_as(world["portal_a"])
    tok = token(client)
    response = client.post(f"/portal/enrollments/{enr.id}/plan/{item.id}/toggle",
                           data={"done": "1"}, headers={**HX, "X-CSRFToken": tok})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<div id="plan-body-{enr.id}"')
    assert "<html" not in html
    # The confirmation goes to the status line out of band, and focus returns to the button.
    assert f'id="plan-status-{enr.id}"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "Bra jobbat! ”Ring Arbetsförmedlingen” är markerad som klar." in html
    assert f'id="toggle-{item.id}"' in html and "autofocus" in html
    assert "hx-disabled-elt" in html
    db.session.expire_all()
    assert _db.session.get(PlanItem, item.id).done_on == TODAY
    updates = events(AuditAction.update, "plan_item")
    assert [(e.object_id, e.participant_id, e.user_id, e.detail) for e in updates] == [
        (item.id, enr.participant_id, world["portal_a"].id, "done")]
    # Reopen it again.
    html = client.post(f"/portal/enrollments/{enr.id}/plan/{item.id}/toggle",
                       data={"done": "0"}, headers={**HX, "X-CSRFToken": tok}
                       ).get_data(as_text=True)
    assert "är markerad som inte klar" in html
    db.session.expire_all()
    assert _db.session.get(PlanItem, item.id).done_on is None


def test_tick_without_javascript_redirects_back_with_a_confirmation(client, login_as, world, db):
    enr = world["enr_a"]
    item = plan_item(enr, "Skicka ansökan")
    db.session.commit()
    login_as(world["portal_a"])
    tok = token(client)
    response = client.post(f"/portal/enrollments/{enr.id}/plan/{item.id}/toggle",
                           data={"done": "1", "csrf_token": tok})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith(f"#plan-{enr.id}") and "notice=plan-done" in location
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    status = section(page, f"plan-status-{enr.id}")
    assert "Bra jobbat! ”Skicka ansökan” är markerad som klar." in status
    assert "markerad som klar" not in client.get("/portal/").get_data(as_text=True)
    db.session.expire_all()
    assert _db.session.get(PlanItem, item.id).done_on == TODAY
    # Repeating the same request changes nothing more.
    client.post(f"/portal/enrollments/{enr.id}/plan/{item.id}/toggle",
                data={"done": "1", "csrf_token": tok})
    assert len(events(AuditAction.update, "plan_item")) == 1


def test_coach_owned_item_cannot_be_ticked(client, login_as, world, db):
    enr = world["enr_a"]
    item = plan_item(enr, "Coachens uppgift", owner=PlanOwner.coach)
    db.session.commit()
    login_as(world["portal_a"])
    tok = token(client)
    for headers in ({**HX, "X-CSRFToken": tok}, {}):
        response = client.post(f"/portal/enrollments/{enr.id}/plan/{item.id}/toggle",
                               data={"done": "1", "csrf_token": tok}, headers=headers)
        assert response.status_code == 404
    db.session.expire_all()
    assert _db.session.get(PlanItem, item.id).done_on is None
    assert events(AuditAction.update, "plan_item") == []


# --- adding --------------------------------------------------------------------------------


def test_add_with_htmx_forces_the_participant_as_owner(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["portal_a"])
    tok = token(client)
    due = (TODAY + timedelta(days=7)).isoformat()
    response = client.post(f"/portal/enrollments/{enr.id}/plan",
                           data={f"plan-{enr.id}-title": "  Söka tre jobb  ",
                                 f"plan-{enr.id}-due_on": due, "owner": "coach"},
                           headers={**HX, "X-CSRFToken": tok})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<div id="plan-body-{enr.id}"')
    assert "Söka tre jobb" in html and "”Söka tre jobb” finns nu på din lista." in html
    db.session.expire_all()
    item = _db.session.scalars(sa.select(PlanItem)).one()
    assert (item.title, item.due_on.isoformat(), item.owner, item.created_by_id) == (
        "Söka tre jobb", due, PlanOwner.participant, world["portal_a"].id)
    created = events(AuditAction.create, "plan_item")
    assert [(e.object_id, e.participant_id, e.user_id) for e in created] == [
        (item.id, enr.participant_id, world["portal_a"].id)]


def test_add_without_javascript_redirects_back(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["portal_a"])
    tok = token(client)
    response = client.post(f"/portal/enrollments/{enr.id}/plan",
                           data={f"plan-{enr.id}-title": "Gå på jobbmässan", "csrf_token": tok})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "notice=plan-added" in location and location.endswith(f"#plan-{enr.id}")
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    assert "”Gå på jobbmässan” finns nu på din lista." in section(page, f"plan-status-{enr.id}")
    assert "Gå på jobbmässan" in section(page, f"plan-body-{enr.id}")
    assert count(PlanItem) == 1


def test_add_with_empty_title_writes_nothing(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["portal_a"])
    tok = token(client)
    data = {f"plan-{enr.id}-title": "   ", "csrf_token": tok}
    response = client.post(f"/portal/enrollments/{enr.id}/plan", data=data,
                           headers={**HX, "X-CSRFToken": tok})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Skriv vad du ska göra." in html and "Inget lades till." in html
    assert 'aria-invalid="true"' in html
    response = client.post(f"/portal/enrollments/{enr.id}/plan", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<html" in page and "Skriv vad du ska göra." in section(page, f"plan-{enr.id}")
    assert count(PlanItem) == 0
    assert events(AuditAction.create, "plan_item") == []


def test_coach_sees_what_the_participant_added(app, client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["portal_a"])
    client.post(f"/portal/enrollments/{enr.id}/plan",
                data={f"plan-{enr.id}-title": "Träna på intervju", "csrf_token": token(client)})
    coach = client_for(app, world["coach_a"])
    html = coach.get(f"/enrollments/{enr.id}").get_data(as_text=True)
    plan = section(html, "plan")
    assert "Träna på intervju" in plan and "Deltagaren" in plan


# --- query budget --------------------------------------------------------------------------


def _grow(enr, n: int) -> None:
    from tests.portal.helpers import assessment

    first_position = 1 + max(s.position for s in enr.steps)
    for i in range(n):
        plan_item(enr, f"Uppgift {i}", due_on=TODAY + timedelta(days=i),
                  owner=PlanOwner.coach if i % 3 == 0 else PlanOwner.participant,
                  done_on=TODAY if i % 4 == 0 else None)
        meeting(enr, in_days=i % 10)
        assessment(enr, TODAY - timedelta(days=n - i), scores=1 + i % 10)
    for position in range(first_position, first_position + n):
        _db.session.add(JourneyStep(enrollment_id=enr.id, name=f"Steg {position}",
                                    kind="other", position=position))
    _db.session.commit()


def test_plan_page_query_count_is_fixed(client, login_as, world, count_queries, db):
    enr = world["enr_a"]
    _grow(enr, 2)
    login_as(world["portal_a"])
    client.get("/portal/")  # warm up the session
    with count_queries() as small:
        assert client.get("/portal/").status_code == 200
    _grow(enr, 30)
    # A second programme adds no queries either.
    factories.enrollment(world["coach_a"], part=enr.participant)
    _db.session.commit()
    with count_queries() as large:
        html = client.get("/portal/").get_data(as_text=True)
    assert "Uppgift 29" in html and "Steg 36" in html
    assert large.count == small.count, large.statements
