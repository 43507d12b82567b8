"""Start pages of each role: content, scope, htmx variants and query budgets."""

from datetime import date, timedelta

from journey.enums import Attendance, Role, StepStatus
from journey.extensions import db as _db
from journey.journeys.services import set_step_status
from tests import factories


def test_caseload_lists_only_own_active_enrollments(client, login_as, world, db):
    factories.activity(world["enr_a"], on=date(2026, 10, 5))
    factories.activity(world["enr_a"], on=date(2026, 10, 9), attendance=Attendance.no_show)
    set_step_status(world["enr_a"].steps[0], StepStatus.done)
    set_step_status(world["enr_a"].steps[1], StepStatus.in_progress)
    db.session.commit()
    login_as(world["coach_a"])
    html = client.get("/caseload").get_data(as_text=True)
    assert "Amina Ali" in html
    assert "Bo Berg" not in html and "Cecilia Cruz" not in html
    assert "2026-10-05" in html  # last attended contact, not the no-show
    assert "2026-10-09" not in html
    assert "Coachning" in html and "Pågår" in html  # current step


def test_caseload_hides_exited_and_shows_next_step_when_none_in_progress(
        client, login_as, world, db):
    coach = world["coach_a"]
    exited = factories.enrollment(coach, world["enr_a"].cohort, first_name="Ex",
                                  last_name="Itad")
    exited.status = "exited"
    db.session.commit()
    login_as(coach)
    html = client.get("/caseload").get_data(as_text=True)
    assert "Ex Itad" not in html
    assert "Profilanalys" in html and "Ej påbörjad" in html


def test_caseload_empty_state(client, login_as, db):
    coach = factories.user(Role.coach)
    login_as(coach)
    html = client.get("/caseload").get_data(as_text=True)
    assert "Inga aktiva deltagare" in html


def test_caseload_is_for_coaches_only(client, login_as, world):
    login_as(world["manager1"])
    assert client.get("/caseload").status_code == 404


def _grow_caseload(coach, n):
    coh = factories.cohort(factories.program(coach.organization))
    for i in range(n):
        enr = factories.enrollment(coach, coh)
        factories.activity(enr, on=date.today() - timedelta(days=i % 30))
    _db.session.commit()


def test_caseload_query_count_does_not_grow_with_caseload(client, login_as, count_queries):
    coach = factories.user(Role.coach)
    login_as(coach)
    _grow_caseload(coach, 10)
    with count_queries() as small:
        assert client.get("/caseload").status_code == 200
    _grow_caseload(coach, 190)
    with count_queries() as large:
        response = client.get("/caseload")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("/enrollments/") == 200
    assert large.count == small.count
    assert large.count <= 4, large.statements


def test_enrollment_page_query_count_is_fixed(client, login_as, world, count_queries, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    with count_queries() as q:
        assert client.get(f"/enrollments/{enr.id}").status_code == 200
    for i in range(30):
        factories.activity(enr, on=date.today() - timedelta(days=i))
    db.session.commit()
    with count_queries() as q2:
        assert client.get(f"/enrollments/{enr.id}").status_code == 200
    assert q.count == q2.count
    assert q.count <= 6, q.statements


def test_manager_overview_counts_and_scope(client, login_as, world, db):
    enr_b = world["enr_b"]
    from journey.outcomes.models import ExitOutcome

    db.session.add(ExitOutcome(enrollment=enr_b, exited_on=date.today() - timedelta(days=1),
                               outcome="job_unsubsidized"))
    db.session.commit()
    login_as(world["manager1"])
    html = client.get("/programs").get_data(as_text=True)
    assert "Jobbpunkt HT" in html
    assert "Miljövärdar 1" not in html  # the other organisation's cohort
    # enrolled 2, active 1, leavers 1 in the row of Jobbpunkt HT
    row = html[html.index("Jobbpunkt HT"):].split("</tr>")[0]
    assert [c.split("</td>")[0] for c in row.split('<td class="num">')[1:]] == ["2", "1", "1"]


def test_manager_overview_query_budget(client, login_as, count_queries, db):
    manager = factories.user(Role.manager)
    coach = factories.user(Role.coach, manager.organization)
    login_as(manager)
    _grow_caseload(coach, 5)
    with count_queries() as small:
        client.get("/programs")
    for _ in range(5):
        _grow_caseload(coach, 20)
    with count_queries() as large:
        client.get("/programs")
    assert small.count == large.count <= 4


def test_manager_overview_for_managers_only(client, login_as, world):
    login_as(world["coach_a"])
    assert client.get("/programs").status_code == 404


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
