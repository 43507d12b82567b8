"""Long histories in a real browser: earlier activities page in, the attention list pages.

The enrollment page shows the latest five earlier activities and loads the rest 15 at
a time in place; the caseload shows the 8 most pressing of a long attention list and
links to the whole list. Each state is checked with axe and for CSP violations.
"""

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from journey.enums import Attendance
from tests import factories
from tests.e2e.workflow_helpers import assert_no_navigation, log_in, mark_window, wait_for_htmx

YESTERDAY = date.today() - timedelta(days=1)


def test_earlier_activities_load_in_place_with_focus_on_the_first_new_one(
        page, world, db, axe_check, screenshot):
    enr = world["enr_a"]
    for i in range(40):
        factories.activity(enr, on=YESTERDAY - timedelta(days=2 * i),
                           attendance=Attendance.no_show if i % 5 == 0 else Attendance.attended,
                           note=f"Möte nummer {i + 1}")
    db.session.commit()
    log_in(page, world["coach_a"])
    page.goto(f"/enrollments/{enr.id}#activities")
    wait_for_htmx(page)
    past = page.locator("#activities-past-list > li")
    expect(past).to_have_count(5)
    more = page.get_by_role("link", name="Visa tidigare aktiviteter (35 till)")
    expect(more).to_be_visible()
    screenshot(page, "enrollment-latest-5")
    axe_check(page)

    mark_window(page)
    more.focus()
    page.keyboard.press("Enter")
    expect(past).to_have_count(20)
    assert_no_navigation(page)
    # The first of the new rows has the focus, so the keyboard carries on from there.
    expect(past.nth(5)).to_be_focused()
    expect(past.nth(5)).to_contain_text("Möte nummer 6")
    page.get_by_role("link", name="Visa tidigare aktiviteter (20 till)").click()
    expect(past).to_have_count(35)
    expect(past.nth(20)).to_be_focused()
    page.get_by_role("link", name="Visa tidigare aktiviteter (5 till)").click()
    expect(past).to_have_count(40)
    expect(page.locator("#activities-more a")).to_have_count(0)
    expect(past.nth(39)).to_contain_text("Möte nummer 40")
    screenshot(page, "enrollment-all-40")
    axe_check(page)

    # The same list as a page of its own (the link's target without JavaScript).
    page.goto(f"/enrollments/{enr.id}/activities/earlier?page=3")
    expect(page.locator("ul.activity-list > li")).to_have_count(10)
    screenshot(page, "earlier-page-3")
    axe_check(page)
    page.goto(f"/enrollments/{enr.id}#activities")
    wait_for_htmx(page)
    mark_window(page)
    for shown in (20, 35, 40):
        page.locator("#activities-more a").click()
        expect(past).to_have_count(shown)

    # A row loaded later works like the others: meeting 36 (a no-show) was attended after all.
    expect(page.locator("#activity-summary")).to_contain_text("Närvaro hittills: 32 av 40")
    late_row = past.nth(35)
    expect(late_row).to_contain_text("Möte nummer 36")
    late_row.get_by_role("button", name=re.compile("^Närvarande")).click()
    expect(page.locator("#activity-summary")).to_contain_text("Närvaro hittills: 33 av 40")
    assert_no_navigation(page)


def test_earlier_activities_without_javascript(new_context, world, db, screenshot):
    enr = world["enr_a"]
    for i in range(20):
        factories.activity(enr, on=YESTERDAY - timedelta(days=i), note=f"Möte {i + 1}")
    db.session.commit()
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, world["coach_a"])
    page.goto(f"/enrollments/{enr.id}")
    expect(page.locator("#activities-past-list > li")).to_have_count(5)
    page.get_by_role("link", name="Visa tidigare aktiviteter (15 till)").click()
    # The first page of its own: the latest fifteen, the five of the section among them.
    expect(page.get_by_role("heading", level=1)).to_have_text("Tidigare aktiviteter")
    expect(page.locator("ul.activity-list > li")).to_have_count(15)
    expect(page.get_by_text("Visar 1–15 av 20, senaste först.")).to_be_visible()
    screenshot(page, "earlier-page-no-js")
    page.get_by_role("link", name="Äldre aktiviteter").click()
    expect(page.locator("ul.activity-list > li")).to_have_count(5)
    expect(page.get_by_text("Visar 16–20 av 20, senaste först.")).to_be_visible()
    page.get_by_role("link", name="Nyare aktiviteter").click()
    expect(page.locator("ul.activity-list > li")).to_have_count(15)


def test_long_attention_list_has_a_page_of_its_own(page, world, db, axe_check, screenshot):
    coach = world["coach_a"]
    cohort = world["enr_a"].cohort
    # Open enrollments with no contact for two months: each needs attention.
    for i in range(60):
        factories.enrollment(coach, cohort, first_name=f"Person{i:02d}", last_name="Test",
                             enrolled_on=date.today() - timedelta(days=60))
    db.session.commit()
    log_in(page, coach)
    page.goto("/caseload")
    expect(page.locator(".attention-list > li")).to_have_count(8)
    link = page.get_by_role("link", name=re.compile(r"^Visa alla \d+ deltagare som behöver"))
    expect(link).to_be_visible()
    total = int(re.search(r"\d+", link.inner_text()).group())
    assert total >= 60
    screenshot(page, "caseload-attention-8")
    axe_check(page)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Behöver uppmärksamhet")
    expect(page.locator(".attention-list > li")).to_have_count(50)
    wait_for_htmx(page)
    mark_window(page)
    page.get_by_role("link", name="Nästa sida").click()
    expect(page.locator(".attention-list > li")).to_have_count(total - 50)
    assert_no_navigation(page)
    screenshot(page, "attention-page-2")
    axe_check(page)
