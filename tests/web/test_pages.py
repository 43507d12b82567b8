"""Start pages of each role: content, scope, htmx variants and query budgets."""

from datetime import date, timedelta

from journey.extensions import db as _db
from tests import factories


def _grow_caseload(coach, n):
    coh = factories.cohort(factories.program(coach.organization))
    for i in range(n):
        enr = factories.enrollment(coach, coh)
        factories.activity(enr, on=date.today() - timedelta(days=i % 30))
    _db.session.commit()


def test_enrollment_page_query_count_is_fixed(client, login_as, world, count_queries, db):
    enr = world["enr_a"]
    url = f"/enrollments/{enr.id}"  # built outside the counted block
    login_as(world["coach_a"])
    with count_queries() as q:
        assert client.get(url).status_code == 200
    for i in range(30):
        factories.activity(enr, on=date.today() - timedelta(days=i))
    db.session.commit()
    with count_queries() as q2:
        assert client.get(url).status_code == 200
    assert q.count == q2.count
    # user, enrollment+joins, steps, plan, activities, assessments, notes, exit, audit…
    assert q.count <= 12, q.statements


def test_admin_users_page_lists_own_organisation(client, login_as, world):
    login_as(world["admin1"])
    html = client.get("/admin/users").get_data(as_text=True)
    assert world["coach_a"].email in html
    assert world["coach_c"].email not in html


def test_admin_page_hidden_from_other_roles(client, login_as, world):
    login_as(world["manager1"])
    assert client.get("/admin/users").status_code == 404


def test_portal_shows_own_plan_only_and_no_coach_notes(client, login_as, world, db):
    factories.activity(world["enr_a"], note="Hemlig coachanteckning")
    db.session.commit()
    login_as(world["portal_a"])
    html = client.get("/portal/").get_data(as_text=True)
    assert "Profilanalys" in html and "Jobbpunkt" in html
    assert "Hemlig coachanteckning" not in html
    assert "Bo Berg" not in html


def test_portal_hidden_from_coaches(client, login_as, world):
    login_as(world["coach_a"])
    assert client.get("/portal/").status_code == 404


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
