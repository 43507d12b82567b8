"""Every programme and cohort route × role and organisation: who gets 200, who 404."""

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.cohorts.models import Cohort
from journey.programs.models import Program
from tests.conftest import csrf_from
from tests.programs.helpers import templates


def _ids(world):
    cohort = world["enr_a"].cohort
    program = cohort.program
    return {"pid": program.id, "cid": cohort.id, "tid": program.step_templates[1].id}


GET_ROUTES = [
    "/programs",
    "/programs/new",
    "/programs/{pid}",
    "/programs/{pid}/edit",
    "/programs/{pid}/steps/{tid}/edit",
    "/programs/{pid}/cohorts/new",
    "/cohorts/{cid}",
    "/cohorts/{cid}/edit",
]
ID_GET_ROUTES = [r for r in GET_ROUTES if "{" in r]

POST_ROUTES = [
    ("/programs/new", {"name": "Nytt från fel håll"}),
    ("/programs/{pid}/edit", {"name": "Kapat", "is_active": "y"}),
    ("/programs/{pid}/steps", {"step-name": "Kapat steg", "step-kind": "other"}),
    ("/programs/{pid}/steps/{tid}/move", {"direction": "up"}),
    ("/programs/{pid}/steps/{tid}/retire", {"retire": "1"}),
    ("/programs/{pid}/steps/{tid}/edit", {"name": "Kapat steg"}),
    ("/programs/{pid}/cohorts/new", {"name": "Kapad kull", "starts_on": "2027-01-01"}),
    ("/cohorts/{cid}/edit", {"name": "Kapad", "starts_on": "2027-01-01"}),
]
ID_POST_ROUTES = [r for r in POST_ROUTES if "{" in r[0]]


def _token(client) -> str:
    return csrf_from(client.get("/", follow_redirects=True).get_data(as_text=True))


def _snapshot(db, world):
    """What a forbidden POST must leave alone."""
    db.session.expire_all()
    ids = _ids(world)
    cohort = db.session.get(Cohort, ids["cid"])
    return (
        db.session.get(Program, ids["pid"]).name,
        templates(ids["pid"]),
        (cohort.name, cohort.starts_on),
        db.session.scalar(sa.select(sa.func.count(Program.id))),
        db.session.scalar(sa.select(sa.func.count(Cohort.id))),
    )


@pytest.mark.parametrize("role", ["manager1", "admin1"])
@pytest.mark.parametrize("route", GET_ROUTES)
def test_manager_and_admin_of_the_organisation_open_every_page(client, login_as, world, route,
                                                               role):
    login_as(world[role])
    response = client.get(route.format(**_ids(world)))
    assert response.status_code == 200
    assert "<h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["coach_a", "portal_a"])
@pytest.mark.parametrize("route", GET_ROUTES)
def test_coaches_and_participants_get_404(client, login_as, world, route, role):
    login_as(world[role])
    assert client.get(route.format(**_ids(world))).status_code == 404


@pytest.mark.parametrize("route", ID_GET_ROUTES)
def test_another_organisations_manager_gets_404(client, login_as, world, route):
    ids = _ids(world)
    login_as(world["manager2"])
    assert client.get(route.format(**ids)).status_code == 404


@pytest.mark.parametrize("route", ID_GET_ROUTES)
def test_unknown_ids_are_404(client, login_as, world, route):
    login_as(world["manager1"])
    assert client.get(route.format(pid=999999, cid=999999, tid=999999)).status_code == 404


@pytest.mark.parametrize("route", GET_ROUTES)
def test_anonymous_visitors_are_sent_to_login(client, world, route):
    response = client.get(route.format(**_ids(world)))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["coach_a", "portal_a"])
@pytest.mark.parametrize(("route", "data"), POST_ROUTES)
def test_coaches_and_participants_cannot_post(client, login_as, world, db, route, data, role):
    before = _snapshot(db, world)
    login_as(world[role])
    token = _token(client)
    response = client.post(route.format(**_ids(world)), data={**data, "csrf_token": token})
    assert response.status_code == 404
    assert _snapshot(db, world) == before


@pytest.mark.parametrize(("route", "data"), ID_POST_ROUTES)
def test_another_organisations_manager_cannot_post(client, login_as, world, db, route, data):
    before = _snapshot(db, world)
    ids = _ids(world)
    login_as(world["manager2"])
    token = _token(client)
    response = client.post(route.format(**ids), data={**data, "csrf_token": token})
    assert response.status_code == 404
    assert _snapshot(db, world) == before
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.object_type.in_(["program", "step_template", "cohort"]))) == 0


@pytest.mark.parametrize(("route", "data"), POST_ROUTES)
def test_anonymous_posts_are_sent_to_login(client, world, db, route, data):
    before = _snapshot(db, world)
    token = _token(client)  # the login page's token: the CSRF check passes, login does not
    response = client.post(route.format(**_ids(world)), data={**data, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert _snapshot(db, world) == before


@pytest.mark.parametrize("role", ["manager1", "admin1"])
@pytest.mark.parametrize(("route", "data"), POST_ROUTES)
def test_posts_without_csrf_token_are_refused(client, login_as, world, db, route, data, role):
    before = _snapshot(db, world)
    login_as(world[role])
    response = client.post(route.format(**_ids(world)), data=data)
    assert response.status_code == 400
    assert "Formuläret har gått ut" in response.get_data(as_text=True)
    assert _snapshot(db, world) == before


@pytest.mark.parametrize(("route", "data"), POST_ROUTES)
def test_htmx_posts_without_csrf_header_are_refused(client, login_as, world, db, route, data):
    before = _snapshot(db, world)
    login_as(world["manager1"])
    response = client.post(route.format(**_ids(world)), data=data, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert _snapshot(db, world) == before


def test_a_step_template_of_another_programme_is_404(client, login_as, world, db):
    ids = _ids(world)
    foreign = world["enr_c"].cohort.program.step_templates[0]  # organisation 2
    login_as(world["manager1"])
    token = _token(client)
    for path in (f"/programs/{ids['pid']}/steps/{foreign.id}/move",
                 f"/programs/{ids['pid']}/steps/{foreign.id}/retire",
                 f"/programs/{ids['pid']}/steps/{foreign.id}/edit"):
        response = client.post(path, data={"direction": "up", "retire": "1", "name": "X",
                                           "csrf_token": token})
        assert response.status_code == 404
    assert client.get(f"/programs/{ids['pid']}/steps/{foreign.id}/edit").status_code == 404
    db.session.expire_all()
    assert templates(foreign.program_id)[0] == (1, "Profilanalys", False)
