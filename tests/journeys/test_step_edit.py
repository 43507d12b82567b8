"""Correcting a step's dates and note: inline with htmx, on its own page without JS."""

from journey.enums import AuditAction, StepStatus
from journey.journeys.models import JourneyStep
from journey.journeys.services import set_step_status
from tests.journeys.helpers import HX, days_ago, events, section, step_of, token_for


def _edit_data(step, started="", completed="", note="", token=None):
    data = {f"step-{step.id}-edit-started_on": started,
            f"step-{step.id}-edit-completed_on": completed,
            f"step-{step.id}-edit-note": note}
    if token:
        data["csrf_token"] = token
    return data


def _started_step(db, world, position=1, status=StepStatus.in_progress, on=10):
    step = step_of(world["enr_a"], position)
    set_step_status(step, status, today=days_ago(on))
    db.session.commit()
    return step


def test_edit_form_is_swapped_into_the_step_with_htmx(client, login_as, world, db):
    step = _started_step(db, world)
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = client.get(f"/enrollments/{enr.id}/steps/{step.id}/edit", headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<li class="step step-in_progress step-editing" '
                                    f'id="step-{step.id}">')
    assert "<html" not in html
    assert "Ändra ”Profilanalys”" in html
    assert f'value="{days_ago(10).isoformat()}"' in html  # the current start date
    assert f'hx-post="/enrollments/{enr.id}/steps/{step.id}/edit"' in html
    # Cancel brings the plain step back (htmx) or goes to the step on the page (no JS).
    assert f'hx-get="/enrollments/{enr.id}/steps/{step.id}"' in html
    assert f'href="/enrollments/{enr.id}#step-{step.id}"' in html
    assert [e.object_id for e in events(AuditAction.view, "journey_step")] == [step.id]


def test_edit_page_without_javascript(client, login_as, world, db):
    step = _started_step(db, world)
    enr = world["enr_a"]
    login_as(world["coach_a"])
    html = client.get(f"/enrollments/{enr.id}/steps/{step.id}/edit").get_data(as_text=True)
    assert "<html" in html
    assert "<h1>Ändra ”Profilanalys”</h1>" in html
    assert f'<a href="/enrollments/{enr.id}">Amina Ali</a>' in html  # breadcrumb back
    assert "hx-post" not in html.split('class="edit-form"')[1].split(">")[0]
    assert "Startdatum" in html and "Slutdatum" in html and "Anteckning om steget" in html


def test_saving_with_htmx_returns_the_step_with_a_confirmation(client, login_as, world, db):
    step = _started_step(db, world)
    enr = world["enr_a"]
    login_as(world["coach_a"])
    token = token_for(client, enr)
    response = client.post(f"/enrollments/{enr.id}/steps/{step.id}/edit",
                           data=_edit_data(step, days_ago(20).isoformat(), "",
                                           "Bokade tolk till nästa möte."),
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<li class="step step-in_progress" id="step-{step.id}">')
    assert "Ändringarna har sparats." in html
    assert "Bokade tolk till nästa möte." in html
    assert days_ago(20).isoformat() in html
    db.session.expire_all()
    saved = db.session.get(JourneyStep, step.id)
    assert saved.started_on == days_ago(20) and saved.completed_on is None
    assert saved.note == "Bokade tolk till nästa möte."
    [event] = events(AuditAction.update, "journey_step")[-1:]
    assert event.object_id == step.id and event.participant_id == enr.participant_id
    assert event.detail == "changed started_on, note"
    assert "tolk" not in event.detail  # the note's text stays out of the audit trail


def test_saving_without_javascript_redirects_to_the_step(client, login_as, world, db):
    step = _started_step(db, world, 2, StepStatus.done, on=5)
    enr = world["enr_a"]
    login_as(world["coach_a"])
    token = token_for(client, enr)
    response = client.post(f"/enrollments/{enr.id}/steps/{step.id}/edit",
                           data=_edit_data(step, days_ago(30).isoformat(),
                                           days_ago(8).isoformat(), "", token))
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith(f"?notice=step-saved&item={step.id}#step-{step.id}")
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    assert "Ändringarna har sparats." in section(page, f"step-{step.id}")
    other = step_of(enr, 1)
    assert "Ändringarna har sparats." not in section(page, f"step-{other.id}")
    db.session.expire_all()
    saved = db.session.get(JourneyStep, step.id)
    assert (saved.started_on, saved.completed_on) == (days_ago(30), days_ago(8))
    assert saved.status == StepStatus.done


def test_cancel_returns_the_plain_step(client, login_as, world, db):
    step = _started_step(db, world)
    enr = world["enr_a"]
    login_as(world["coach_a"])
    partial = client.get(f"/enrollments/{enr.id}/steps/{step.id}", headers=HX)
    assert partial.status_code == 200
    assert partial.get_data(as_text=True).lstrip().startswith(
        f'<li class="step step-in_progress" id="step-{step.id}">')
    plain = client.get(f"/enrollments/{enr.id}/steps/{step.id}")
    assert plain.status_code == 302
    assert plain.headers["Location"].endswith(f"/enrollments/{enr.id}#step-{step.id}")


def _assert_rejected(client, enr, step, data, token, message, before):
    for headers in ({**HX, "X-CSRFToken": token}, {}):
        response = client.post(f"/enrollments/{enr.id}/steps/{step.id}/edit",
                               data={**data, "csrf_token": token}, headers=headers)
        html = response.get_data(as_text=True)
        if headers:
            assert response.status_code == 200  # htmx swaps only 2xx
            assert html.lstrip().startswith(f'<li class="step step-{step.status} step-editing"')
        else:
            assert response.status_code == 422
            assert "<h1>Ändra" in html
        assert message in html
        assert 'aria-invalid="true"' in html
    assert len(events(AuditAction.update, "journey_step")) == before


def test_dates_in_the_future_are_refused(client, login_as, world, db):
    step = _started_step(db, world)
    enr = world["enr_a"]
    before = len(events(AuditAction.update, "journey_step"))
    login_as(world["coach_a"])
    token = token_for(client, enr)
    tomorrow = days_ago(-1).isoformat()
    _assert_rejected(client, enr, step, _edit_data(step, tomorrow), token,
                     "Startdatumet kan inte ligga i framtiden.", before)
    db.session.expire_all()
    assert db.session.get(JourneyStep, step.id).started_on == days_ago(10)


def test_finish_before_start_is_refused(client, login_as, world, db):
    step = _started_step(db, world, status=StepStatus.done, on=3)
    enr = world["enr_a"]
    before = len(events(AuditAction.update, "journey_step"))
    login_as(world["coach_a"])
    token = token_for(client, enr)
    _assert_rejected(client, enr, step,
                     _edit_data(step, days_ago(2).isoformat(), days_ago(4).isoformat()), token,
                     "Slutdatumet kan inte vara före startdatumet.", before)


def test_finish_date_only_for_a_step_that_is_done(client, login_as, world, db):
    step = _started_step(db, world)
    enr = world["enr_a"]
    before = len(events(AuditAction.update, "journey_step"))
    login_as(world["coach_a"])
    token = token_for(client, enr)
    _assert_rejected(client, enr, step,
                     _edit_data(step, days_ago(5).isoformat(), days_ago(1).isoformat()), token,
                     "Bara ett klart steg har ett slutdatum. Ändra status först.", before)
    _assert_rejected(client, enr, step, _edit_data(step, "", ""), token,
                     "Ett påbörjat steg behöver ett startdatum.", before)


def test_a_step_not_started_takes_no_dates_but_a_note(client, login_as, world, db):
    enr = world["enr_a"]
    step = step_of(enr, 3)
    before = len(events(AuditAction.update, "journey_step"))
    login_as(world["coach_a"])
    token = token_for(client, enr)
    _assert_rejected(client, enr, step, _edit_data(step, days_ago(1).isoformat()), token,
                     "Ett steg som inte har påbörjats har inget startdatum.", before)
    response = client.post(f"/enrollments/{enr.id}/steps/{step.id}/edit",
                           data=_edit_data(step, note="Väntar på praktikplats."),
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(JourneyStep, step.id).note == "Väntar på praktikplats."


def test_invalid_date_text_and_long_note_get_swedish_messages(client, login_as, world, db):
    step = _started_step(db, world)
    enr = world["enr_a"]
    before = len(events(AuditAction.update, "journey_step"))
    login_as(world["coach_a"])
    token = token_for(client, enr)
    _assert_rejected(client, enr, step, _edit_data(step, "2026-13-45"), token,
                     "Inte ett giltigt datum", before)
    _assert_rejected(client, enr, step,
                     _edit_data(step, days_ago(3).isoformat(), note="x" * 2001), token,
                     "Anteckningen får vara högst 2000 tecken.", before)


def test_unchanged_save_writes_no_audit_event(client, login_as, world, db):
    step = _started_step(db, world)
    enr = world["enr_a"]
    before = len(events(AuditAction.update, "journey_step"))
    login_as(world["coach_a"])
    token = token_for(client, enr)
    response = client.post(f"/enrollments/{enr.id}/steps/{step.id}/edit",
                           data=_edit_data(step, days_ago(10).isoformat()),
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    assert len(events(AuditAction.update, "journey_step")) == before


def test_status_change_still_stamps_dates_that_the_edit_can_correct(client, login_as, world,
                                                                    db):
    enr = world["enr_a"]
    step = step_of(enr)
    login_as(world["coach_a"])
    token = token_for(client, enr)
    client.post(f"/enrollments/{enr.id}/steps/{step.id}",
                data={f"step-{step.id}-status": "done"}, headers={**HX, "X-CSRFToken": token})
    db.session.expire_all()
    step = db.session.get(JourneyStep, step.id)
    assert step.started_on == step.completed_on == days_ago(0)
    client.post(f"/enrollments/{enr.id}/steps/{step.id}/edit",
                data=_edit_data(step, days_ago(14).isoformat(), days_ago(2).isoformat()),
                headers={**HX, "X-CSRFToken": token})
    db.session.expire_all()
    step = db.session.get(JourneyStep, step.id)
    assert (step.started_on, step.completed_on) == (days_ago(14), days_ago(2))
