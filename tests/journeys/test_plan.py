"""The plan section: add, tick off, edit and remove items, with and without JavaScript."""

from datetime import date

from journey.enums import AuditAction, PlanOwner
from journey.journeys.models import PlanItem
from tests.journeys.helpers import HX, count, days_ago, events, plan_item, section, token_for


def _url(enr, *parts):
    return "/".join([f"/enrollments/{enr.id}/plan", *map(str, parts)])


def test_empty_plan_says_what_to_do(client, login_as, world):
    login_as(world["coach_a"])
    html = client.get(f"/enrollments/{world['enr_a'].id}").get_data(as_text=True)
    plan = section(html, "plan")
    assert "<h2 id=\"plan-heading\">Plan</h2>" in plan
    assert "Planen är tom." in plan
    assert "Lägg till i planen" in plan


def test_items_sorted_open_by_due_date_then_done_and_overdue_marked_in_text(
        client, login_as, world, db):
    enr = world["enr_a"]
    plan_item(enr, "Utan datum")
    plan_item(enr, "Om fem dagar", due_on=days_ago(-5))
    plan_item(enr, "Klar sedan länge", due_on=days_ago(40), done_on=days_ago(30))
    plan_item(enr, "Försenad uppgift", due_on=days_ago(3), owner=PlanOwner.coach)
    plan_item(enr, "Klar i går", due_on=days_ago(2), done_on=days_ago(1))
    plan_item(enr, "Förfaller i dag", due_on=date.today())
    db.session.commit()
    login_as(world["coach_a"])
    html = section(client.get(f"/enrollments/{enr.id}").get_data(as_text=True), "plan")
    order = ["Försenad uppgift", "Förfaller i dag", "Om fem dagar", "Utan datum",
             "Klar i går", "Klar sedan länge"]
    positions = [html.index(f'<p class="plan-title">{title}</p>') for title in order]
    assert positions == sorted(positions)
    items = html.split('<li class="plan-item')[1:]
    overdue = [i for i in items if "Försenad</span>" in i]
    assert len(overdue) == 1 and "Försenad uppgift" in overdue[0]
    assert "Ansvarig: Coachen" in overdue[0]
    assert f"Klart senast {days_ago(3).isoformat()}" in overdue[0]
    assert html.count('aria-pressed="true"') == 2
    assert f"Klar {days_ago(1).isoformat()}" in html
    assert "4 öppna punkter · 2 klara" in html


def test_add_with_htmx_returns_the_section(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    token = token_for(client, enr)
    response = client.post(_url(enr), data={"plan-title": "  Ansöka om truckkort  ",
                                            "plan-due_on": days_ago(-7).isoformat(),
                                            "plan-owner": "participant"},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="plan"')
    assert "<html" not in html
    assert "Punkten har lagts till i planen." in html
    assert '<p class="plan-title">Ansöka om truckkort</p>' in html
    # The add form is empty again for the next item.
    assert 'value="Ansöka om truckkort"' not in html
    db.session.expire_all()
    [item] = db.session.query(PlanItem).filter_by(enrollment_id=enr.id).all()
    assert item.title == "Ansöka om truckkort"
    assert item.due_on == days_ago(-7) and item.owner == PlanOwner.participant
    assert item.created_by_id == world["coach_a"].id and item.done_on is None
    [event] = events(AuditAction.create, "plan_item")
    assert (event.object_id, event.participant_id, event.user_id) == (
        item.id, enr.participant_id, world["coach_a"].id)


def test_add_without_javascript_redirects_to_the_plan_with_a_confirmation(
        client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["manager1"])
    token = token_for(client, enr)
    response = client.post(_url(enr), data={"plan-title": "Boka möte med SFI",
                                            "plan-owner": "coach", "csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith(f"/enrollments/{enr.id}?notice=plan-added#plan")
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    plan = section(page, "plan")
    assert "Punkten har lagts till i planen." in plan and "Boka möte med SFI" in plan
    assert "Punkten har lagts till" not in client.get(f"/enrollments/{enr.id}").get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.query(PlanItem).one().created_by_id == world["manager1"].id


def test_invalid_item_is_refused_with_a_swedish_message(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    token = token_for(client, enr)
    cases = [({"plan-title": "   ", "plan-owner": "participant"}, "Skriv vad som ska göras."),
             ({"plan-title": "x" * 301, "plan-owner": "participant"}, "Högst 300 tecken."),
             ({"plan-title": "Ok", "plan-owner": "someone"}, "Inte ett giltigt val"),
             ({"plan-title": "Ok", "plan-owner": "coach", "plan-due_on": "31/12"},
              "Inte ett giltigt datum")]
    for data, message in cases:
        response = client.post(_url(enr), data=data, headers={**HX, "X-CSRFToken": token})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert html.lstrip().startswith('<section id="plan"')
        assert message in html and 'aria-invalid="true"' in html
        response = client.post(_url(enr), data={**data, "csrf_token": token})
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "<html" in html and message in section(html, "plan")
    # The typed text is kept for correction.
    assert 'value="Ok"' in html
    assert count(PlanItem) == 0
    assert events(AuditAction.create, "plan_item") == []


def test_tick_off_and_reopen_with_htmx(client, login_as, world, db):
    enr = world["enr_a"]
    item = plan_item(enr, "Skicka in ansökan", due_on=days_ago(1))
    db.session.commit()
    login_as(world["coach_a"])
    token = token_for(client, enr)
    headers = {**HX, "X-CSRFToken": token}
    response = client.post(_url(enr, item.id, "toggle"), data={"done": "1"}, headers=headers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<li class="plan-item is-done" id="plan-item-{item.id}">')
    assert 'aria-pressed="true"' in html and "Markerad som klar." in html
    assert f"Klar {date.today().isoformat()}" in html
    assert "Försenad" not in html  # a done item is not late
    assert 'name="done" value="0"' in html  # the next press opens it again
    db.session.expire_all()
    assert db.session.get(PlanItem, item.id).done_on == date.today()
    # Pressing twice (a double click, a stale page) does not flip it back.
    client.post(_url(enr, item.id, "toggle"), data={"done": "1"}, headers=headers)
    db.session.expire_all()
    assert db.session.get(PlanItem, item.id).done_on == date.today()
    assert [e.detail for e in events(AuditAction.update, "plan_item")] == ["done"]
    response = client.post(_url(enr, item.id, "toggle"), data={"done": "0"}, headers=headers)
    html = response.get_data(as_text=True)
    assert 'aria-pressed="false"' in html and "Markerad som inte klar." in html
    assert "Försenad" in html
    db.session.expire_all()
    assert db.session.get(PlanItem, item.id).done_on is None
    assert [e.detail for e in events(AuditAction.update, "plan_item")] == ["done", "reopened"]
    assert {e.participant_id for e in events(AuditAction.update, "plan_item")} == {
        enr.participant_id}


def test_tick_off_without_javascript_shows_confirmation_at_the_item(client, login_as, world,
                                                                   db):
    enr = world["enr_a"]
    item = plan_item(enr, "Skicka in ansökan")
    other = plan_item(enr, "Annan punkt")
    db.session.commit()
    login_as(world["coach_a"])
    token = token_for(client, enr)
    response = client.post(_url(enr, item.id, "toggle"), data={"csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith(f"?notice=plan-done&item={item.id}#plan-item-{item.id}")
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    assert "Markerad som klar." in section(page, f"plan-item-{item.id}")
    assert "Markerad som klar." not in section(page, f"plan-item-{other.id}")
    db.session.expire_all()
    assert db.session.get(PlanItem, item.id).done_on == date.today()


def test_edit_inline_with_htmx(client, login_as, world, db):
    enr = world["enr_a"]
    item = plan_item(enr, "Ringa AF", due_on=days_ago(-3))
    db.session.commit()
    login_as(world["coach_a"])
    form = client.get(_url(enr, item.id, "edit"), headers=HX)
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert html.lstrip().startswith(f'<li class="plan-item is-editing" id="plan-item-{item.id}">')
    assert 'value="Ringa AF"' in html and f'value="{days_ago(-3).isoformat()}"' in html
    assert f'hx-get="/enrollments/{enr.id}/plan/{item.id}"' in html  # cancel
    assert [e.object_id for e in events(AuditAction.view, "plan_item")] == [item.id]
    token = token_for(client, enr)
    response = client.post(_url(enr, item.id, "edit"),
                           data={f"plan-{item.id}-title": "Ringa Arbetsförmedlingen",
                                 f"plan-{item.id}-due_on": "",
                                 f"plan-{item.id}-owner": "coach"},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<li class="plan-item" id="plan-item-{item.id}">')
    assert "Ändringarna har sparats." in html and "Ansvarig: Coachen" in html
    db.session.expire_all()
    saved = db.session.get(PlanItem, item.id)
    assert (saved.title, saved.due_on, saved.owner) == ("Ringa Arbetsförmedlingen", None,
                                                        PlanOwner.coach)
    [event] = events(AuditAction.update, "plan_item")
    assert event.detail == "changed title, due_on, owner"
    cancel = client.get(_url(enr, item.id), headers=HX)
    assert cancel.get_data(as_text=True).lstrip().startswith(
        f'<li class="plan-item" id="plan-item-{item.id}">')
    assert client.get(_url(enr, item.id)).headers["Location"].endswith(
        f"/enrollments/{enr.id}#plan-item-{item.id}")


def test_edit_without_javascript(client, login_as, world, db):
    enr = world["enr_a"]
    item = plan_item(enr, "Ringa AF")
    db.session.commit()
    login_as(world["coach_a"])
    page = client.get(_url(enr, item.id, "edit")).get_data(as_text=True)
    assert "<h1>Ändra planpunkt</h1>" in page and 'value="Ringa AF"' in page
    token = token_for(client, enr)
    bad = client.post(_url(enr, item.id, "edit"),
                      data={f"plan-{item.id}-title": "", f"plan-{item.id}-owner": "coach",
                            "csrf_token": token})
    assert bad.status_code == 422
    assert "Skriv vad som ska göras." in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PlanItem, item.id).title == "Ringa AF"
    response = client.post(_url(enr, item.id, "edit"),
                           data={f"plan-{item.id}-title": "Ringa AF före fredag",
                                 f"plan-{item.id}-owner": "participant", "csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith(f"?notice=plan-saved&item={item.id}#plan-item-{item.id}")
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    assert "Ändringarna har sparats." in section(page, f"plan-item-{item.id}")
    db.session.expire_all()
    assert db.session.get(PlanItem, item.id).title == "Ringa AF före fredag"


def test_invalid_edit_with_htmx_keeps_the_form(client, login_as, world, db):
    enr = world["enr_a"]
    item = plan_item(enr, "Ringa AF")
    db.session.commit()
    login_as(world["coach_a"])
    token = token_for(client, enr)
    response = client.post(_url(enr, item.id, "edit"),
                           data={f"plan-{item.id}-title": " ", f"plan-{item.id}-owner": "coach"},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="plan-item is-editing"' in html and "Skriv vad som ska göras." in html
    assert events(AuditAction.update, "plan_item") == []


def test_remove_asks_first_then_removes(client, login_as, world, db):
    enr = world["enr_a"]
    item = plan_item(enr, "Gammal uppgift")
    keep = plan_item(enr, "Behålls")
    db.session.commit()
    item_id = item.id
    login_as(world["coach_a"])
    page = client.get(f"/enrollments/{enr.id}").get_data(as_text=True)
    confirm = section(page, f"plan-item-{item_id}").split('<details class="confirm">')[1]
    assert "Ta bort ”Gammal uppgift” från planen? Det går inte att ångra." in confirm
    assert "Ja, ta bort" in confirm
    token = token_for(client, enr)
    response = client.post(_url(enr, item_id, "delete"), headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="plan"')
    assert "Punkten har tagits bort från planen." in html
    assert "Gammal uppgift" not in html and "Behålls" in html
    db.session.expire_all()
    assert count(PlanItem) == 1
    [event] = events(AuditAction.delete, "plan_item")
    assert (event.object_id, event.participant_id) == (item_id, enr.participant_id)
    response = client.post(_url(enr, keep.id, "delete"), data={"csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith("?notice=plan-deleted#plan")
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    assert "Punkten har tagits bort från planen." in section(page, "plan")
    assert "Planen är tom." in section(page, "plan")
    # A removed item is gone: a second removal is a 404.
    assert client.post(_url(enr, keep.id, "delete"), data={"csrf_token": token}).status_code \
        == 404


def test_plan_section_url_serves_the_partial_or_sends_to_the_page(client, login_as, world, db):
    enr = world["enr_a"]
    plan_item(enr, "Något att göra")
    db.session.commit()
    login_as(world["coach_a"])
    partial = client.get(_url(enr), headers=HX)
    assert partial.status_code == 200
    assert partial.get_data(as_text=True).lstrip().startswith('<section id="plan"')
    assert "HX-Request" in partial.headers["Vary"]
    plain = client.get(_url(enr))
    assert plain.status_code == 302
    assert plain.headers["Location"].endswith(f"/enrollments/{enr.id}#plan")
