"""A coach records a group session for ten participants in a real browser.

One form, one attendance choice per participant; the save and the later
correction are boosted by htmx (the page is swapped, not reloaded). Another
coach's participant in the same cohort is never listed and gets nothing.
"""

import re
from datetime import date, timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from journey.activities.models import Activity
from journey.cohorts.models import GroupSession
from journey.enums import ActivityKind, Attendance, Role
from tests import factories
from tests.e2e.workflow_helpers import assert_no_navigation, log_in, mark_window, wait_for_htmx

# Ten participants of the coach, by (first, last) name; the roster is sorted by last name.
NAMES = [
    ("Amal", "Abdi"), ("Björn", "Berglund"), ("Chiara", "Conti"), ("Dawit", "Desta"),
    ("Elif", "Erdem"), ("Farah", "Farouk"), ("Goran", "Gavric"), ("Hanna", "Holm"),
    ("Idris", "Ibrahim"), ("Jamila", "Jama"),
]
NO_SHOW = "Dawit Desta"
CANCELLED = "Hanna Holm"
OTHER_COACHS = "Ulla Utanför"
TITLE = "CV-verkstad"


def _world(db):
    organization = factories.org("Kommun Syd")
    coach = factories.user(Role.coach, organization, name="Karin Coach")
    colleague = factories.user(Role.coach, organization, name="Sara Kollega")
    program = factories.program(organization, "Jobbspår")
    cohort = factories.cohort(program, "Jobbspår HT", starts_on=date.today() - timedelta(days=30))
    enrollments = {
        f"{first} {last}": factories.enrollment(coach, cohort, first_name=first, last_name=last)
        for first, last in NAMES
    }
    other = factories.enrollment(colleague, cohort, first_name="Ulla", last_name="Utanför")
    db.session.commit()
    return coach, cohort, {name: e.id for name, e in enrollments.items()}, other.id


def _row(page, name):
    return page.locator("fieldset.roster-row").filter(
        has=page.locator("legend", has_text=name))


def test_group_attendance_for_ten(page, db, axe_check, screenshot):
    today = date.today()
    coach, cohort, enrollment_ids, other_id = _world(db)
    cohort_id = cohort.id

    log_in(page, coach)
    expect(page).to_have_url(re.compile(r"/caseload$"))
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Gruppaktiviteter").click()
    expect(page).to_have_url(re.compile(r"/group-sessions$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Gruppaktiviteter")
    picker = page.locator(".cohort-picker")
    # The count is of the coach's own participants, not the whole cohort.
    expect(picker.locator("li").filter(has_text="Jobbspår HT")).to_contain_text(
        "10 av dina deltagare")
    screenshot(page, "01-group-sessions")
    axe_check(page)

    picker.get_by_role("link", name="Jobbspår HT").click()
    expect(page).to_have_url(re.compile(rf"/cohorts/{cohort_id}/group-sessions/new$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny gruppaktivitet")
    rows = page.locator("fieldset.roster-row")
    expect(rows).to_have_count(10)
    expect(rows.locator("legend")).to_have_text(
        [re.compile(rf"^\s*{first} {last}\s*$") for first, last in NAMES])
    expect(page.locator("main")).not_to_contain_text(OTHER_COACHS)
    # For a session today everyone starts as attended.
    for first, last in NAMES:
        expect(_row(page, f"{first} {last}").get_by_label("Närvarande")).to_be_checked()
    wait_for_htmx(page)
    screenshot(page, "02-new-session-form")
    axe_check(page)

    form = page.locator("form.group-session-form")
    form.get_by_label("Rubrik").fill(TITLE)
    form.get_by_label("Typ av aktivitet").select_option(ActivityKind.workshop.value)
    form.get_by_label("Datum").fill(today.isoformat())
    form.get_by_label("Längd i minuter").fill("90")
    _row(page, NO_SHOW).get_by_label("Uteblev").check()
    _row(page, CANCELLED).get_by_label("Inställd").check()
    screenshot(page, "03-new-session-filled")
    mark_window(page)
    form.get_by_role("button", name="Spara gruppaktiviteten").click()

    expect(page).to_have_url(re.compile(r"/group-sessions/\d+\?saved=created$"))
    session_id = int(re.search(r"/group-sessions/(\d+)", page.url).group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("#group-session-page").get_by_role("status")).to_have_text(
        "Gruppaktiviteten har sparats.")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(today.isoformat())
    expect(facts).to_contain_text("Workshop")
    expect(facts).to_contain_text("90 minuter")
    expect(facts).to_contain_text("8 av 10 deltog")
    expect(_row(page, NO_SHOW).get_by_label("Uteblev")).to_be_checked()
    expect(_row(page, CANCELLED).get_by_label("Inställd")).to_be_checked()
    expect(_row(page, "Amal Abdi").get_by_label("Närvarande")).to_be_checked()
    expect(page.locator("main")).not_to_contain_text(OTHER_COACHS)
    assert_no_navigation(page)
    screenshot(page, "04-session-saved")
    axe_check(page)

    db.session.expire_all()
    session = db.session.get(GroupSession, session_id)
    assert (session.cohort_id, session.title, session.kind, session.date,
            session.duration_minutes) == (cohort_id, TITLE, ActivityKind.workshop, today, 90)
    activities = db.session.scalars(
        sa.select(Activity).where(Activity.group_session_id == session_id)).all()
    by_enrollment = {a.enrollment_id: a for a in activities}
    assert set(by_enrollment) == set(enrollment_ids.values())
    expected = {name: Attendance.attended for name in enrollment_ids}
    expected[NO_SHOW] = Attendance.no_show
    expected[CANCELLED] = Attendance.cancelled
    assert {name: by_enrollment[eid].attendance for name, eid in enrollment_ids.items()} == \
        expected
    assert {(a.kind, a.date, a.duration_minutes) for a in activities} == {
        (ActivityKind.workshop, today, 90)}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)
                             .where(Activity.enrollment_id == other_id)) == 0

    # Correct it: the cancelled participant was in fact never invited.
    _row(page, CANCELLED).get_by_label("Inte inbjuden").check()
    page.get_by_role("button", name="Spara närvaron").click()
    expect(page).to_have_url(re.compile(rf"/group-sessions/{session_id}\?saved=updated$"))
    expect(page.locator("#group-session-page").get_by_role("status")).to_have_text(
        "Närvaron har sparats.")
    expect(page.locator("dl.facts")).to_contain_text("8 av 9 deltog")
    expect(_row(page, CANCELLED).get_by_label("Inte inbjuden")).to_be_checked()
    assert_no_navigation(page)
    screenshot(page, "05-attendance-corrected")
    axe_check(page)

    # Narrow phone screen: the roster still fits without sideways scrolling.
    page.set_viewport_size({"width": 360, "height": 740})
    screenshot(page, "05b-attendance-narrow")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 800})

    # The list shows the session with its attendance.
    page.get_by_role("link", name="Gruppaktiviteter").first.click()
    expect(page).to_have_url(re.compile(r"/group-sessions$"))
    row = page.locator("table.group-sessions tbody tr").filter(has_text=TITLE)
    expect(row).to_contain_text("8 av 9 deltog")
    expect(row).to_contain_text("Jobbspår HT")
    screenshot(page, "06-group-sessions-list")
    axe_check(page)

    db.session.expire_all()
    activities = db.session.scalars(
        sa.select(Activity).where(Activity.group_session_id == session_id)).all()
    assert len(activities) == 9
    assert enrollment_ids[CANCELLED] not in {a.enrollment_id for a in activities}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)
                             .where(Activity.enrollment_id == other_id)) == 0
