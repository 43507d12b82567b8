"""The main journeys of each role in a real browser, each page checked with axe-core.

The ``world`` fixture commits its data, so the live server (another thread,
another DB session) sees it.
"""

import re

import pytest
from playwright.sync_api import expect

from journey.enums import StepStatus
from journey.journeys.models import JourneyStep
from tests.factories import PASSWORD


def log_in(page, user, password=PASSWORD):
    page.goto("/login")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def wait_for_htmx(page):
    # htmx is a deferred script: only once it has run does a submit become a swap.
    page.wait_for_load_state("load")
    page.wait_for_function("() => typeof window.htmx !== 'undefined'")


def test_login_page_is_accessible_also_with_an_error(page, world, axe_check, screenshot):
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in i Journey")
    screenshot(page, "login")
    axe_check(page)

    log_in(page, world["coach_a"], password="not-the-password")
    expect(page.locator("#flash")).to_contain_text("Fel e-postadress eller lösenord")
    expect(page).to_have_url(re.compile(r"/login$"))
    screenshot(page, "login-error")
    axe_check(page)


def test_coach_changes_a_step_in_place_with_htmx(page, world, db, axe_check, screenshot):
    enr = world["enr_a"]
    step = enr.steps[0]
    step_id, step_name = step.id, step.name
    enrollment_url = re.compile(rf"/enrollments/{enr.id}$")

    log_in(page, world["coach_a"])
    expect(page).to_have_url(re.compile(r"/caseload$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina deltagare")
    screenshot(page, "caseload")
    axe_check(page)

    page.locator("#caseload").get_by_role("link", name="Amina Ali").click()
    expect(page).to_have_url(enrollment_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Amina Ali")
    wait_for_htmx(page)
    screenshot(page, "enrollment")
    axe_check(page)

    # A full navigation would start a new window object and lose the marker.
    page.evaluate("window.__marker = 1")
    item = page.locator(f"#step-{step_id}")
    expect(item.locator(".badge")).to_have_text("Ej påbörjad")
    item.get_by_label(f"Status för ”{step_name}”").select_option("in_progress")
    item.get_by_role("button", name="Spara").click()
    expect(item.locator(".badge")).to_have_text("Pågår")
    expect(item.get_by_role("status")).to_contain_text("är nu: Pågår")
    expect(item.get_by_role("button", name="Spara")).to_be_enabled()
    assert page.evaluate("window.__marker") == 1, "the page navigated instead of swapping"
    expect(page).to_have_url(enrollment_url)
    screenshot(page, "enrollment-after-swap")
    axe_check(page)

    db.session.expire_all()
    assert db.session.get(JourneyStep, step_id).status == StepStatus.in_progress

    page.reload()
    item = page.locator(f"#step-{step_id}")
    expect(item.locator(".badge")).to_have_text("Pågår")
    expect(item.get_by_label(f"Status för ”{step_name}”")).to_have_value("in_progress")
    assert page.evaluate("typeof window.__marker") == "undefined"
    screenshot(page, "enrollment-reloaded")
    axe_check(page)


def test_coach_changes_a_step_without_javascript(new_context, world, db, screenshot):
    enr = world["enr_a"]
    step = enr.steps[1]
    step_id, step_name = step.id, step.name
    page = new_context(java_script_enabled=False).new_page()

    log_in(page, world["coach_a"])
    expect(page).to_have_url(re.compile(r"/caseload$"))
    page.goto(f"/enrollments/{enr.id}")
    item = page.locator(f"#step-{step_id}")
    item.get_by_label(f"Status för ”{step_name}”").select_option("done")
    item.get_by_role("button", name="Spara").click()

    # Post, redirect, get: back at the step, with the confirmation in view.
    expect(page).to_have_url(re.compile(rf"/enrollments/{enr.id}\?saved={step_id}#step-{step_id}$"))
    item = page.locator(f"#step-{step_id}")
    expect(item.get_by_role("status")).to_contain_text(f"”{step_name}” är nu: Klar")
    expect(item.get_by_role("status")).to_be_in_viewport()
    expect(item.locator(".badge")).to_have_text("Klar")
    expect(item.get_by_label(f"Status för ”{step_name}”")).to_have_value("done")
    screenshot(page, "enrollment-no-js")

    db.session.expire_all()
    assert db.session.get(JourneyStep, step_id).status == StepStatus.done


@pytest.mark.parametrize(("who", "path", "heading"), [
    ("manager1", "/programs", "Program och kullar"),
    ("admin1", "/admin/users", "Användare"),
    ("portal_a", "/portal/", "Min plan"),
])
def test_each_role_lands_on_its_start_page(page, world, axe_check, screenshot,
                                           who, path, heading):
    log_in(page, world[who])
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("navigation", name="Huvudmeny")
           .get_by_role("link", name=heading)).to_have_attribute("aria-current", "page")
    screenshot(page, "start")
    axe_check(page)

    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#flash")).to_contain_text("Du är utloggad")
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_switching_to_english(page, world, axe_check, screenshot):
    log_in(page, world["coach_a"])
    expect(page).to_have_url(re.compile(r"/caseload$"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/caseload$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("button", name="Svenska")).to_be_visible()
    screenshot(page, "caseload-en")
    axe_check(page)

    # Remembered on the user, not just for one response.
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
