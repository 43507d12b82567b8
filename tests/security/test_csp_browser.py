"""The strict Content-Security-Policy in a real browser: the htmx behaviours still work.

htmx runs with allowEval off, so what used to be hx-on attributes and a trigger
filter now lives in static/js/app.js; these tests drive those behaviours and the
``new_context`` fixture (tests/e2e/conftest.py) fails a test on any CSP violation.
"""

import re

import pytest
from playwright.sync_api import expect

from journey.activities.models import Activity
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def log_in(page, user):
    page.goto("/login")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(r"/caseload$"))


def open_with_htmx(page, url):
    page.goto(url)
    # htmx and app.js are deferred scripts: wait until they have run.
    page.wait_for_load_state("load")
    page.wait_for_function("() => typeof window.htmx !== 'undefined'")
    page.evaluate("window.__cspMarker = 1")


def assert_swapped_in_place(page):
    assert page.evaluate("window.__cspMarker") == 1, "the page navigated instead of swapping"


def test_the_policy_is_enforced_and_violations_are_caught(page, world, csp_violations):
    page.goto("/login")
    # An inline script added to the page is refused by the browser and reported.
    ran = page.evaluate("""() => {
        window.__inline = false;
        const s = document.createElement('script');
        s.textContent = 'window.__inline = true';
        document.body.appendChild(s);
        return window.__inline;
    }""")
    assert ran is False
    # An inline style attribute is refused too.
    page.evaluate("() => document.querySelector('h1').setAttribute('style', 'color: red')")
    expect(page.locator("h1")).to_have_css("color", re.compile(r"^(?!rgb\(255, 0, 0\))"))
    directives = set()
    for _ in range(100):  # the reports arrive as events, shortly after
        page.evaluate("() => 0")
        directives = {v.get("directive") for v in csp_violations}
        if {"script-src-elem", "style-src-attr"} <= directives:
            break
        page.wait_for_timeout(50)
    assert {"script-src-elem", "style-src-attr"} <= directives, csp_violations
    assert any("Content Security Policy" in v.get("console", "") for v in csp_violations)
    # This test provoked them on purpose: the end-of-test check must not fail it.
    csp_violations.clear()


def test_activity_validation_error_is_swapped_by_app_js(page, world, db, axe_check,
                                                        screenshot):
    """The 422 answer with the form's errors replaces #activities in place (data-swap-status)."""
    enr = world["enr_a"]
    log_in(page, world["coach_a"])
    open_with_htmx(page, f"/enrollments/{enr.id}")
    # Without app.js, htmx would now refuse to swap a 422: only data-swap-status="422"
    # on the section (handled in app.js's htmx:beforeSwap listener) makes it swap.
    page.evaluate("""() => { htmx.config.responseHandling = [
        {code: '204', swap: false}, {code: '[23]..', swap: true},
        {code: '[45]..', swap: false, error: true}]; }""")

    activities = page.locator("#activities")
    activities.get_by_text("Lägg till en aktivitet").click()
    add = activities.locator("form").first
    add.get_by_label("Datum").fill("")
    with page.expect_response(lambda r: r.url.endswith(f"/enrollments/{enr.id}/activities")
                              and r.request.method == "POST") as answer:
        add.get_by_role("button", name="Lägg till aktivitet").click()
    assert answer.value.status == 422
    assert answer.value.headers["content-security-policy"].startswith("default-src 'self'")

    activities = page.locator("#activities")
    expect(activities.locator("details.activity-add")).to_have_attribute("open", "")
    expect(activities.locator(".error").first).to_contain_text("Ange ett datum.")
    assert_swapped_in_place(page)
    screenshot(page, "activity-422-swap")
    axe_check(page)

    db.session.expire_all()
    assert db.session.query(Activity).filter_by(enrollment_id=enr.id).count() == 0


def test_participant_live_search_never_sends_digits(page, world, axe_check):
    """Name searches go live by GET; while the text holds a digit, no GET is sent."""
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/participants?" in r.url else None)
    log_in(page, world["coach_a"])
    open_with_htmx(page, "/participants")
    search = page.get_by_label("Sök på namn eller ID-nummer")

    with page.expect_response(lambda r: r.url.endswith("/participants?q=Amina")) as answer:
        search.press_sequentially("Amina")
    assert answer.value.status == 200
    expect(page.locator("#participant-results")).to_contain_text("Ali, Amina")
    expect(page).to_have_url(re.compile(r"/participants\?q=Amina$"))
    assert_swapped_in_place(page)

    requests.clear()
    search.fill("")
    search.press_sequentially("19900101")
    page.wait_for_timeout(800)  # longer than the trigger's 300 ms delay
    assert not any(re.search(r"q=[^&]*[0-9]", url) for url in requests), requests
    expect(page).not_to_have_url(re.compile(r"[0-9]{6}"))
    axe_check(page)
