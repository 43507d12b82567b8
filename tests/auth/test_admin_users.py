"""Admin user management: a role change or deactivation applies on the user's next request."""

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.auth import services
from journey.auth.models import User
from journey.enums import AuditAction, Role
from tests import factories
from tests.conftest import login, page_token

LAST_ADMIN = "Organisationen måste ha minst en aktiv administratör."


def _edit_url(user) -> str:
    return f"/admin/users/{user.id}/edit"


def _reload(db, user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _updates(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.update, AuditEvent.object_type == "user")).all()


def _form(user, **changes) -> dict:
    data = {"name": user.name, "role": user.role.value, "is_active": "y"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def coach_session(app, world):
    """Coach A logged in on their own browser."""
    browser = app.test_client()
    login(browser, world["coach_a"])
    assert browser.get("/caseload").status_code == 200
    return browser


# --- the list ---------------------------------------------------------------------------------


def test_user_list_links_to_each_users_edit_page(client, login_as, world):
    login_as(world["admin1"])
    html = client.get("/admin/users").get_data(as_text=True)
    assert _edit_url(world["coach_a"]) in html
    assert _edit_url(world["coach_c"]) not in html
    assert "Ändra" in html


def test_user_list_query_count_does_not_grow(client, login_as, world, count_queries, db):
    login_as(world["admin1"])
    with count_queries() as q:
        assert client.get("/admin/users").status_code == 200
    for _ in range(25):
        factories.user(Role.coach, world["orgs"][0])
    db.session.commit()
    with count_queries() as q2:
        html = client.get("/admin/users").get_data(as_text=True)
    assert html.count("/edit") == 6 + 25  # every user of the organisation is listed
    assert q.count == q2.count
    assert q.count <= 4, q.statements


# --- the edit page: access ----------------------------------------------------------------------


def test_admin_opens_own_organisations_user(client, login_as, world):
    login_as(world["admin1"])
    response = client.get(_edit_url(world["coach_a"]))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Ändra användare</h1>" in html
    assert world["coach_a"].email in html
    assert 'hx-post="/admin/users/' in html and "hx-disabled-elt" in html
    # Staff cannot be turned into a participant account.
    assert 'value="participant"' not in html


def test_edit_form_htmx_get_is_the_partial(client, login_as, world):
    login_as(world["admin1"])
    html = client.get(_edit_url(world["coach_a"]),
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert html.lstrip().startswith("<form") and "<html" not in html
    assert 'id="user-form"' in html


def test_other_organisations_user_is_404(client, login_as, world, db):
    login_as(world["admin1"])
    assert client.get(_edit_url(world["coach_c"])).status_code == 404
    token = page_token(client, "/admin/users")
    response = client.post(_edit_url(world["coach_c"]),
                           data={**_form(world["coach_c"], is_active=None), "csrf_token": token})
    assert response.status_code == 404
    assert _reload(db, world["coach_c"]).is_active
    assert client.get("/admin/users/999999/edit").status_code == 404


@pytest.mark.parametrize("who", ["coach_a", "manager1", "portal_a"])
def test_other_roles_get_404(client, login_as, world, who):
    login_as(world[who])
    assert client.get(_edit_url(world["coach_b"])).status_code == 404
    assert client.get("/admin/users").status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(_edit_url(world["coach_a"]))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_post_without_csrf_token_is_refused(client, login_as, world, db):
    login_as(world["admin1"])
    response = client.post(_edit_url(world["coach_a"]),
                           data=_form(world["coach_a"], role="manager"))
    assert response.status_code == 400
    assert _reload(db, world["coach_a"]).role == Role.coach
    assert _updates(db) == []


# --- changes take effect on the very next request ----------------------------------------------


def test_role_change_logs_the_user_out_on_their_next_request(client, login_as, world, db,
                                                            coach_session):
    coach = world["coach_a"]
    login_as(world["admin1"])
    token = page_token(client, "/admin/users")
    response = client.post(_edit_url(coach),
                           data={**_form(coach, role="manager"), "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    assert "Ändringarna för Coach A är sparade." in client.get("/admin/users").get_data(
        as_text=True)

    # The coach's very next request: the old cookie no longer works.
    response = coach_session.get("/caseload")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    # Logging in again gives the new role's scope.
    login(coach_session, coach)
    assert coach_session.get("/").headers["Location"] == "/programs"
    assert coach_session.get("/programs").status_code == 200

    [event] = _updates(db)
    assert (event.object_id, event.user_id) == (coach.id, world["admin1"].id)
    assert event.detail == "role coach->manager"
    assert _reload(db, coach).role == Role.manager


def test_htmx_deactivation_logs_the_user_out_and_keeps_them_out(client, login_as, world, db,
                                                               coach_session):
    coach = world["coach_a"]
    login_as(world["admin1"])
    token = page_token(client, "/admin/users")
    response = client.post(_edit_url(coach), data=_form(coach, is_active=None),
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/admin/users"
    assert "Avstängd" in client.get("/admin/users").get_data(as_text=True)

    assert coach_session.get("/caseload").headers["Location"].startswith("/login")
    token = page_token(coach_session, "/login")
    response = coach_session.post("/login", data={"email": coach.email,
                                                  "password": factories.PASSWORD,
                                                  "csrf_token": token})
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)
    [event] = _updates(db)
    assert event.detail == "deactivated"


def test_name_change_alone_keeps_the_user_logged_in(client, login_as, world, db, coach_session):
    coach = world["coach_a"]
    login_as(world["admin1"])
    token = page_token(client, "/admin/users")
    response = client.post(_edit_url(coach),
                           data={**_form(coach, name="Coach Andersson"), "csrf_token": token})
    assert response.status_code == 302
    assert coach_session.get("/caseload").status_code == 200
    assert _reload(db, coach).name == "Coach Andersson"
    assert [e.detail for e in _updates(db)] == ["name"]


def test_reactivated_user_can_log_in_again(app, client, login_as, world, db):
    coach = world["coach_a"]
    coach.is_active = False
    db.session.commit()
    login_as(world["admin1"])
    token = page_token(client, "/admin/users")
    client.post(_edit_url(coach), data={**_form(coach), "csrf_token": token})
    assert _reload(db, coach).is_active
    assert [e.detail for e in _updates(db)] == ["activated"]
    browser = app.test_client()
    login(browser, coach)
    assert browser.get("/caseload").status_code == 200


def test_saving_without_changes_writes_no_audit_event(client, login_as, world, db):
    login_as(world["admin1"])
    token = page_token(client, "/admin/users")
    response = client.post(_edit_url(world["coach_a"]),
                           data={**_form(world["coach_a"]), "csrf_token": token})
    assert response.status_code == 302
    assert _updates(db) == []


# --- refused changes -------------------------------------------------------------------------


def test_admin_cannot_deactivate_themself(client, login_as, world, db):
    admin = world["admin1"]
    login_as(admin)
    token = page_token(client, "/admin/users")
    response = client.post(_edit_url(admin), data={**_form(admin, is_active=None),
                                                   "csrf_token": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Du kan inte inaktivera ditt eget konto." in html
    assert "<html" in html
    assert _reload(db, admin).is_active
    assert client.get("/admin/users").status_code == 200  # still logged in
    assert _updates(db) == []


def test_the_last_admin_cannot_step_down(client, login_as, world, db):
    admin = world["admin1"]
    login_as(admin)
    token = page_token(client, "/admin/users")
    response = client.post(_edit_url(admin), data=_form(admin, role="manager"),
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert LAST_ADMIN in html and "<html" not in html
    assert 'aria-invalid="true"' in html
    assert _reload(db, admin).role == Role.admin
    assert _updates(db) == []


def test_an_admin_may_step_down_when_another_admin_remains(client, login_as, world, db):
    admin = world["admin1"]
    factories.user(Role.admin, world["orgs"][0])
    db.session.commit()
    login_as(admin)
    token = page_token(client, "/admin/users")
    response = client.post(_edit_url(admin), data={**_form(admin, role="manager"),
                                                   "csrf_token": token})
    assert response.status_code == 302
    assert _reload(db, admin).role == Role.manager
    # Their own session ended with the role change too.
    assert client.get("/admin/users").headers["Location"].startswith("/login")


def test_service_refuses_to_remove_the_last_active_admin(world, db):
    admin = world["admin1"]
    other = factories.user(Role.admin, world["orgs"][0], is_active=False)
    with pytest.raises(services.AccountError) as refused:
        services.update_user(admin, actor=other, name=admin.name, role=Role.admin,
                             is_active=False)
    assert refused.value.field == "is_active"
    with pytest.raises(services.AccountError):
        services.update_user(admin, actor=other, name=admin.name, role=Role.coach,
                             is_active=True)


@pytest.mark.parametrize("changes,message", [
    ({"role": "participant"}, "Inte ett giltigt val"),
    ({"role": "wizard"}, "Inte ett giltigt val"),
    ({"name": ""}, "Det här fältet är obligatoriskt."),
])
def test_invalid_input_is_refused(client, login_as, world, db, changes, message):
    coach = world["coach_a"]
    login_as(world["admin1"])
    token = page_token(client, "/admin/users")
    response = client.post(_edit_url(coach), data={**_form(coach, **changes),
                                                   "csrf_token": token})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    coach = _reload(db, coach)
    assert (coach.role, coach.name) == (Role.coach, "Coach A")
    assert _updates(db) == []


def test_participant_accounts_stay_participant_accounts(client, login_as, world, db):
    portal = world["portal_a"]
    login_as(world["admin1"])
    html = client.get(_edit_url(portal)).get_data(as_text=True)
    assert 'value="coach"' not in html and 'value="participant"' in html
    token = page_token(client, "/admin/users")
    response = client.post(_edit_url(portal), data={**_form(portal, role="coach"),
                                                    "csrf_token": token})
    assert response.status_code == 422
    assert _reload(db, portal).role == Role.participant
    with pytest.raises(services.AccountError):
        services.update_user(portal, actor=world["admin1"], name=portal.name,
                             role=Role.coach, is_active=True)


def test_edit_page_query_count_is_fixed(client, login_as, world, count_queries, db):
    url = _edit_url(world["coach_a"])
    login_as(world["admin1"])
    with count_queries() as q:
        assert client.get(url).status_code == 200
    for _ in range(20):
        factories.user(Role.coach, world["orgs"][0])
    db.session.commit()
    with count_queries() as q2:
        assert client.get(url).status_code == 200
    assert q.count == q2.count
    assert q.count <= 4, q.statements
