"""The coach's caseload table: content, sorting and filtering on the server, htmx, scope."""

import re
from datetime import date, timedelta

import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import Attendance, AuditAction, Role, StepStatus
from journey.extensions import db as _db
from journey.journeys.services import set_step_status
from tests import factories
from tests.caseload.helpers import (
    activities,
    coach_with_cohort,
    days_ago,
    exit_enrollment,
    follow_up,
    plan_item,
    quiet_enrollment,
    table_names,
)

HX = {"HX-Request": "true"}


def test_caseload_lists_only_own_active_enrollments(client, login_as, world, db):
    factories.activity(world["enr_a"], on=days_ago(9))
    factories.activity(world["enr_a"], on=days_ago(5), attendance=Attendance.no_show)
    set_step_status(world["enr_a"].steps[0], StepStatus.done)
    set_step_status(world["enr_a"].steps[1], StepStatus.in_progress)
    db.session.commit()
    login_as(world["coach_a"])
    html = client.get("/caseload").get_data(as_text=True)
    assert table_names(html) == ["Amina Ali"]
    assert "Bo Berg" not in html and "Cecilia Cruz" not in html
    assert days_ago(9).isoformat() in html  # last attended contact, not the no-show
    assert days_ago(5).isoformat() not in html
    assert "Coachning" in html and "Pågår" in html  # current step
    assert world["enr_a"].enrolled_on.isoformat() in html


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
    assert 'id="caseload-filter"' not in html  # nothing to filter yet


def test_caseload_scope(client, login_as, world):
    for who in ("manager1", "admin1", "portal_a"):
        client.delete_cookie("journey_session")
        login_as(world[who])
        assert client.get("/caseload").status_code == 404, who
    client.delete_cookie("journey_session")
    login_as(world["coach_a"])
    assert client.get("/caseload").status_code == 200


def test_caseload_anonymous_goes_to_login(client, world):
    response = client.get("/caseload?sort=cohort")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_viewing_the_caseload_leaves_an_audit_event(client, login_as, world, db):
    login_as(world["coach_a"])
    client.get("/caseload")
    client.get("/caseload?status=paused", headers=HX)
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.view, AuditEvent.object_type == "caseload")).all()
    # The htmx request with no rows names nobody, so only the page is logged.
    assert len(events) == 1
    assert events[0].user_id == world["coach_a"].id
    assert events[0].object_id == world["coach_a"].id
    assert events[0].participant_id is None
    assert "Amina" not in events[0].detail


# --- Sorting ------------------------------------------------------------------------


def _sorting_world():
    coach, coh_b = coach_with_cohort(cohort_name="B-kullen")
    coh_a = factories.cohort(coh_b.program, "A-kullen", starts_on=days_ago(400))
    # name, cohort, enrolled days ago, last contact days ago (None: never), step index
    people = [
        ("Cilla", "Ahl", coh_b, 30, 3, 1),
        ("Adam", "Berg", coh_a, 10, None, 0),
        ("Bea", "Ceder", coh_b, 20, 8, 2),
    ]
    for first, last, coh, enrolled, contact, step in people:
        enr = quiet_enrollment(coach, coh, first, last, enrolled_days_ago=enrolled,
                               contact_days_ago=contact, step_started=False)
        for s in enr.steps[:step]:
            set_step_status(s, StepStatus.done)
        set_step_status(enr.steps[step], StepStatus.in_progress)
    _db.session.commit()
    return coach


SORTED = {
    # Steps of the default programme: Profilanalys, Coachning, Nätverk, Praktik.
    "name": ["Cilla Ahl", "Adam Berg", "Bea Ceder"],
    "cohort": ["Adam Berg", "Cilla Ahl", "Bea Ceder"],
    "step": ["Cilla Ahl", "Bea Ceder", "Adam Berg"],           # Coachning, Nätverk, Profil…
    "last_contact": ["Adam Berg", "Bea Ceder", "Cilla Ahl"],   # never, 8 days, 3 days
    "enrolled": ["Cilla Ahl", "Bea Ceder", "Adam Berg"],
}


def test_sorting_by_each_column_both_ways(client, login_as, db):
    coach = _sorting_world()
    login_as(coach)
    for key, expected in SORTED.items():
        asc = client.get(f"/caseload?sort={key}&dir=asc").get_data(as_text=True)
        assert table_names(asc) == expected, key
        desc = client.get(f"/caseload?sort={key}&dir=desc").get_data(as_text=True)
        if key == "cohort":  # the tie inside B-kullen keeps name order reversed too
            assert table_names(desc) == ["Bea Ceder", "Cilla Ahl", "Adam Berg"]
        else:
            assert table_names(desc) == expected[::-1], key


def test_sort_headers_carry_aria_sort_and_toggle(client, login_as, db):
    coach = _sorting_world()
    login_as(coach)
    html = client.get("/caseload?sort=last_contact&dir=asc&status=active").get_data(as_text=True)
    headers = re.findall(r"<th scope=\"col\"([^>]*)>\s*<a class=\"sort-link\" href=\"([^\"]+)\"",
                         html)
    assert len(headers) == 5
    sorted_headers = [(attrs, href) for attrs, href in headers if "aria-sort" in attrs]
    assert len(sorted_headers) == 1
    attrs, href = sorted_headers[0]
    assert 'aria-sort="ascending"' in attrs
    # Toggles the direction and keeps the filters.
    assert "sort=last_contact" in href and "dir=desc" in href and "status=active" in href
    others = [href for attrs, href in headers if "aria-sort" not in attrs]
    assert all("dir=desc" not in h and "status=active" in h for h in others)
    html = client.get("/caseload?sort=last_contact&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in html
    # The default sort is by name, ascending.
    assert 'aria-sort="ascending"' in client.get("/caseload").get_data(as_text=True)


def test_invalid_sort_and_filter_values_fall_back_safely(client, login_as, db):
    coach = _sorting_world()
    login_as(coach)
    for query in ("sort=drop+table&dir=sideways", "sort=&dir=", "cohort=abc", "cohort=-5",
                  "cohort=99999999999999999999999", "status=exited", "status=<b>",
                  "step=" + "x" * 500, "sort=name&sort=cohort&dir=asc&dir=desc"):
        response = client.get(f"/caseload?{query}")
        assert response.status_code == 200, query
        names = table_names(response.get_data(as_text=True))
        if query.startswith("step="):
            assert names == [], query
        else:
            assert names == SORTED["name"], query


# --- Filtering ----------------------------------------------------------------------


def test_filters_by_cohort_status_and_step(client, login_as, db):
    coach = _sorting_world()
    enr = next(e for e in _db.session.scalars(
        sa.select(factories.Participant)).all() if e.first_name == "Bea").enrollments[0]
    enr.status = "paused"
    _db.session.commit()
    login_as(coach)
    page = client.get("/caseload").get_data(as_text=True)
    cohort_ids = dict((name, int(i)) for i, name in
                      re.findall(r'<option value="(\d+)"[^>]*>([^<(]+?) \(', page))
    assert set(cohort_ids) == {"A-kullen", "B-kullen"}
    assert re.findall(r'<option value="([^"]*)"[^>]*>', page.split('id="filter-step"')[1]
                      .split("</select>")[0]) == ["", "Coachning", "Nätverk", "Profilanalys"]

    def names(query):
        return table_names(client.get(f"/caseload?{query}").get_data(as_text=True))

    assert names(f"cohort={cohort_ids['B-kullen']}") == ["Cilla Ahl", "Bea Ceder"]
    assert names(f"cohort={cohort_ids['A-kullen']}") == ["Adam Berg"]
    assert names("status=paused") == ["Bea Ceder"]
    assert names("status=active") == ["Cilla Ahl", "Adam Berg"]
    assert names("step=Coachning") == ["Cilla Ahl"]
    assert names(f"step=N%C3%A4tverk&cohort={cohort_ids['B-kullen']}&status=paused") == [
        "Bea Ceder"]
    assert names(f"cohort={cohort_ids['B-kullen']}&sort=name&dir=desc") == [
        "Bea Ceder", "Cilla Ahl"]
    html = client.get(f"/caseload?cohort={cohort_ids['A-kullen']}&status=paused").get_data(
        as_text=True)
    assert "Inga deltagare matchar filtret" in html
    assert "Visar 0 av 3" in html and "Rensa filter" in html
    # The chosen filters stay selected in the form.
    assert re.search(rf'<option value="{cohort_ids["A-kullen"]}" selected', html)
    assert '<option value="paused" selected' in html


def test_unfiltered_facets_read_off_the_rows_match_the_grouped_statement(db):
    # The unfiltered page takes its filter options from its own rows; a filtered one
    # asks the database. Both must offer the same cohorts, steps and total.
    from journey.caseload import queries

    coach = _sorting_world()
    coh_a = next(c for c in _db.session.scalars(sa.select(factories.Cohort))
                 if c.name == "A-kullen")
    other_program = factories.program(coh_a.program.organization, "Språkspåret")
    coh_c = factories.cohort(other_program, "A-kullen", starts_on=days_ago(100))
    finished = quiet_enrollment(coach, coh_c, "Dana", "Ek", enrolled_days_ago=50,
                                contact_days_ago=2, step_started=False)
    for s in finished.steps:
        set_step_status(s, StepStatus.done)  # no current step
    paused = quiet_enrollment(coach, coh_c, "Eva", "Fors", enrolled_days_ago=40,
                              contact_days_ago=1, step_started=False)
    paused.status = "paused"
    gone = quiet_enrollment(coach, coh_a, "Filip", "Gran", enrolled_days_ago=90,
                            contact_days_ago=30, step_started=False)
    exit_enrollment(gone)
    _db.session.commit()

    unfiltered = queries.CaseloadFilters()
    rows = queries.caseload(coach.id, unfiltered)
    from_rows = queries.caseload_facets(coach.id, unfiltered, rows)
    grouped = queries.caseload_facets(coach.id)
    assert from_rows == grouped
    assert grouped.total == 5  # the exited enrollment is not counted
    assert [(o.name, o.program_name) for o in grouped.cohorts] == [
        ("A-kullen", coh_a.program.name), ("A-kullen", "Språkspåret"),
        ("B-kullen", coh_a.program.name)]
    assert "Språkspåret" in {o.program_name for o in grouped.cohorts}
    # A filtered view still counts the whole caseload, not its own rows.
    paused_only = queries.CaseloadFilters(status=queries.EnrollmentStatus.paused)
    paused_rows = queries.caseload(coach.id, paused_only)
    assert len(paused_rows) == 1
    assert queries.caseload_facets(coach.id, paused_only, paused_rows) == grouped


def test_another_coachs_cohort_filter_shows_nothing_of_theirs(client, login_as, world, db):
    login_as(world["coach_a"])
    html = client.get(f"/caseload?cohort={world['enr_c'].cohort_id}").get_data(as_text=True)
    assert table_names(html) == []
    assert "Cecilia Cruz" not in html


# --- htmx ---------------------------------------------------------------------------


def test_full_page_has_a_get_form_that_htmx_enhances(client, login_as, db):
    coach = _sorting_world()
    login_as(coach)
    response = client.get("/caseload?sort=cohort&dir=desc")
    html = response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]
    form = html.split('<form id="caseload-filter"')[1].split(">")[0]
    assert 'method="get"' in form and 'action="/caseload"' in form
    assert 'hx-get="/caseload"' in form and 'hx-target="#caseload-table"' in form
    assert 'hx-push-url="true"' in form
    # The sort travels with the form (also without JavaScript).
    assert '<input type="hidden" name="sort" value="cohort" form="caseload-filter">' in html
    assert '<input type="hidden" name="dir" value="desc" form="caseload-filter">' in html
    assert "<h1>" in html and 'id="attention-heading"' in html


def test_htmx_request_gets_only_the_table_partial(client, login_as, db):
    coach = _sorting_world()
    login_as(coach)
    response = client.get("/caseload?sort=enrolled&dir=asc", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<div id="caseload-table"')
    assert "<html" not in html and "<h1>" not in html and "attention-heading" not in html
    assert table_names(html) == SORTED["enrolled"]
    # The URL the browser shows: canonical, without empty fields or default values.
    assert response.headers["HX-Push-Url"] == "/caseload?sort=enrolled"
    filtered = client.get("/caseload?cohort=&step=&status=paused&sort=name&dir=desc", headers=HX)
    assert filtered.headers["HX-Push-Url"] == "/caseload?dir=desc&status=paused"
    assert "HX-Push-Url" not in client.get("/caseload").headers
    # Sort links inside the partial swap the partial again and update the URL.
    assert 'hx-target="#caseload-table"' in html and 'hx-push-url="true"' in html
    # Boosted and history-restore requests get the whole page.
    boosted = client.get("/caseload", headers={**HX, "HX-Boosted": "true"})
    assert "<h1>" in boosted.get_data(as_text=True)
    restore = client.get("/caseload", headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<h1>" in restore.get_data(as_text=True)


# --- Query budget -------------------------------------------------------------------


def _grow(coach, coh, n):
    for i in range(n):
        enr = factories.enrollment(coach, coh, enrolled_on=days_ago(40 + i % 30))
        activities(enr, (i % 20, Attendance.attended), (i % 5, Attendance.no_show),
                   (1, Attendance.no_show))
        plan_item(enr, days_ago(i % 3))
        plan_item(enr, days_ago(2), done_on=days_ago(1))
        if i % 4 == 0:
            set_step_status(enr.steps[0], StepStatus.in_progress)
        if i % 5 == 0:
            exit_enrollment(enr)
            follow_up(enr, 3, days_ago(i % 7))
            follow_up(enr, 6, date.today() + timedelta(days=i % 10))
    _db.session.commit()


def test_query_count_does_not_grow_with_the_caseload(client, login_as, count_queries, db):
    coach, coh = coach_with_cohort()
    other = factories.cohort(coh.program, starts_on=days_ago(400))
    login_as(coach)
    _grow(coach, coh, 10)
    with count_queries() as small:
        assert client.get("/caseload").status_code == 200
    with count_queries() as small_partial:
        assert client.get("/caseload?sort=last_contact", headers=HX).status_code == 200
    _grow(coach, coh, 150)
    _grow(coach, other, 40)
    with count_queries() as large:
        response = client.get("/caseload")
    with count_queries() as large_partial:
        assert client.get("/caseload?sort=last_contact", headers=HX).status_code == 200
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(table_names(html)) == 160  # 200 minus the exited fifth
    # The attention list is capped on this page; the rest is a link away.
    assert html.count('class="attention-item"') == 8
    assert 'href="/caseload/attention"' in html
    assert large.count == small.count, large.statements
    assert large.count <= 5, large.statements
    assert large_partial.count == small_partial.count <= 4, large_partial.statements
