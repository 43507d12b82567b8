"""The coach workflow end to end in a real browser, every page and state checked with axe.

Intake → enrollment → step changes → activities with attendance → a plan item →
the exit with its outcome → the first follow-up, then everything again after a
reload and in the database. The enrollment page's sections change in place with
htmx: a marker on ``window`` shows that no full page load happened.
"""

import re
from datetime import date, timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from journey.activities.models import Activity
from journey.enums import (
    ActivityKind,
    Attendance,
    BirthRegion,
    EducationLevel,
    EnrollmentStatus,
    FollowUpSource,
    FollowUpStatus,
    Gender,
    IdKind,
    IncomeSource,
    LabourStatus,
    Outcome,
    PlanOwner,
    Role,
    StepStatus,
    SwedishLevel,
)
from journey.journeys.models import PlanItem
from journey.outcomes.models import ExitOutcome, FollowUp
from journey.participants.models import Enrollment, Participant
from tests import factories
from tests.e2e.workflow_helpers import (
    assert_no_navigation,
    log_in,
    mark_window,
    personnummer,
    wait_for_htmx,
)

BORN = date(1991, 4, 23)
PLAN_TITLE = "Skicka tre ansökningar till lagerjobb"


def _coach_and_cohort(db):
    """An organisation with a coach and a programme whose cohort began 200 days ago."""
    organization = factories.org("Kommun Norr")
    coach = factories.user(Role.coach, organization, name="Karin Coach")
    factories.user(Role.coach, organization, name="Olle Kollega")
    program = factories.program(organization, "Jobbspår")
    cohort = factories.cohort(program, "Jobbspår VT",
                              starts_on=date.today() - timedelta(days=200))
    db.session.commit()
    return coach, cohort


def _fill_intake(form, national_id: str):
    form.get_by_label("Förnamn", exact=True).fill("Hodan")
    form.get_by_label("Efternamn", exact=True).fill("Warsame")
    form.get_by_label("Typ av ID-nummer").select_option(IdKind.personnummer.value)
    form.get_by_label("ID-nummer", exact=True).fill(national_id)
    form.get_by_label("Kön").select_option(Gender.woman.value)
    form.get_by_label("Födelseregion").select_option(BirthRegion.outside_europe.value)
    form.get_by_label("År för ankomst till Sverige").fill("2016")
    form.get_by_label("Utbildning").select_option(EducationLevel.upper_secondary.value)
    form.get_by_label("Svenska", exact=True).select_option(SwedishLevel.sfi_c.value)
    form.get_by_label("Bostadsområde").fill("Bäckby")
    form.get_by_label("Telefon").fill("070-123 45 67")


def test_coach_full_journey(page, db, axe_check, screenshot):
    today = date.today()
    coach, cohort = _coach_and_cohort(db)
    coach_id, cohort_id = coach.id, cohort.id
    national_id = personnummer(BORN, woman=True)
    enrolled_on = today - timedelta(days=190)
    activity_on = today - timedelta(days=150)
    missed_on = today - timedelta(days=140)
    exited_on = today - timedelta(days=120)

    # -- log in and open the participant list ------------------------------------------
    log_in(page, coach)
    expect(page).to_have_url(re.compile(r"/caseload$"))
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Deltagare", exact=True).click()
    expect(page).to_have_url(re.compile(r"/participants$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Deltagare")
    screenshot(page, "01-participants")
    axe_check(page)

    # -- intake ------------------------------------------------------------------------
    page.locator(".page-head").get_by_role("link", name="Registrera en ny deltagare").click()
    expect(page).to_have_url(re.compile(r"/participants/new$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrera en ny deltagare")
    screenshot(page, "02-intake-empty")
    axe_check(page)

    form = page.locator("form.participant-form")
    _fill_intake(form, national_id)
    screenshot(page, "03-intake-filled")
    form.get_by_role("button", name="Registrera deltagaren").click()

    expect(page).to_have_url(re.compile(r"/participants/\d+$"))
    participant_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text("Hodan Warsame")
    expect(page.locator("#flash")).to_contain_text(
        "Hodan Warsame är registrerad. Nästa steg: skriv in deltagaren i en kull.")
    # The number is masked on the record, and never in the address.
    expect(page.locator("main")).to_contain_text(f"{BORN:%Y%m%d}-****")
    expect(page.locator("main")).not_to_contain_text(national_id)
    assert national_id[-4:] not in page.url
    expect(page.locator("main")).to_contain_text(BORN.isoformat())
    screenshot(page, "04-participant")
    axe_check(page)

    # -- enrollment --------------------------------------------------------------------
    page.locator(".page-head").get_by_role("link", name="Skriv in i kull").click()
    expect(page).to_have_url(re.compile(rf"/participants/{participant_id}/enroll$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Skriv in Hodan Warsame")
    enroll_form = page.locator("form.participant-form")
    # A coach enrolls into their own caseload by default.
    expect(enroll_form.get_by_label("Coach")).to_have_value(str(coach_id))
    screenshot(page, "05-enroll-form")
    axe_check(page)

    enroll_form.get_by_label("Kull").select_option(str(cohort_id))
    enroll_form.get_by_label("Inskriven").fill(enrolled_on.isoformat())
    enroll_form.get_by_label("Situation vid inskrivning").select_option(
        LabourStatus.unemployed.value)
    enroll_form.get_by_label("Månader utan arbete vid inskrivning").fill("14")
    enroll_form.get_by_label("Inkomst vid inskrivning").select_option(
        IncomeSource.social_assistance.value)
    enroll_form.get_by_label("Coach").select_option(str(coach_id))
    enroll_form.get_by_role("button", name="Skriv in", exact=True).click()

    expect(page).to_have_url(re.compile(r"/enrollments/\d+$"))
    enrollment_id = int(page.url.rsplit("/", 1)[1])
    enrollment_url = re.compile(rf"/enrollments/{enrollment_id}$")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hodan Warsame")
    expect(page.locator("#flash")).to_contain_text("Hodan Warsame är inskriven i Jobbspår VT.")
    expect(page.locator("#entry-heading + dl")).to_contain_text(enrolled_on.isoformat())
    wait_for_htmx(page)
    screenshot(page, "06-enrollment")
    axe_check(page)

    # -- steps, in place ---------------------------------------------------------------
    mark_window(page)
    steps = page.locator("#steps > li.step")
    expect(steps).to_have_count(len(factories.DEFAULT_STEPS))
    first, second = steps.nth(0), steps.nth(1)

    first.get_by_label("Status för ”Profilanalys”").select_option(StepStatus.done.value)
    first.get_by_role("button", name="Spara").click()
    expect(first.locator(".badge")).to_have_text("Klar")
    expect(first.get_by_role("status")).to_contain_text("”Profilanalys” är nu: Klar")

    second.get_by_label("Status för ”Coachning”").select_option(StepStatus.in_progress.value)
    second.get_by_role("button", name="Spara").click()
    expect(second.locator(".badge")).to_have_text("Pågår")
    expect(second.get_by_role("status")).to_contain_text("”Coachning” är nu: Pågår")
    assert_no_navigation(page)
    expect(page).to_have_url(enrollment_url)
    screenshot(page, "07-steps-changed")
    axe_check(page)

    # -- activities: one attended, one planned then marked with the quick buttons ------
    activities = page.locator("#activities")
    activities.get_by_text("Lägg till en aktivitet").click()
    add = activities.locator("form").first
    add.get_by_label("Typ av aktivitet").select_option(ActivityKind.coaching.value)
    add.get_by_label("Datum").fill(activity_on.isoformat())
    add.get_by_label("Längd i minuter").fill("45")
    add.get_by_label("Närvaro").select_option(Attendance.attended.value)
    add.get_by_label("Anteckning (bara för personal)").fill("Genomgång av cv")
    screenshot(page, "08-activity-form")
    axe_check(page)
    add.get_by_role("button", name="Lägg till aktivitet").click()

    activities = page.locator("#activities")
    expect(activities.get_by_role("status")).to_contain_text("Aktiviteten har lagts till.")
    past = activities.locator("ul[aria-labelledby='activities-past'] > li")
    expect(past).to_have_count(1)
    expect(past.first).to_contain_text(activity_on.isoformat())
    expect(past.first).to_contain_text("Coachningssamtal")
    expect(past.first.locator(".badge")).to_have_text("Närvarande")
    assert_no_navigation(page)

    activities.get_by_text("Lägg till en aktivitet").click()
    add = activities.locator("form").first
    add.get_by_label("Typ av aktivitet").select_option(ActivityKind.network_meeting.value)
    add.get_by_label("Datum").fill(missed_on.isoformat())
    add.get_by_label("Längd i minuter").fill("60")
    add.get_by_label("Närvaro").select_option(Attendance.planned.value)
    add.get_by_role("button", name="Lägg till aktivitet").click()
    activities = page.locator("#activities")
    past = activities.locator("ul[aria-labelledby='activities-past'] > li")
    expect(past).to_have_count(2)
    planned = past.filter(has_text="Nätverksträff")
    expect(planned.locator(".badge")).to_have_text("Planerad")

    planned.get_by_role("button", name=re.compile(r"^Uteblev")).click()
    missed = page.locator("#activities ul[aria-labelledby='activities-past'] > li").filter(
        has_text="Nätverksträff")
    expect(missed.locator(".badge")).to_have_text("Uteblev")
    expect(missed.get_by_role("status")).to_be_visible()
    assert_no_navigation(page)
    screenshot(page, "09-activities")
    axe_check(page)

    # -- a plan item, added and ticked off in place ------------------------------------
    plan = page.locator("#plan")
    plan.get_by_label("Vad ska göras").fill(PLAN_TITLE)
    plan.get_by_label("Klart senast (valfritt)").fill((today + timedelta(days=7)).isoformat())
    plan.get_by_label("Vem gör det").select_option(PlanOwner.participant.value)
    plan.get_by_role("button", name="Lägg till", exact=True).click()
    item = page.locator("#plan li.plan-item").filter(has_text=PLAN_TITLE)
    expect(item).to_have_count(1)
    toggle = item.get_by_role("button", name=f"Klar: {PLAN_TITLE}")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    screenshot(page, "10-plan-item-added")
    axe_check(page)

    toggle.click()
    item = page.locator("#plan li.plan-item").filter(has_text=PLAN_TITLE)
    expect(item.get_by_role("button", name=f"Klar: {PLAN_TITLE}")).to_have_attribute(
        "aria-pressed", "true")
    expect(item).to_contain_text(f"Klar {today.isoformat()}")
    assert_no_navigation(page)
    screenshot(page, "11-plan-item-done")
    axe_check(page)

    # -- the exit ----------------------------------------------------------------------
    exit_section = page.locator("#exit")
    exit_section.get_by_role("link", name="Registrera avslut").click()
    exit_form = page.locator("#exit form.exit-form")
    expect(exit_form).to_be_visible()
    assert_no_navigation(page)
    screenshot(page, "12-exit-form")
    axe_check(page)

    exit_form.get_by_label("Avslutsdatum").fill(exited_on.isoformat())
    exit_form.get_by_label("Arbete utan stöd").check()
    exit_form.get_by_label("Arbetsgivare eller företag").fill("Lagerhuset AB")
    exit_form.get_by_label("Yrke").fill("Lagerarbetare")
    exit_form.get_by_label("Timmar per vecka").fill("40")
    exit_form.get_by_role("button", name="Spara avslut").click()

    exit_section = page.locator("#exit")
    expect(exit_section.locator(".outcome-headline")).to_contain_text("Arbete utan stöd")
    expect(exit_section).to_contain_text("Lagerhuset AB")
    expect(exit_section).to_contain_text(exited_on.isoformat())
    follow_ups = exit_section.locator("ol.follow-ups > li")
    expect(follow_ups).to_have_count(3)
    three_months = follow_ups.nth(0)
    expect(three_months.get_by_role("heading")).to_have_text("Efter 3 månader")
    expect(three_months.locator(".badge")).to_have_text("Dags att följa upp")
    expect(follow_ups.nth(1).locator(".badge")).to_have_text("Kommande")
    assert_no_navigation(page)
    screenshot(page, "13-exit-recorded")
    axe_check(page)

    # -- the 3-month follow-up ---------------------------------------------------------
    three_months.get_by_role("link", name="Registrera uppföljning efter 3 månader").click()
    fu_form = page.locator("#exit form.follow-up-form")
    expect(fu_form).to_be_visible()
    expect(fu_form.get_by_label("Datum för uppföljningen")).to_have_value(today.isoformat())
    screenshot(page, "14-follow-up-form")
    axe_check(page)

    fu_form.get_by_label("Situation vid uppföljningen").select_option(
        FollowUpStatus.employed.value)
    fu_form.get_by_label("Källa").select_option(FollowUpSource.self_report.value)
    fu_form.get_by_role("button", name="Spara uppföljning").click()
    three_months = page.locator("#exit ol.follow-ups > li").nth(0)
    expect(three_months.locator(".badge")).to_have_text("Registrerad")
    expect(three_months).to_contain_text("Egen uppgift")
    expect(three_months.get_by_role("status")).to_be_visible()
    assert_no_navigation(page)
    expect(page).to_have_url(enrollment_url)
    screenshot(page, "15-follow-up-recorded")
    axe_check(page)

    # -- everything is still there after a reload --------------------------------------
    page.reload()
    assert page.evaluate("typeof window.__workflowMarker") == "undefined"
    expect(page.locator(".page-head")).to_contain_text("Avslutad")
    steps = page.locator("#steps > li.step")
    expect(steps.nth(0).locator(".badge")).to_have_text("Klar")
    expect(steps.nth(1).locator(".badge")).to_have_text("Pågår")
    expect(steps.nth(2).locator(".badge")).to_have_text("Ej påbörjad")
    past = page.locator("#activities ul[aria-labelledby='activities-past'] > li")
    expect(past).to_have_count(2)
    expect(past.filter(has_text="Coachningssamtal").locator(".badge")).to_have_text(
        "Närvarande")
    expect(past.filter(has_text="Nätverksträff").locator(".badge")).to_have_text("Uteblev")
    item = page.locator("#plan li.plan-item").filter(has_text=PLAN_TITLE)
    expect(item.get_by_role("button", name=f"Klar: {PLAN_TITLE}")).to_have_attribute(
        "aria-pressed", "true")
    expect(page.locator("#exit .outcome-headline")).to_contain_text("Arbete utan stöd")
    expect(page.locator("#exit ol.follow-ups > li").nth(0).locator(".badge")).to_have_text(
        "Registrerad")
    # The section summaries, fresh from the server.
    expect(page.locator("#activities .activities-head")).to_contain_text("1 av 2 (50 %)")
    expect(page.locator("#plan .section-head")).to_contain_text("0 öppna punkter · 1 klar")
    screenshot(page, "16-enrollment-reloaded")
    axe_check(page)
    # On a narrow phone screen the whole page fits without sideways scrolling.
    page.set_viewport_size({"width": 360, "height": 740})
    screenshot(page, "16b-enrollment-narrow")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 800})

    # -- the participant list finds her by name (live) and by ID number (posted) -------
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Deltagare", exact=True).click()
    wait_for_htmx(page)
    mark_window(page)
    page.get_by_label("Sök på namn eller ID-nummer").press_sequentially("Wars")
    results = page.locator("#participant-results")
    expect(results.get_by_role("status")).to_contain_text("Wars")
    expect(results.get_by_role("link", name="Warsame, Hodan")).to_be_visible()
    expect(results.locator("tbody tr")).to_contain_text("Jobbspår VT")
    expect(results.locator("tbody tr")).to_contain_text("Avslutad")
    expect(page).to_have_url(re.compile(r"/participants\?q=Wars$"))
    assert_no_navigation(page)
    screenshot(page, "17-search-by-name")
    axe_check(page)

    search = page.get_by_label("Sök på namn eller ID-nummer")
    search.fill(national_id)
    page.get_by_role("search").get_by_role("button", name="Sök").click()
    expect(results.get_by_role("status")).to_contain_text(f"{BORN:%Y%m%d}-****")
    expect(results.get_by_role("link", name="Warsame, Hodan")).to_be_visible()
    expect(results).not_to_contain_text(national_id)
    assert not re.search(r"\d{4}", page.url.split("/participants", 1)[1]), page.url
    screenshot(page, "18-search-by-id-number")
    axe_check(page)
    results.get_by_role("link", name="Warsame, Hodan").click()
    expect(page).to_have_url(re.compile(rf"/participants/{participant_id}$"))
    expect(page.locator("main table")).to_contain_text("Jobbspår VT")
    axe_check(page)

    # -- and in the database -----------------------------------------------------------
    db.session.expire_all()
    participant = db.session.get(Participant, participant_id)
    assert (participant.first_name, participant.last_name) == ("Hodan", "Warsame")
    assert participant.national_id == national_id.replace("-", "")
    assert participant.id_kind == IdKind.personnummer
    assert participant.birth_date == BORN
    assert participant.gender == Gender.woman
    assert participant.birth_region == BirthRegion.outside_europe
    assert participant.arrival_year == 2016
    assert participant.education_level == EducationLevel.upper_secondary
    assert participant.swedish_level == SwedishLevel.sfi_c
    assert participant.district == "Bäckby"

    enrollment = db.session.get(Enrollment, enrollment_id)
    assert enrollment.participant_id == participant_id
    assert enrollment.cohort_id == cohort_id
    assert enrollment.coach_id == coach_id
    assert enrollment.enrolled_on == enrolled_on
    assert enrollment.labour_status_at_entry == LabourStatus.unemployed
    assert enrollment.unemployed_months_at_entry == 14
    assert enrollment.income_at_entry == IncomeSource.social_assistance
    assert enrollment.status == EnrollmentStatus.exited
    statuses = [s.status for s in sorted(enrollment.steps, key=lambda s: s.position)]
    assert statuses == [StepStatus.done, StepStatus.in_progress,
                        StepStatus.not_started, StepStatus.not_started]

    acts = db.session.scalars(sa.select(Activity).where(Activity.enrollment_id == enrollment_id)
                              .order_by(Activity.date)).all()
    assert [(a.kind, a.date, a.attendance, a.group_session_id) for a in acts] == [
        (ActivityKind.coaching, activity_on, Attendance.attended, None),
        (ActivityKind.network_meeting, missed_on, Attendance.no_show, None),
    ]
    assert acts[0].duration_minutes == 45 and acts[0].note == "Genomgång av cv"

    items = db.session.scalars(sa.select(PlanItem)
                               .where(PlanItem.enrollment_id == enrollment_id)).all()
    assert [(i.title, i.owner, i.done_on) for i in items] == [
        (PLAN_TITLE, PlanOwner.participant, today)]

    exit_outcome = db.session.scalars(
        sa.select(ExitOutcome).where(ExitOutcome.enrollment_id == enrollment_id)).one()
    assert exit_outcome.outcome == Outcome.job_unsubsidized
    assert exit_outcome.exited_on == exited_on
    assert (exit_outcome.employer, exit_outcome.occupation, exit_outcome.hours_per_week) == (
        "Lagerhuset AB", "Lagerarbetare", 40)

    follow_up_rows = db.session.scalars(
        sa.select(FollowUp).where(FollowUp.enrollment_id == enrollment_id)
        .order_by(FollowUp.months_after)).all()
    assert [f.months_after for f in follow_up_rows] == [3, 6, 12]
    recorded = follow_up_rows[0]
    assert (recorded.status, recorded.source, recorded.recorded_on) == (
        FollowUpStatus.employed, FollowUpSource.self_report, today)
    assert all(f.recorded_on is None and f.status is None for f in follow_up_rows[1:])


def test_intake_of_an_existing_person_shows_the_existing_record(page, db, axe_check,
                                                                  screenshot):
    coach, cohort = _coach_and_cohort(db)
    colleague = factories.user(Role.coach, coach.organization, name="Sara Kollega")
    mine_id = personnummer(BORN, serial="47", woman=True)
    theirs_id = personnummer(date(1988, 11, 2), serial="61", woman=False)
    mine = factories.enrollment(
        coach, cohort, first_name="Hodan", last_name="Warsame", id_kind=IdKind.personnummer,
        national_id=mine_id.replace("-", ""), birth_date=BORN, gender=Gender.woman,
    ).participant
    factories.enrollment(
        colleague, cohort, first_name="Ahmed", last_name="Nur", id_kind=IdKind.personnummer,
        national_id=theirs_id.replace("-", ""), birth_date=date(1988, 11, 2), gender=Gender.man)
    db.session.commit()
    mine_id_db = mine.id

    log_in(page, coach)
    expect(page).to_have_url(re.compile(r"/caseload$"))

    # Another coach's participant: no link, but whom to ask.
    page.goto("/participants/new")
    form = page.locator("form.participant-form")
    _fill_intake(form, theirs_id)
    form.get_by_label("Kön").select_option(Gender.man.value)
    form.get_by_role("button", name="Registrera deltagaren").click()
    notice = page.locator("#duplicate-notice")
    expect(notice.get_by_role("heading")).to_have_text("Personen är redan registrerad")
    expect(notice).to_contain_text("Ingen ny deltagare skapades.")
    expect(notice).to_contain_text("Sara Kollega")
    expect(notice.get_by_role("link")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Ahmed")
    screenshot(page, "duplicate-other-coach")
    axe_check(page)

    # The coach's own participant, with another spelling of the first name: the number
    # alone identifies the person, and the notice links to the record.
    page.goto("/participants/new")
    form = page.locator("form.participant-form")
    _fill_intake(form, mine_id)
    form.get_by_label("Förnamn", exact=True).fill("Hudan")
    form.get_by_role("button", name="Registrera deltagaren").click()
    notice = page.locator("#duplicate-notice")
    expect(notice.get_by_role("heading")).to_have_text("Personen är redan registrerad")
    expect(notice).to_contain_text("Ingen ny deltagare skapades.")
    expect(page).to_have_url(re.compile(r"/participants/new$"))
    screenshot(page, "duplicate-own")
    axe_check(page)

    notice.get_by_role("link", name="Öppna den befintliga deltagaren").click()
    expect(page).to_have_url(re.compile(rf"/participants/{mine_id_db}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hodan Warsame")
    axe_check(page)

    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 2
