import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AuditAction, StepStatus
from journey.journeys.models import JourneyStep
from tests.conftest import page_token

HX = {"HX-Request": "true"}


def _step(db, enrollment, position=1):
    return db.session.scalars(
        sa.select(JourneyStep).where(JourneyStep.enrollment_id == enrollment.id,
                                     JourneyStep.position == position)).one()


def test_coach_sees_own_enrollment_page_with_masked_id(client, login_as, world, db):
    enr = world["enr_a"]
    enr.participant.id_kind = "personnummer"
    enr.participant.national_id = "199001011239"
    db.session.commit()
    login_as(world["coach_a"])
    response = client.get(f"/enrollments/{enr.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Amina Ali" in html
    assert "19900101-****" in html
    assert "199001011239" not in html and "1239" not in html
    assert "Profilanalys" in html
    assert response.headers["Vary"] and "HX-Request" in response.headers["Vary"]


def test_viewing_the_page_leaves_an_audit_event(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    client.get(f"/enrollments/{enr.id}")
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.view, AuditEvent.object_type == "enrollment")).all()
    assert len(events) == 1
    assert events[0].participant_id == enr.participant_id
    assert events[0].user_id == world["coach_a"].id
    assert events[0].ip == "127.0.0.1"


def test_scope_of_enrollment_page(client, login_as, world):
    enr_a, enr_b, enr_c = world["enr_a"], world["enr_b"], world["enr_c"]
    login_as(world["coach_a"])
    assert client.get(f"/enrollments/{enr_a.id}").status_code == 200
    assert client.get(f"/enrollments/{enr_b.id}").status_code == 404  # another coach
    assert client.get(f"/enrollments/{enr_c.id}").status_code == 404  # another org
    assert client.get("/enrollments/999999").status_code == 404


def test_manager_sees_own_organisation_only(client, login_as, world):
    login_as(world["manager1"])
    assert client.get(f"/enrollments/{world['enr_a'].id}").status_code == 200
    assert client.get(f"/enrollments/{world['enr_b'].id}").status_code == 200
    assert client.get(f"/enrollments/{world['enr_c'].id}").status_code == 404


def test_participant_and_admin_accounts_get_404(client, login_as, world):
    login_as(world["portal_a"])
    # Even their own enrollment is not reachable through the coach's page.
    assert client.get(f"/enrollments/{world['enr_a'].id}").status_code == 404
    client.get("/")  # keep the session
    login_as_admin = world["admin1"]
    client.delete_cookie("journey_session")
    login_as(login_as_admin)
    assert client.get(f"/enrollments/{world['enr_a'].id}").status_code == 404


def test_anonymous_enrollment_page_redirects_to_login(client, world):
    response = client.get(f"/enrollments/{world['enr_a'].id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_htmx_get_returns_only_the_steps_partial(client, login_as, world):
    login_as(world["coach_a"])
    url = f"/enrollments/{world['enr_a'].id}"
    partial = client.get(url, headers=HX).get_data(as_text=True)
    assert partial.lstrip().startswith('<ol class="timeline" id="steps">')
    assert "<html" not in partial
    boosted = client.get(url, headers={**HX, "HX-Boosted": "true"}).get_data(as_text=True)
    assert "<html" in boosted
    restore = client.get(url, headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_step_update_via_htmx_returns_the_step_and_persists(client, login_as, world, db):
    enr = world["enr_a"]
    step = _step(db, enr)
    login_as(world["coach_a"])
    token = page_token(client, f"/enrollments/{enr.id}")
    response = client.post(f"/enrollments/{enr.id}/steps/{step.id}",
                           data={f"step-{step.id}-status": "in_progress"},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<li class="step step-in_progress" id="step-{step.id}">')
    assert "Pågår" in html
    db.session.expire_all()
    step = db.session.get(JourneyStep, step.id)
    assert step.status == StepStatus.in_progress
    assert step.started_on is not None and step.completed_on is None
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.update, AuditEvent.object_type == "journey_step")).all()
    assert [e.participant_id for e in events] == [enr.participant_id]


def test_step_update_without_javascript_redirects_back(client, login_as, world, db):
    enr = world["enr_a"]
    step = _step(db, enr, 2)
    login_as(world["coach_a"])
    token = page_token(client, f"/enrollments/{enr.id}")
    response = client.post(f"/enrollments/{enr.id}/steps/{step.id}",
                           data={f"step-{step.id}-status": "done", "csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith(f"/enrollments/{enr.id}?saved={step.id}#step-{step.id}")
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    # The confirmation sits in the saved step (where the browser scrolls to).
    step_html = page[page.index(f'id="step-{step.id}"'):].split("</li>")[0]
    assert "är nu: Klar" in step_html
    assert "är nu" not in client.get(f"/enrollments/{enr.id}").get_data(as_text=True)
    db.session.expire_all()
    step = db.session.get(JourneyStep, step.id)
    assert step.status == StepStatus.done and step.completed_on == step.started_on


def test_step_update_requires_csrf(client, login_as, world, db):
    enr = world["enr_a"]
    step = _step(db, enr)
    login_as(world["coach_a"])
    response = client.post(f"/enrollments/{enr.id}/steps/{step.id}",
                           data={f"step-{step.id}-status": "done"}, headers=HX)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(JourneyStep, step.id).status == StepStatus.not_started


def test_step_update_rejects_unknown_status(client, login_as, world, db):
    enr = world["enr_a"]
    step = _step(db, enr)
    login_as(world["coach_a"])
    token = page_token(client, f"/enrollments/{enr.id}")
    response = client.post(f"/enrollments/{enr.id}/steps/{step.id}",
                           data={f"step-{step.id}-status": "teleported"},
                           headers={**HX, "X-CSRFToken": token})
    # htmx 2 swaps only 2xx answers: the step comes back with its error as a 200.
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<li class="step step-not_started" id="step-{step.id}">')
    assert "Inte ett giltigt val" in html
    # Without JavaScript: the whole page with the error, as a 422.
    response = client.post(f"/enrollments/{enr.id}/steps/{step.id}",
                           data={f"step-{step.id}-status": "teleported", "csrf_token": token})
    assert response.status_code == 422
    assert "<html" in response.get_data(as_text=True)
    assert "Inte ett giltigt val" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(JourneyStep, step.id).status == StepStatus.not_started


def test_step_update_scope(client, login_as, world, db):
    enr_a, enr_b, enr_c = world["enr_a"], world["enr_b"], world["enr_c"]
    login_as(world["coach_a"])
    token = page_token(client, f"/enrollments/{enr_a.id}")
    headers = {**HX, "X-CSRFToken": token}
    step_b = _step(db, enr_b)
    step_c = _step(db, enr_c)
    # Another coach's enrollment, another organisation, and a step of another enrollment.
    for enr_id, step_id in ((enr_b.id, step_b.id), (enr_c.id, step_c.id),
                            (enr_a.id, step_b.id)):
        response = client.post(f"/enrollments/{enr_id}/steps/{step_id}",
                               data={f"step-{step_id}-status": "done"}, headers=headers)
        assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(JourneyStep, step_b.id).status == StepStatus.not_started
    assert db.session.get(JourneyStep, step_c.id).status == StepStatus.not_started


def test_step_update_anonymous_redirects_to_login(client, world, db):
    enr = world["enr_a"]
    step = _step(db, enr)
    response = client.post(f"/enrollments/{enr.id}/steps/{step.id}",
                           data={f"step-{step.id}-status": "done"})
    # CSRF is checked first for anonymous posts too: no state change either way.
    assert response.status_code in (302, 400)
    db.session.expire_all()
    assert db.session.get(JourneyStep, step.id).status == StepStatus.not_started
