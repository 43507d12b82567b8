"""Step templates on the programme page: add, move, retire, rename — with htmx and without JS."""

from journey.enums import AuditAction
from tests.conftest import page_token
from tests.programs.helpers import HX, audit, journey_steps, tag, template_id, templates


def _setup(client, login_as, world, user="manager1"):
    program = world["enr_a"].cohort.program
    login_as(world[user])
    token = page_token(client, f"/programs/{program.id}")
    return program.id, token


def _names(program_id):
    return [name for _pos, name, _retired in templates(program_id)]


def test_htmx_get_of_the_programme_page_returns_only_the_step_list(client, login_as, world):
    pid, _token = _setup(client, login_as, world)
    partial = client.get(f"/programs/{pid}", headers=HX)
    html = partial.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="step-templates" class="step-templates">')
    assert "<html" not in html and "Profilanalys" in html
    assert "HX-Request" in partial.headers["Vary"]
    boosted = client.get(f"/programs/{pid}", headers={**HX, "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_move_up_with_htmx_swaps_the_list_and_keeps_focus(client, login_as, world, db):
    pid, token = _setup(client, login_as, world)
    praktik = template_id(pid, "Praktik")
    response = client.post(f"/programs/{pid}/steps/{praktik}/move", data={"direction": "up"},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="step-templates"')
    assert "<html" not in html
    assert "”Praktik” är nu steg 3." in html
    assert html.index("Praktik") < html.index("Nätverk")
    # Focus returns to the button that was pressed (htmx focuses [autofocus]).
    assert "autofocus" in tag(html, f"move-up-{praktik}")
    db.session.expire_all()
    assert templates(pid) == [(1, "Profilanalys", False), (2, "Coachning", False),
                              (3, "Praktik", False), (4, "Nätverk", False)]
    events = audit("step_template", AuditAction.update)
    assert len(events) == 2 and {e.participant_id for e in events} == {None}


def test_move_without_javascript_redirects_to_the_step(client, login_as, world, db):
    pid, token = _setup(client, login_as, world)
    profil = template_id(pid, "Profilanalys")
    response = client.post(f"/programs/{pid}/steps/{profil}/move",
                           data={"direction": "down", "csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == f"/programs/{pid}?saved={profil}&action=moved#step-template-{profil}"
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    assert "<html" in page and "”Profilanalys” är nu steg 2." in page
    assert f'id="step-template-{profil}"' in page
    assert _names(pid) == ["Coachning", "Profilanalys", "Nätverk", "Praktik"]


def test_moving_the_first_step_up_changes_nothing(client, login_as, world, db):
    pid, token = _setup(client, login_as, world)
    profil = template_id(pid, "Profilanalys")
    html = client.post(f"/programs/{pid}/steps/{profil}/move", data={"direction": "up"},
                       headers={**HX, "X-CSRFToken": token}).get_data(as_text=True)
    assert "”Profilanalys” ändrades inte." in html
    assert _names(pid) == ["Profilanalys", "Coachning", "Nätverk", "Praktik"]
    assert audit("step_template") == []
    # The first step's up button is disabled, the last one's down button too.
    assert "disabled" in tag(html, f"move-up-{profil}")
    assert "disabled" not in tag(html, f"move-down-{profil}")


def test_an_unknown_direction_is_a_bad_request(client, login_as, world, db):
    pid, token = _setup(client, login_as, world)
    praktik = template_id(pid, "Praktik")
    response = client.post(f"/programs/{pid}/steps/{praktik}/move",
                           data={"direction": "sideways", "csrf_token": token})
    assert response.status_code == 400
    assert _names(pid) == ["Profilanalys", "Coachning", "Nätverk", "Praktik"]


def test_retire_and_reinstate_with_htmx(client, login_as, world, db):
    pid, token = _setup(client, login_as, world)
    natverk = template_id(pid, "Nätverk")
    headers = {**HX, "X-CSRFToken": token}
    html = client.post(f"/programs/{pid}/steps/{natverk}/retire", data={"retire": "1"},
                       headers=headers).get_data(as_text=True)
    assert "”Nätverk” togs ur bruk: nya inskrivningar får inte längre steget." in html
    assert "Ur bruk" in html and "Använd igen" in html
    db.session.expire_all()
    assert templates(pid)[2] == (3, "Nätverk", True)
    html = client.post(f"/programs/{pid}/steps/{natverk}/retire", data={"retire": "0"},
                       headers=headers).get_data(as_text=True)
    assert "”Nätverk” används igen för nya inskrivningar." in html
    db.session.expire_all()
    assert templates(pid)[2] == (3, "Nätverk", False)
    assert [e.detail for e in audit("step_template", AuditAction.update)] == [
        "retired", "reinstated"]


def test_retire_without_javascript(client, login_as, world, db):
    pid, token = _setup(client, login_as, world)
    natverk = template_id(pid, "Nätverk")
    response = client.post(f"/programs/{pid}/steps/{natverk}/retire",
                           data={"retire": "1", "csrf_token": token})
    assert response.status_code == 302
    page = client.get(response.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "”Nätverk” togs ur bruk" in page
    assert templates(pid)[2] == (3, "Nätverk", True)


def test_an_unknown_retire_value_is_a_bad_request(client, login_as, world, db):
    pid, token = _setup(client, login_as, world)
    natverk = template_id(pid, "Nätverk")
    response = client.post(f"/programs/{pid}/steps/{natverk}/retire",
                           data={"retire": "maybe", "csrf_token": token})
    assert response.status_code == 400
    assert templates(pid)[2] == (3, "Nätverk", False)


def test_add_a_step_with_htmx(client, login_as, world, db):
    pid, token = _setup(client, login_as, world)
    response = client.post(f"/programs/{pid}/steps",
                           data={"step-name": "Språkcafé", "step-kind": "language"},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="step-templates"')
    assert "Steget ”Språkcafé” lades till sist." in html
    # The form is empty again and has the focus, ready for the next step.
    name_input = tag(html, "step-name")
    assert "autofocus" in name_input and 'value="Språkcafé"' not in name_input
    db.session.expire_all()
    assert templates(pid)[-1] == (5, "Språkcafé", False)
    [event] = audit("step_template", AuditAction.create)
    assert event.participant_id is None


def test_add_a_step_without_javascript(client, login_as, world, db):
    pid, token = _setup(client, login_as, world)
    response = client.post(f"/programs/{pid}/steps", data={
        "step-name": "Uppföljning", "step-kind": "other", "csrf_token": token})
    assert response.status_code == 302
    new_id = template_id(pid, "Uppföljning")
    assert response.headers["Location"].endswith(f"#step-template-{new_id}")
    page = client.get(response.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "Steget ”Uppföljning” lades till sist." in page


def test_add_a_step_validation_with_and_without_htmx(client, login_as, world, db):
    pid, token = _setup(client, login_as, world)
    partial = client.post(f"/programs/{pid}/steps", data={"step-name": " ", "step-kind": "other"},
                          headers={**HX, "X-CSRFToken": token})
    assert partial.status_code == 422
    html = partial.get_data(as_text=True)
    assert "<html" not in html and "Ange ett namn." in html
    page = client.post(f"/programs/{pid}/steps", data={
        "step-name": "Jonglering", "step-kind": "juggling", "csrf_token": token})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "<html" in html and "Inte ett giltigt val" in html
    assert 'value="Jonglering"' in html  # what was typed is kept
    assert len(templates(pid)) == 4
    assert audit("step_template") == []


def test_rename_a_step(client, login_as, world, db):
    pid, token = _setup(client, login_as, world)
    coach = template_id(pid, "Coachning")
    form = client.get(f"/programs/{pid}/steps/{coach}/edit").get_data(as_text=True)
    assert "Byt namn på ”Coachning”" in form and 'value="Coachning"' in form
    response = client.post(f"/programs/{pid}/steps/{coach}/edit",
                           data={"name": "Jobbcoachning", "csrf_token": token})
    assert response.status_code == 302
    page = client.get(response.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "Steget heter nu ”Jobbcoachning”." in page
    assert templates(pid)[1] == (2, "Jobbcoachning", False)
    [event] = audit("step_template", AuditAction.update)
    assert event.detail == "name Coachning -> Jobbcoachning" and event.participant_id is None


def test_rename_validation(client, login_as, world, db):
    pid, token = _setup(client, login_as, world)
    coach = template_id(pid, "Coachning")
    response = client.post(f"/programs/{pid}/steps/{coach}/edit",
                           data={"name": "", "csrf_token": token})
    assert response.status_code == 422
    assert "Ange ett namn." in response.get_data(as_text=True)
    assert templates(pid)[1] == (2, "Coachning", False)
    assert audit("step_template") == []


def test_route_edits_leave_existing_enrollments_alone(client, login_as, world, db):
    enr = world["enr_a"]
    before = journey_steps(enr.id)
    pid, token = _setup(client, login_as, world)
    headers = {**HX, "X-CSRFToken": token}
    client.post(f"/programs/{pid}/steps/{template_id(pid, 'Praktik')}/move",
                data={"direction": "up"}, headers=headers)
    client.post(f"/programs/{pid}/steps/{template_id(pid, 'Coachning')}/retire",
                data={"retire": "1"}, headers=headers)
    client.post(f"/programs/{pid}/steps/{template_id(pid, 'Profilanalys')}/edit",
                data={"name": "Kartläggning", "csrf_token": token})
    db.session.expire_all()
    assert templates(pid) == [(1, "Kartläggning", False), (2, "Coachning", True),
                              (3, "Praktik", False), (4, "Nätverk", False)]
    assert journey_steps(enr.id) == before


def test_admin_can_manage_steps_too(client, login_as, world, db):
    pid, token = _setup(client, login_as, world, user="admin1")
    response = client.post(f"/programs/{pid}/steps/{template_id(pid, 'Praktik')}/move",
                           data={"direction": "up"}, headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    assert _names(pid) == ["Profilanalys", "Coachning", "Praktik", "Nätverk"]
