"""Coaches' notes: written and removed on the enrollment page, never shown in the portal."""

from journey.enums import AuditAction
from journey.journeys.models import Note
from tests.journeys.helpers import HX, count, events, note, section, token_for


def test_add_with_htmx_returns_the_section_newest_first(client, login_as, world, db):
    enr = world["enr_a"]
    note(enr, world["coach_b"], "Äldre anteckning")
    db.session.commit()
    login_as(world["coach_a"])
    token = token_for(client, enr)
    response = client.post(f"/enrollments/{enr.id}/notes",
                           data={"note-body": "Rad ett\nRad två <b>fet</b>"},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="notes"')
    assert "Anteckningen har sparats." in html
    assert html.index("Rad ett") < html.index("Äldre anteckning")
    assert "Rad ett\nRad två &lt;b&gt;fet&lt;/b&gt;" in html  # escaped, line breaks kept
    assert "<strong>Coach A</strong>" in html
    assert "2 anteckningar" in html
    db.session.expire_all()
    saved = db.session.query(Note).filter_by(author_id=world["coach_a"].id).one()
    assert saved.body == "Rad ett\nRad två <b>fet</b>"
    [event] = events(AuditAction.create, "note")
    assert (event.object_id, event.participant_id) == (saved.id, enr.participant_id)
    assert "Rad ett" not in event.detail


def test_add_without_javascript_redirects_to_the_notes(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    token = token_for(client, enr)
    response = client.post(f"/enrollments/{enr.id}/notes",
                           data={"note-body": "Träffade handläggaren.", "csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith("?notice=note-added#notes")
    notes = section(client.get(location.split("#")[0]).get_data(as_text=True), "notes")
    assert "Anteckningen har sparats." in notes and "Träffade handläggaren." in notes
    assert count(Note) == 1


def test_note_length_is_1_to_5000_characters(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    token = token_for(client, enr)
    for body, message in (("   \n ", "Skriv något innan du sparar anteckningen."),
                          ("x" * 5001, "En anteckning får vara högst 5000 tecken.")):
        response = client.post(f"/enrollments/{enr.id}/notes", data={"note-body": body},
                               headers={**HX, "X-CSRFToken": token})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert message in html and 'aria-describedby="note-body-hint note-body-error"' in html
        response = client.post(f"/enrollments/{enr.id}/notes",
                               data={"note-body": body, "csrf_token": token})
        assert response.status_code == 422
        assert message in section(response.get_data(as_text=True), "notes")
    assert count(Note) == 0 and events(AuditAction.create, "note") == []
    response = client.post(f"/enrollments/{enr.id}/notes", data={"note-body": "x" * 5000},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200 and count(Note) == 1


def test_delete_own_note_after_confirming(client, login_as, world, db):
    enr = world["enr_a"]
    first = note(enr, world["coach_a"], "Felskriven anteckning")
    second = note(enr, world["coach_a"], "Också fel")
    db.session.commit()
    first_id, second_id = first.id, second.id
    login_as(world["coach_a"])
    page = client.get(f"/enrollments/{enr.id}").get_data(as_text=True)
    confirm = section(page, f"note-{first_id}").split('<details class="confirm">')[1]
    assert "Ta bort anteckningen? Det går inte att ångra." in confirm
    token = token_for(client, enr)
    response = client.post(f"/enrollments/{enr.id}/notes/{first_id}/delete",
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="notes"')
    assert "Anteckningen har tagits bort." in html and "Felskriven anteckning" not in html
    [event] = events(AuditAction.delete, "note")
    assert (event.object_id, event.participant_id) == (first_id, enr.participant_id)
    response = client.post(f"/enrollments/{enr.id}/notes/{second_id}/delete",
                           data={"csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith("?notice=note-deleted#notes")
    notes = section(client.get(location.split("#")[0]).get_data(as_text=True), "notes")
    assert "Anteckningen har tagits bort." in notes and "Inga anteckningar ännu." in notes
    assert count(Note) == 0


def test_notes_are_never_shown_in_the_participants_portal(client, login_as, world, db):
    note(world["enr_a"], world["coach_a"], "Hemlig anteckning om hälsan")
    db.session.commit()
    login_as(world["portal_a"])
    response = client.get("/portal/")
    assert response.status_code == 200
    assert "Hemlig anteckning om hälsan" not in response.get_data(as_text=True)
    assert client.get(f"/enrollments/{world['enr_a'].id}/notes", headers=HX).status_code == 404


def test_notes_say_who_may_read_them(client, login_as, world):
    login_as(world["coach_a"])
    notes = section(client.get(f"/enrollments/{world['enr_a'].id}").get_data(as_text=True),
                    "notes")
    assert "Anteckningarna visas aldrig för deltagaren." in notes
    assert "Inga anteckningar ännu." in notes
