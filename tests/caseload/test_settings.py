"""Managers set their organisation's attention thresholds at /settings/attention."""

import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.auth.models import Organization
from journey.enums import AuditAction
from tests.caseload.helpers import attention, coach_with_cohort, quiet_enrollment
from tests.conftest import page_token

URL = "/settings/attention"
VALID = {"no_contact_days": "21", "no_show_streak": "3", "no_step_days": "45",
         "follow_up_days": "10"}


def _thresholds(db, org_id):
    db.session.expire_all()
    org = db.session.get(Organization, org_id)
    return (org.attention_no_contact_days, org.attention_no_show_streak,
            org.attention_no_step_days, org.attention_follow_up_days)


def _events(db):
    return db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "organization")).all()


def test_manager_sees_the_current_thresholds_with_labels(client, login_as, world, db):
    o1, _ = world["orgs"]
    o1.attention_no_contact_days = 17
    login_as(world["manager1"])
    response = client.get(URL)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dagar utan närvarande kontakt" in html and "Uteblivna besök i rad" in html
    assert 'name="no_contact_days"' in html and 'value="17"' in html
    assert 'value="2"' in html and 'value="30"' in html and 'value="7"' in html
    assert 'aria-describedby="no_contact_days-hint"' in html
    assert "Kommun Ett" in html


def test_settings_scope(client, login_as, world, db):
    o1, _ = world["orgs"]
    for who, own_page, status in (("admin1", URL, 200), ("coach_a", "/caseload", 404),
                                  ("portal_a", "/portal/", 404)):
        client.delete_cookie("journey_session")
        login_as(world[who])
        assert client.get(URL).status_code == status, who
        if status == 404:
            token = page_token(client, own_page)
            response = client.post(URL, data={**VALID, "csrf_token": token})
            assert response.status_code == 404, who
    assert _thresholds(db, o1.id) == (14, 2, 30, 7)
    assert _events(db) == []


def test_settings_anonymous_goes_to_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post(URL, data=VALID).status_code in (302, 400)


def test_saving_changes_only_the_managers_own_organisation(client, login_as, world, db):
    o1, o2 = world["orgs"]
    login_as(world["manager1"])
    token = page_token(client, URL)
    response = client.post(URL, data={**VALID, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == URL
    assert _thresholds(db, o1.id) == (21, 3, 45, 10)
    assert _thresholds(db, o2.id) == (14, 2, 30, 7)
    [event] = _events(db)
    assert event.action == AuditAction.update
    assert event.object_id == o1.id and event.user_id == world["manager1"].id
    assert event.organization_id == o1.id and event.participant_id is None
    assert "attention_no_contact_days: 14 -> 21" in event.detail
    assert "attention_follow_up_days: 7 -> 10" in event.detail
    page = client.get(URL).get_data(as_text=True)
    assert "Gränserna har sparats." in page and 'value="21"' in page


def test_the_other_manager_changes_their_own_organisation(client, login_as, world, db):
    o1, o2 = world["orgs"]
    login_as(world["manager2"])
    token = page_token(client, URL)
    client.post(URL, data={**VALID, "no_contact_days": "5", "csrf_token": token})
    assert _thresholds(db, o2.id) == (5, 3, 45, 10)
    assert _thresholds(db, o1.id) == (14, 2, 30, 7)


def test_saving_unchanged_values_writes_no_audit_event(client, login_as, world, db):
    login_as(world["manager1"])
    token = page_token(client, URL)
    response = client.post(URL, data={"no_contact_days": "14", "no_show_streak": "2",
                                      "no_step_days": "30", "follow_up_days": "7",
                                      "csrf_token": token}, follow_redirects=True)
    assert "Inget ändrades." in response.get_data(as_text=True)
    assert _events(db) == []


def test_invalid_values_are_refused_with_a_clear_message(client, login_as, world, db):
    o1, _ = world["orgs"]
    login_as(world["manager1"])
    token = page_token(client, URL)
    cases = [
        ("no_contact_days", "0", "Ange ett heltal från 1 till 365."),
        ("no_contact_days", "366", "Ange ett heltal från 1 till 365."),
        ("no_step_days", "tre", "Ange ett heltal från 1 till 365."),
        ("no_step_days", "2.5", "Ange ett heltal från 1 till 365."),
        ("no_show_streak", "11", "Ange ett heltal från 1 till 10."),
        ("follow_up_days", "-1", "Ange ett heltal från 0 till 365."),
        ("no_show_streak", "", "Fyll i ett tal."),
    ]
    for name, value, message in cases:
        response = client.post(URL, data={**VALID, name: value, "csrf_token": token})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, (name, value)
        assert f'<p class="error" id="{name}-error">{message}</p>' in html, (name, value)
        assert f'aria-describedby="{name}-hint {name}-error"' in html
        assert _thresholds(db, o1.id) == (14, 2, 30, 7)
    assert _events(db) == []


def test_follow_up_window_may_be_zero_days(client, login_as, world, db):
    o1, _ = world["orgs"]
    login_as(world["manager1"])
    token = page_token(client, URL)
    client.post(URL, data={**VALID, "follow_up_days": "0", "csrf_token": token})
    assert _thresholds(db, o1.id)[3] == 0


def test_post_without_csrf_token_is_refused(client, login_as, world, db):
    o1, _ = world["orgs"]
    login_as(world["manager1"])
    assert client.post(URL, data=VALID).status_code == 400
    assert client.post(URL, data={**VALID, "csrf_token": "forged"}).status_code == 400
    assert _thresholds(db, o1.id) == (14, 2, 30, 7)
    assert _events(db) == []


def test_csrf_token_in_the_htmx_header_is_accepted(client, login_as, world, db):
    o1, _ = world["orgs"]
    login_as(world["manager1"])
    token = page_token(client, URL)
    response = client.post(URL, data=VALID, headers={"X-CSRFToken": token})
    assert response.status_code == 302
    assert _thresholds(db, o1.id) == (21, 3, 45, 10)


def test_new_thresholds_change_the_coaches_list(client, login_as, db):
    coach, coh = coach_with_cohort()
    from tests import factories

    manager = factories.user("manager", coach.organization)
    quiet_enrollment(coach, coh, "Gräns", contact_days_ago=20)
    db.session.commit()
    login_as(coach)
    assert list(attention(client.get("/caseload").get_data(as_text=True))) == ["Gräns Test"]
    client.delete_cookie("journey_session")
    login_as(manager)
    token = page_token(client, URL)
    client.post(URL, data={**VALID, "no_contact_days": "20", "csrf_token": token})
    client.delete_cookie("journey_session")
    login_as(coach)
    page = client.get("/caseload").get_data(as_text=True)
    assert attention(page) == {}
    assert "Ingen närvarande träff på mer än 20 dagar" in page  # the rules shown to coaches
