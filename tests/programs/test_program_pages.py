"""The manager overview and the programme pages: content, forms, validation, audit, budgets."""

import re
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from journey.enums import AuditAction, EnrollmentStatus, Role
from journey.outcomes.models import ExitOutcome
from journey.programs.models import Program
from journey.programs.queries import cohort_summaries, program_overview
from tests import factories
from tests.conftest import page_token
from tests.programs.helpers import audit, fill_cohort, tag


def _cells(html: str, row_label: str) -> list[str]:
    """The numeric cells of the table row that starts with ``row_label``."""
    row = html[html.index(row_label):].split("</tr>")[0]
    return re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row)


# --- overview ---------------------------------------------------------------------------


def test_manager_overview_counts_and_scope(client, login_as, world, db):
    db.session.add(ExitOutcome(enrollment=world["enr_b"],
                               exited_on=date.today() - timedelta(days=1),
                               outcome="job_unsubsidized"))
    db.session.commit()
    login_as(world["manager1"])
    html = client.get("/programs").get_data(as_text=True)
    assert "Jobbpunkt HT" in html
    assert "Miljövärdar" not in html  # the other organisation's programme and cohort
    # enrolled 2, still active 1, leavers 1
    assert _cells(html, "Jobbpunkt HT</a>") == ["2", "1", "1"]
    program_id = world["enr_a"].cohort.program_id
    assert f'href="/programs/{program_id}"' in html
    assert f'href="/cohorts/{world["enr_a"].cohort_id}"' in html
    assert 'href="/programs/new"' in html and "Nytt program" in html
    assert f'href="/programs/{program_id}/cohorts/new"' in html and "Ny kull" in html


def test_manager_overview_shows_programmes_without_cohorts_and_totals(client, login_as, world,
                                                                      db):
    o1 = world["orgs"][0]
    empty = factories.program(o1, "Propellern")
    empty.is_active = False
    empty.outcome_target = Decimal("0.5")
    coh = factories.cohort(world["enr_a"].cohort.program, "Jobbpunkt VT",
                           starts_on=date.today() - timedelta(days=10))
    fill_cohort(world["coach_a"], coh, 3)
    login_as(world["manager1"])
    html = client.get("/programs").get_data(as_text=True)
    # Active programmes first; the inactive one says so, with its target.
    assert html.index("Jobbpunkt") < html.index("Propellern")
    propellern = html[html.index("Propellern"):]
    assert "Inaktivt program" in propellern
    assert "Mål: 50\u00a0% till arbete eller studier" in propellern
    assert "Inga kullar än" in propellern
    assert _cells(html, "Alla kullar") == ["5", "5", "0"]
    assert "2 kullar" in html


def test_manager_overview_lists_the_newest_cohorts_and_totals_them_all(client, login_as, db):
    o = factories.org()
    manager = factories.user(Role.manager, o)
    coach = factories.user(Role.coach, o)
    prog = factories.program(o, "Långköraren")
    first = date(2020, 1, 1)
    for i in range(8):  # Kull 0 (oldest) ... Kull 7 (newest), one enrollment each
        fill_cohort(coach, factories.cohort(prog, f"Kull {i}", starts_on=first + timedelta(
            days=100 * i)), 1)
    login_as(manager)
    html = client.get("/programs").get_data(as_text=True)
    shown = re.findall(r">(Kull \d)</a>", html)
    assert shown == [f"Kull {i}" for i in range(7, 1, -1)]  # the six newest, newest first
    # The totals are of all eight cohorts, and say so; the rest is on the programme page.
    assert _cells(html, "Alla 8 kullar") == ["8", "8", "0"]
    assert "8 kullar" in html
    assert f'href="/programs/{prog.id}#cohorts-heading">Visa 2 kullar till' in html
    program_page = client.get(f"/programs/{prog.id}").get_data(as_text=True)
    assert len(re.findall(r">(Kull \d)</a>", program_page)) == 8


def _program_card(html: str, program_id: int) -> str:
    """The overview's card of one programme."""
    start = html.index(f'id="program-{program_id}-heading"')
    return html[start:html.index("</section>", start)]


def _exit(db, enrollment, exited_on: date) -> None:
    enrollment.status = EnrollmentStatus.exited
    db.session.add(ExitOutcome(enrollment=enrollment, exited_on=exited_on,
                               outcome="job_unsubsidized"))


def _counting_world(db):
    """Counts with the cases a join can count twice or miss (DOMAIN.md, report definitions).

    Returns (manager, {name: object}); ``today`` is the as-of date of the pages.
    """
    today = date.today()
    day = timedelta(days=1)
    o = factories.org()
    manager = factories.user(Role.manager, o)
    coach = factories.user(Role.coach, o)
    prog = factories.program(o, "Språkstigen")
    c1 = factories.cohort(prog, "Språkstigen 1", starts_on=today - 200 * day)
    c2 = factories.cohort(prog, "Språkstigen 2", starts_on=today - 30 * day)
    factories.cohort(prog, "Språkstigen 3", starts_on=today + 10 * day)  # no enrollments
    c4 = factories.cohort(prog, "Språkstigen 4", starts_on=today + 20 * day)
    amir = factories.participant(o, "Amir")
    # Amir: a leaver in cohort 1, enrolled there again (active), and a leaver of cohort 2
    # exited today: three enrollments of one participant in one programme.
    _exit(db, factories.enrollment(coach, c1, amir, enrolled_on=today - 190 * day),
          today - 100 * day)
    factories.enrollment(coach, c1, amir, enrolled_on=today - 90 * day)
    _exit(db, factories.enrollment(coach, c2, amir, enrolled_on=today - 20 * day), today)
    # An exit dated tomorrow: still active today, though its status says exited.
    _exit(db, factories.enrollment(coach, c1, enrolled_on=today - 180 * day), today + day)
    factories.enrollment(coach, c1, enrolled_on=today - 170 * day)
    factories.enrollment(coach, c1, enrolled_on=today + 5 * day)  # starts in 5 days
    factories.enrollment(coach, c2, enrolled_on=today)  # enrolled today: counts
    _exit(db, factories.enrollment(coach, c2, enrolled_on=today - 25 * day), today - day)
    factories.enrollment(coach, c4, enrolled_on=today + 25 * day)  # only a future one
    empty = factories.program(o, "Tomma programmet")  # no cohorts at all
    resting = factories.program(o, "Vilande")
    r1 = factories.cohort(resting, "Vilande 1", starts_on=today - 60 * day)
    _exit(db, factories.enrollment(coach, r1, enrolled_on=today - 60 * day), today - 10 * day)
    factories.enrollment(coach, r1, enrolled_on=today - 59 * day)
    resting.is_active = False
    # Another organisation: a programme of the same name, leavers and active ones.
    o2 = factories.org()
    coach2 = factories.user(Role.coach, o2)
    other = factories.cohort(factories.program(o2, "Språkstigen"), "Främmande kull",
                             starts_on=today - 200 * day)
    for i in range(4):
        enrollment = factories.enrollment(coach2, other, enrolled_on=today - 150 * day)
        if i % 2:
            _exit(db, enrollment, today - 50 * day)
    db.session.commit()
    return manager, {"program": prog, "empty": empty, "resting": resting}


def test_manager_overview_counts_each_enrollment_once_as_of_today(client, login_as, db):
    manager, w = _counting_world(db)
    login_as(manager)
    html = client.get("/programs").get_data(as_text=True)
    card = _program_card(html, w["program"].id)
    # enrolled, still active, leavers
    assert _cells(card, "Språkstigen 4</a>") == ["0", "0", "0"]
    assert _cells(card, "Språkstigen 3</a>") == ["0", "0", "0"]
    assert _cells(card, "Språkstigen 2</a>") == ["3", "1", "2"]
    assert _cells(card, "Språkstigen 1</a>") == ["4", "3", "1"]
    assert _cells(card, "Alla kullar") == ["7", "4", "3"]
    assert "4 kullar" in card
    assert "Inga kullar än" in _program_card(html, w["empty"].id)
    resting = _program_card(html, w["resting"].id)
    assert _cells(resting, "Vilande 1</a>") == ["2", "1", "1"]
    assert "Alla kullar" not in resting  # one cohort: no totals row
    assert "Främmande kull" not in html
    assert html.count('class="card program-card') == 3
    # The programme page counts its cohorts the same way.
    page = client.get(f"/programs/{w['program'].id}").get_data(as_text=True)
    assert [_cells(page, f"Språkstigen {i}</a>") for i in (4, 3, 2, 1)] == [
        ["0", "0", "0"], ["0", "0", "0"], ["3", "1", "2"], ["4", "3", "1"]]


def test_counts_as_of_an_earlier_date(db):
    manager, w = _counting_world(db)
    org_id, day = manager.organization_id, timedelta(days=1)

    def counts(as_of):
        return {(p.name, c.cohort_name): (c.enrolled, c.leavers)
                for p in program_overview(org_id, as_of) for c in p.cohorts}

    before = counts(date.today() - 150 * day)  # Amir's first exit is still ahead
    assert before[("Språkstigen", "Språkstigen 1")] == (3, 0)
    assert before[("Språkstigen", "Språkstigen 2")] == (0, 0)
    assert before[("Vilande", "Vilande 1")] == (0, 0)
    later = counts(date.today() - 50 * day)
    assert later[("Språkstigen", "Språkstigen 1")] == (4, 1)
    assert counts(date.today() + 30 * day)[("Språkstigen", "Språkstigen 1")] == (5, 2)
    by_org = cohort_summaries(org_id)  # every cohort of the organisation, no programme
    assert [(c.cohort_name, c.enrolled, c.active, c.leavers) for c in by_org] == [
        ("Språkstigen 4", 0, 0, 0), ("Språkstigen 3", 0, 0, 0), ("Språkstigen 2", 3, 1, 2),
        ("Språkstigen 1", 4, 3, 1), ("Vilande 1", 2, 1, 1)]


def test_manager_overview_empty_state(client, login_as, db):
    manager = factories.user(Role.manager)
    login_as(manager)
    html = client.get("/programs").get_data(as_text=True)
    assert "Inga program än" in html
    assert 'href="/programs/new"' in html


def test_attention_settings_link_only_when_the_page_exists(app, client, login_as, world):
    login_as(world["manager1"])
    html = client.get("/programs").get_data(as_text=True)
    exists = "caseload.attention_settings" in app.view_functions
    assert ("Inställningar för uppmärksamhet" in html) is exists
    client.delete_cookie("journey_session")
    login_as(world["admin1"])
    assert "Inställningar för uppmärksamhet" not in client.get("/programs").get_data(
        as_text=True)


def _grow(manager, programs: int, cohorts: int, per_cohort: int) -> None:
    coach = factories.user(Role.coach, manager.organization)
    for _ in range(programs):
        prog = factories.program(manager.organization)
        for _ in range(cohorts):
            fill_cohort(coach, factories.cohort(prog), per_cohort)


def test_manager_overview_query_budget(client, login_as, count_queries, db):
    manager = factories.user(Role.manager)
    login_as(manager)
    _grow(manager, 1, 1, 5)
    with count_queries() as small:
        assert client.get("/programs").status_code == 200
    _grow(manager, 4, 3, 5)
    with count_queries() as large:
        response = client.get("/programs")
    assert response.get_data(as_text=True).count('href="/cohorts/') == 13
    assert small.count == large.count <= 4, large.statements


# --- programme page ---------------------------------------------------------------------


def test_program_page_shows_description_target_steps_and_cohorts(client, login_as, world, db):
    program = world["enr_a"].cohort.program
    program.description = "Drop-in för jobbsökande.\nÖppet alla vardagar."
    program.outcome_target = Decimal("0.625")
    program.step_templates[2].is_retired = True
    db.session.commit()
    login_as(world["manager1"])
    html = client.get(f"/programs/{program.id}").get_data(as_text=True)
    assert "<h1>Jobbpunkt</h1>" in html
    assert "Drop-in för jobbsökande." in html
    assert "62,5\u00a0% av de avslutade" in html
    assert "Aktivt program" in html
    steps = html[html.index('id="step-templates"'):]
    assert [steps.index(n) < steps.index(m) for n, m in (
        ("Profilanalys", "Coachning"), ("Coachning", "Nätverk"), ("Nätverk", "Praktik"))] == [
        True, True, True]
    assert "Ur bruk" in steps and "Använd igen" in steps
    assert f'href="/cohorts/{world["enr_a"].cohort_id}"' in html
    assert _cells(html, "Jobbpunkt HT</a>") == ["2", "2", "0"]


def test_program_page_query_budget(client, login_as, world, count_queries, db):
    program = world["enr_a"].cohort.program
    login_as(world["manager1"])
    with count_queries() as small:
        assert client.get(f"/programs/{program.id}").status_code == 200
    for i in range(5):
        fill_cohort(world["coach_a"], factories.cohort(program, f"Extra {i}"), 6)
    with count_queries() as large:
        assert client.get(f"/programs/{program.id}").status_code == 200
    assert small.count == large.count <= 6, large.statements


# --- new programme ----------------------------------------------------------------------


def test_create_program_without_javascript(client, login_as, world, db):
    login_as(world["manager1"])
    token = page_token(client, "/programs/new")
    response = client.post("/programs/new", data={
        "name": "  Propellern ", "description": "För nyanlända.", "outcome_target": "50",
        "is_active": "y", "csrf_token": token})
    assert response.status_code == 302
    program = db.session.scalars(sa.select(Program).where(Program.name == "Propellern")).one()
    assert response.headers["Location"] == f"/programs/{program.id}"
    assert (program.organization_id, program.description, program.outcome_target,
            program.is_active) == (world["orgs"][0].id, "För nyanlända.", Decimal("0.5"), True)
    [event] = audit("program", AuditAction.create)
    assert (event.object_id, event.participant_id, event.user_id) == (
        program.id, None, world["manager1"].id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Programmet ”Propellern” skapades." in page


def test_admin_creates_an_inactive_program_without_target(client, login_as, world, db):
    login_as(world["admin1"])
    token = page_token(client, "/programs/new")
    response = client.post("/programs/new", data={"name": "Kvinnor för Bäckby",
                                                  "outcome_target": "", "csrf_token": token})
    assert response.status_code == 302
    program = db.session.scalars(sa.select(Program).where(
        Program.name == "Kvinnor för Bäckby")).one()
    assert program.is_active is False and program.outcome_target is None


def _post_invalid(client, url, data, token):
    response = client.post(url, data={**data, "csrf_token": token})
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_create_program_validation_messages(client, login_as, world, db):
    login_as(world["manager1"])
    token = page_token(client, "/programs/new")
    cases = [
        ({"name": ""}, "Ange ett namn."),
        ({"name": "JOBBPUNKT"}, "Organisationen har redan ett program som heter ”JOBBPUNKT”."),
        ({"name": "Nytt", "outcome_target": "150"}, "Målet måste vara mellan 0 och 100 procent."),
        ({"name": "Nytt", "outcome_target": "-5"}, "Målet måste vara mellan 0 och 100 procent."),
        ({"name": "Nytt", "outcome_target": "hälften"}, "Ange målet som ett tal mellan 0 och 100."),
        ({"name": "Nytt", "outcome_target": "33,33"}, "Ange målet med högst en decimal."),
        ({"name": "x" * 201}, "Namnet får vara högst 200 tecken."),
    ]
    for data, message in cases:
        html = _post_invalid(client, "/programs/new", data, token)
        assert message in html, data
        assert "Kontrollera de markerade fälten nedan. Inget sparades." in html
        assert 'aria-invalid="true"' in html
    # The message is tied to its field.
    html = _post_invalid(client, "/programs/new", {"name": "Nytt", "outcome_target": "150"},
                         token)
    field = tag(html, "outcome_target")
    assert re.search(r'aria-describedby="[^"]*outcome_target-error', field)
    assert 'aria-invalid="true"' in field
    assert 'value="150"' in field  # what was typed stays in the field
    assert db.session.scalar(sa.select(sa.func.count(Program.id))) == 2
    assert audit("program") == []


# --- edit programme ---------------------------------------------------------------------


def test_edit_form_shows_the_target_as_a_percentage(client, login_as, world, db):
    program = world["enr_a"].cohort.program
    program.outcome_target = Decimal("0.625")
    db.session.commit()
    login_as(world["manager1"])
    html = client.get(f"/programs/{program.id}/edit").get_data(as_text=True)
    assert 'value="62,5"' in tag(html, "outcome_target")
    assert 'value="Jobbpunkt"' in tag(html, "name")
    assert "checked" in tag(html, "is_active")


def test_edit_program_saves_and_audits(client, login_as, world, db):
    program = world["enr_a"].cohort.program
    login_as(world["manager1"])
    token = page_token(client, f"/programs/{program.id}/edit")
    response = client.post(f"/programs/{program.id}/edit", data={
        "name": "Jobbpunkt Bäckby", "description": "Ny text", "outcome_target": "62,5 %",
        "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/programs/{program.id}"
    db.session.expire_all()
    program = db.session.get(Program, program.id)
    assert (program.name, program.description, program.outcome_target, program.is_active) == (
        "Jobbpunkt Bäckby", "Ny text", Decimal("0.625"), False)
    [event] = audit("program", AuditAction.update)
    assert event.detail == "changed: name, description, is_active, outcome_target"
    assert event.participant_id is None
    assert "Programmet sparades." in client.get(f"/programs/{program.id}").get_data(
        as_text=True)


def test_saving_an_unchanged_program_writes_nothing(client, login_as, world, db):
    program = world["enr_a"].cohort.program
    login_as(world["manager1"])
    token = page_token(client, f"/programs/{program.id}/edit")
    response = client.post(f"/programs/{program.id}/edit", data={
        "name": "Jobbpunkt", "description": "", "outcome_target": "", "is_active": "y",
        "csrf_token": token}, follow_redirects=True)
    assert "Inget ändrades." in response.get_data(as_text=True)
    assert audit("program") == []


def test_edit_program_refuses_a_taken_name(client, login_as, world, db):
    factories.program(world["orgs"][0], "Propellern")
    program = world["enr_a"].cohort.program
    db.session.commit()
    login_as(world["manager1"])
    token = page_token(client, f"/programs/{program.id}/edit")
    html = _post_invalid(client, f"/programs/{program.id}/edit",
                         {"name": "propellern", "is_active": "y"}, token)
    assert "Organisationen har redan ett program som heter ”propellern”." in html
    db.session.expire_all()
    assert db.session.get(Program, program.id).name == "Jobbpunkt"
    assert audit("program") == []
