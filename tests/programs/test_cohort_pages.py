"""Cohort pages: create and edit (validation, audit), the paged participant list, budgets."""

from datetime import date, timedelta

import sqlalchemy as sa

from journey.cohorts.models import Cohort
from journey.enums import AuditAction, EnrollmentStatus, Role, StepStatus
from journey.journeys.services import set_step_status
from journey.outcomes.models import ExitOutcome
from tests import factories
from tests.conftest import page_token
from tests.programs.helpers import HX, audit, fill_cohort, tag


def _cohort_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(Cohort.id)))


# --- new cohort -------------------------------------------------------------------------


def test_create_cohort_accepts_cost_with_spaces(client, login_as, world, db):
    program = world["enr_a"].cohort.program
    login_as(world["manager1"])
    url = f"/programs/{program.id}/cohorts/new"
    form = client.get(url).get_data(as_text=True)
    assert "Programmet: Jobbpunkt" in form or "Program: Jobbpunkt" in form
    assert 'type="date"' in tag(form, "starts_on")
    token = page_token(client, url)
    response = client.post(url, data={"name": "Jobbpunkt VT 2027", "starts_on": "2027-01-11",
                                      "ends_on": "2027-06-11", "cost_sek": "1 250 000",
                                      "csrf_token": token})
    assert response.status_code == 302
    cohort = db.session.scalars(sa.select(Cohort).where(Cohort.name == "Jobbpunkt VT 2027")).one()
    assert response.headers["Location"] == f"/cohorts/{cohort.id}"
    assert (cohort.program_id, cohort.starts_on, cohort.ends_on, cohort.cost_sek) == (
        program.id, date(2027, 1, 11), date(2027, 6, 11), 1_250_000)
    [event] = audit("cohort", AuditAction.create)
    assert (event.object_id, event.participant_id, event.user_id) == (
        cohort.id, None, world["manager1"].id)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Kullen ”Jobbpunkt VT 2027” skapades." in page
    assert "1\u00a0250\u00a0000 kr" in page
    assert "Inga deltagare i kullen än" in page


def test_cost_accepts_no_break_spaces_and_kr_and_may_be_empty(client, login_as, world, db):
    program = world["enr_a"].cohort.program
    login_as(world["admin1"])
    url = f"/programs/{program.id}/cohorts/new"
    token = page_token(client, url)
    for name, cost, stored in (("A", "250\u00a0000 kr", 250_000), ("B", "", None),
                               ("C", "0", 0)):
        response = client.post(url, data={"name": name, "starts_on": "2027-01-11",
                                          "cost_sek": cost, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        assert db.session.scalars(sa.select(Cohort.cost_sek).where(
            Cohort.name == name)).one() == stored


def test_create_cohort_validation_messages(client, login_as, world, db):
    program = world["enr_a"].cohort.program
    login_as(world["manager1"])
    url = f"/programs/{program.id}/cohorts/new"
    token = page_token(client, url)
    ok = {"name": "Ny", "starts_on": "2027-01-11"}
    cases = [
        ({**ok, "name": ""}, "name", "Ange ett namn."),
        ({**ok, "name": "jobbpunkt ht"}, "name",
         "Programmet har redan en kull som heter ”jobbpunkt ht”."),
        ({**ok, "starts_on": ""}, "starts_on", "Ange startdatum."),
        ({**ok, "starts_on": "11/1 2027"}, "starts_on",
         "Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2026-08-17."),
        ({**ok, "ends_on": "2027-01-10"}, "ends_on",
         "Slutdatumet kan inte vara före startdatumet."),
        ({**ok, "ends_on": "2027-02-30"}, "ends_on", "Ange datumet som ÅÅÅÅ-MM-DD"),
        ({**ok, "cost_sek": "12,5"}, "cost_sek",
         "Ange kostnaden i hela kronor, till exempel 1 250 000."),
        ({**ok, "cost_sek": "-5 000"}, "cost_sek", "Kostnaden kan inte vara negativ."),
        ({**ok, "cost_sek": "9" * 15}, "cost_sek", "Kostnaden är orimligt stor"),
    ]
    for data, field, message in cases:
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 422, data
        html = response.get_data(as_text=True)
        assert message in html, data
        assert 'aria-invalid="true"' in tag(html, field), data
        assert "Inget sparades." in html
    assert _cohort_count(db) == 2
    assert audit("cohort") == []


# --- edit cohort ------------------------------------------------------------------------


def test_edit_cohort_prefills_and_saves(client, login_as, world, db):
    cohort = world["enr_a"].cohort
    cohort.cost_sek = 1_250_000
    db.session.commit()
    login_as(world["manager1"])
    url = f"/cohorts/{cohort.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="1 250 000"' in tag(form, "cost_sek")
    assert f'value="{cohort.starts_on.isoformat()}"' in tag(form, "starts_on")
    token = page_token(client, url)
    response = client.post(url, data={"name": "Jobbpunkt HT 2026", "starts_on": "2026-08-17",
                                      "ends_on": "", "cost_sek": "1 300 000",
                                      "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cohorts/{cohort.id}"
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort.id)
    assert (cohort.name, cohort.starts_on, cohort.ends_on, cohort.cost_sek) == (
        "Jobbpunkt HT 2026", date(2026, 8, 17), None, 1_300_000)
    [event] = audit("cohort", AuditAction.update)
    assert event.detail == "changed: name, starts_on, cost_sek" and event.participant_id is None
    assert "Kullen sparades." in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)


def test_edit_cohort_refuses_end_before_start_and_a_taken_name(client, login_as, world, db):
    program = world["enr_a"].cohort.program
    other = factories.cohort(program, "Jobbpunkt VT")
    db.session.commit()
    login_as(world["manager1"])
    url = f"/cohorts/{other.id}/edit"
    token = page_token(client, url)
    html = client.post(url, data={"name": "Jobbpunkt HT", "starts_on": "2026-08-17",
                                  "csrf_token": token}).get_data(as_text=True)
    assert "Programmet har redan en kull som heter ”Jobbpunkt HT”." in html
    response = client.post(url, data={"name": "Jobbpunkt VT", "starts_on": "2026-08-17",
                                      "ends_on": "2026-08-16", "csrf_token": token})
    assert response.status_code == 422
    assert "Slutdatumet kan inte vara före startdatumet." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Cohort, other.id).name == "Jobbpunkt VT"
    assert audit("cohort") == []


def test_saving_an_unchanged_cohort_writes_nothing(client, login_as, world, db):
    cohort = world["enr_a"].cohort
    login_as(world["manager1"])
    url = f"/cohorts/{cohort.id}/edit"
    token = page_token(client, url)
    response = client.post(url, data={"name": cohort.name,
                                      "starts_on": cohort.starts_on.isoformat(),
                                      "csrf_token": token}, follow_redirects=True)
    assert "Inget ändrades." in response.get_data(as_text=True)
    assert audit("cohort", AuditAction.update) == []


# --- cohort page ------------------------------------------------------------------------


def test_cohort_page_lists_participants_with_coach_status_and_step(client, login_as, world, db):
    enr_a, enr_b = world["enr_a"], world["enr_b"]
    set_step_status(enr_a.steps[0], StepStatus.done)
    set_step_status(enr_a.steps[1], StepStatus.in_progress)
    enr_b.status = EnrollmentStatus.paused
    cohort = enr_a.cohort
    cohort.cost_sek = 900_000
    db.session.commit()
    login_as(world["manager1"])
    response = client.get(f"/cohorts/{cohort.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Jobbpunkt HT</h1>" in html and "Kull i Jobbpunkt" in html
    assert "900\u00a0000 kr" in html and cohort.starts_on.isoformat() in html
    assert "Inte satt (pågår)" in html
    row_a = html[html.index("Amina Ali"):].split("</tr>")[0]
    assert "Coach A" in row_a and "Aktiv" in row_a and "Coachning" in row_a and "Pågår" in row_a
    row_b = html[html.index("Bo Berg"):].split("</tr>")[0]
    assert "Coach B" in row_b and "Pausad" in row_b and "Profilanalys" in row_b
    assert f'href="/enrollments/{enr_a.id}"' in html and f'href="/enrollments/{enr_b.id}"' in html
    assert html.index("Amina Ali") < html.index("Bo Berg")  # by surname
    assert "Cecilia Cruz" not in html
    assert "Visar 1–2 av 2, efter efternamn." in html


def test_viewing_the_participant_list_is_audited(client, login_as, world, db):
    cohort = world["enr_a"].cohort
    login_as(world["manager1"])
    client.get(f"/cohorts/{cohort.id}")
    [event] = audit("cohort", AuditAction.view)
    assert (event.object_id, event.participant_id, event.user_id, event.ip) == (
        cohort.id, None, world["manager1"].id, "127.0.0.1")


def test_admins_see_the_cohort_but_no_participants(client, login_as, world, db):
    cohort = world["enr_a"].cohort
    login_as(world["admin1"])
    html = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "<h1>Jobbpunkt HT</h1>" in html
    assert "Amina Ali" not in html and "/enrollments/" not in html
    assert "Deltagarnas uppgifter visas bara för chefer och coacher." in html
    assert audit("cohort", AuditAction.view) == []


def test_counts_on_the_cohort_page(client, login_as, world, db):
    db.session.add(ExitOutcome(enrollment=world["enr_b"], exited_on=date.today(),
                               outcome="studies"))
    later = factories.enrollment(world["coach_a"], world["enr_a"].cohort,
                                 enrolled_on=date.today() + timedelta(days=7))
    assert later.id
    db.session.commit()
    login_as(world["manager1"])
    html = client.get(f"/cohorts/{world['enr_a'].cohort_id}").get_data(as_text=True)
    counts = html[html.index('id="counts-heading"'):].split("</section>")[0]
    assert "<dt>Inskrivna</dt><dd>2</dd>" in counts
    assert "<dt>Aktiva</dt><dd>1</dd>" in counts
    assert "<dt>Avslutade</dt><dd>1</dd>" in counts
    assert "Dessutom 1 inskrivning med senare datum." in counts


def _big_cohort(world, n):
    coh = factories.cohort(world["enr_a"].cohort.program, "Stor kull")
    fill_cohort(world["coach_a"], coh, n)
    return coh


def test_participant_list_is_paged_by_fifty(client, login_as, world, db):
    coh = _big_cohort(world, 60)
    login_as(world["manager1"])
    first = client.get(f"/cohorts/{coh.id}").get_data(as_text=True)
    assert first.count('href="/enrollments/') == 50
    assert "Visar 1–50 av 60, efter efternamn." in first and "Sida 1 av 2" in first
    assert f'href="/cohorts/{coh.id}?page=2#enrollments-heading"' in first
    assert "Föregående sida" not in first
    second = client.get(f"/cohorts/{coh.id}?page=2").get_data(as_text=True)
    assert second.count('href="/enrollments/') == 10
    assert "Visar 51–60 av 60" in second and "Nästa sida" not in second
    # Out-of-range pages show the nearest real page.
    assert "Sida 2 av 2" in client.get(f"/cohorts/{coh.id}?page=99").get_data(as_text=True)
    assert "Sida 1 av 2" in client.get(f"/cohorts/{coh.id}?page=-3").get_data(as_text=True)
    assert [e.detail for e in audit("cohort", AuditAction.view)] == [
        "enrollments page 1", "enrollments page 2", "enrollments page 2", "enrollments page 1"]


def test_htmx_paging_returns_only_the_list(client, login_as, world, db):
    coh = _big_cohort(world, 55)
    login_as(world["manager1"])
    response = client.get(f"/cohorts/{coh.id}?page=2", headers=HX)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="cohort-enrollments"')
    assert "<html" not in html and html.count('href="/enrollments/') == 5
    assert 'hx-get="/cohorts/' in html and "HX-Request" in response.headers["Vary"]
    assert len(audit("cohort", AuditAction.view)) == 1


def test_cohort_page_query_count_does_not_grow(client, login_as, world, count_queries, db):
    coh = _big_cohort(world, 5)
    for enr in coh.enrollments:
        set_step_status(enr.steps[0], StepStatus.in_progress)
    db.session.commit()
    url = f"/cohorts/{coh.id}"
    login_as(world["manager1"])
    with count_queries() as small:
        assert client.get(url).status_code == 200
    fill_cohort(world["coach_b"], coh, 55)
    with count_queries() as large:
        response = client.get(url)
    assert response.get_data(as_text=True).count('href="/enrollments/') == 50
    assert small.count == large.count <= 6, large.statements


def test_empty_cohort_page(client, login_as, world, db):
    coh = factories.cohort(world["enr_a"].cohort.program, "Tom kull")
    db.session.commit()
    login_as(world["manager1"])
    html = client.get(f"/cohorts/{coh.id}").get_data(as_text=True)
    assert "Inga deltagare i kullen än" in html
    assert audit("cohort", AuditAction.view) == []


def test_other_roles_cannot_page_through_the_list(client, login_as, world, db):
    factories.user(Role.manager, world["orgs"][1])
    coh = world["enr_a"].cohort
    login_as(world["manager2"])
    assert client.get(f"/cohorts/{coh.id}?page=2", headers=HX).status_code == 404
    assert audit("cohort") == []
