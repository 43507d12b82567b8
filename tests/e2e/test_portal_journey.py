"""The participant portal end to end: a coach invites, the participant sets a password
on a phone, ticks off a task and rates themself by keyboard, and the coach sees both.

Every page is checked with axe-core (WCAG 2.1 A/AA) and photographed at phone
(360 px) and desktop width.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from journey.enums import AssessmentArea, PlanOwner, label
from journey.journeys.models import Assessment, PlanItem
from tests import factories as f
from tests.factories import PASSWORD

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
NEW_PASSWORD = "mitt nya lösenord för hösten"


def log_in(page, user):
    page.goto("/login")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def wait_for_htmx(page):
    page.wait_for_load_state("load")
    page.wait_for_function("() => typeof window.htmx !== 'undefined'")


def wait_for_settle(page):
    # After a swap htmx keeps the old element's classes (here the busy state) on the
    # new one for a moment so CSS can transition; check the page once that is over.
    page.wait_for_function("() => !document.querySelector("
                           "'.htmx-request, .htmx-settling, .htmx-swapping, .htmx-added')")


@pytest.fixture
def dana(world, db):
    enr = f.enrollment(world["coach_a"], world["enr_a"].cohort, first_name="Dana",
                       last_name="Dahl", email="dana@example.se")
    enr.goal = "Ett arbete inom äldreomsorgen"
    db.session.add(PlanItem(enrollment=enr, title="Ring Arbetsförmedlingen",
                            due_on=date.today() + timedelta(days=3),
                            owner=PlanOwner.participant))
    db.session.add(PlanItem(enrollment=enr, title="Boka praktikplats",
                            owner=PlanOwner.coach))
    db.session.commit()
    return enr


def test_coach_invites_and_the_participant_works_on_a_phone(page, new_context, world, dana,
                                                             db, axe_check, screenshot):
    # --- the coach creates the invitation ---------------------------------------------------
    page.set_viewport_size(DESKTOP)
    log_in(page, world["coach_a"])
    expect(page).to_have_url(re.compile(r"/caseload$"))
    page.goto(f"/participants/{dana.participant_id}")
    page.get_by_role("link", name="Bjud in till portalen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Portalåtkomst för Dana Dahl")
    axe_check(page)
    screenshot(page, "coach-access")
    expect(page.get_by_label("E-postadress att logga in med")).to_have_value("dana@example.se")
    page.get_by_role("button", name="Skapa inbjudan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbjudan är skapad")
    expect(page.get_by_role("img", name="QR-kod med inbjudningslänken")).to_be_visible()
    axe_check(page)
    screenshot(page, "coach-invite-created")
    link = page.get_by_role("textbox", name="Inbjudningslänk").input_value()
    assert "/portal/invite/" in link

    # --- the participant opens the link on a phone -----------------------------------------
    phone = new_context(is_mobile=True, has_touch=True).new_page()
    phone.set_viewport_size(PHONE)
    phone.goto(link)
    expect(phone).to_have_url(re.compile(r"/portal/welcome$"))  # the token left the URL
    expect(phone.get_by_role("heading", level=1)).to_have_text("Välkommen till Journey")
    axe_check(phone)
    screenshot(phone, "phone-welcome")
    phone.get_by_label("Välj ett lösenord").fill(NEW_PASSWORD)
    phone.get_by_label("Skriv lösenordet igen").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Spara lösenordet och fortsätt").click()
    expect(phone).to_have_url(re.compile(r"/portal/$"))
    expect(phone.locator("#flash")).to_contain_text("Välkommen!")
    expect(phone.get_by_text("Ett arbete inom äldreomsorgen")).to_be_visible()
    wait_for_htmx(phone)
    axe_check(phone)
    screenshot(phone, "phone-plan")
    # Nothing on the page is wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Tick off own task with the keyboard only.
    phone.evaluate("window.__marker = 1")
    button = phone.get_by_role("button", name=re.compile(r"Markera som klar\s*:\s*Ring Arb"))
    button.focus()
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("button", name=re.compile(r"Ångra\s*:\s*Ring Arb"))).to_be_visible()
    assert phone.evaluate("window.__marker") == 1, "the tick should swap in place"
    wait_for_settle(phone)
    # The coach's own task cannot be ticked off by the participant.
    expect(phone.get_by_role("button", name=re.compile("Boka praktikplats"))).to_have_count(0)
    axe_check(phone)
    screenshot(phone, "phone-plan-ticked")

    # Rate every area, by keyboard: Tab to the group, arrows to the value, Space.
    phone.get_by_role("link", name="Skatta dig själv").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Min självskattning")
    axe_check(phone)
    screenshot(phone, "phone-assessment")
    scores = {}
    for n, area in enumerate(AssessmentArea):
        name = str(label(AssessmentArea, area))
        group = phone.get_by_role("group", name=name)
        group.get_by_role("radio").first.focus()
        score = 4 + n % 5
        for _ in range(score - 1):
            phone.keyboard.press("ArrowRight")
        expect(group.get_by_role("radio", name=str(score), exact=True)).to_be_checked()
        scores[area] = score
    phone.get_by_role("button", name="Spara min självskattning").click()
    expect(phone.get_by_role("status").filter(has_text="Tack!")).to_be_visible()
    axe_check(phone)
    screenshot(phone, "phone-assessment-saved")

    # The same pages at desktop width.
    phone.set_viewport_size(DESKTOP)
    screenshot(phone, "desktop-assessment-saved")
    phone.goto("/portal/")
    axe_check(phone)
    screenshot(phone, "desktop-plan")

    # --- the coach sees both --------------------------------------------------------------
    db.session.expire_all()
    item = db.session.query(PlanItem).filter_by(title="Ring Arbetsförmedlingen").one()
    assert item.done_on == date.today()
    assessment = db.session.query(Assessment).filter_by(enrollment_id=dana.id).one()
    assert {s.area: s.score for s in assessment.scores} == scores
    assert assessment.created_by.email == "dana@example.se"

    page.goto(f"/enrollments/{dana.id}")
    plan = page.locator("#plan")
    expect(plan).to_contain_text("Ring Arbetsförmedlingen")
    expect(plan.locator(".plan-item", has_text="Ring Arbetsförmedlingen")).to_contain_text(
        date.today().isoformat())
    assessments = page.locator("#assessments")
    expect(assessments).to_contain_text(date.today().isoformat())
    first_area = str(label(AssessmentArea, AssessmentArea.job_skills))
    expect(assessments.locator("tr", has_text=first_area)).to_contain_text(
        str(scores[AssessmentArea.job_skills]))
    axe_check(page)
    screenshot(page, "coach-sees-both")
