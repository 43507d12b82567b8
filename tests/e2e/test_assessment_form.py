"""Recording a self-assessment in a real browser once the first one is in.

The section then draws a closed "Record an assessment" box and fetches the form when it
is opened (htmx); without JavaScript the opened box links to a page with the form.
"""

from datetime import date, timedelta

from playwright.sync_api import expect

from journey.enums import AssessmentPhase
from journey.journeys.models import Assessment
from tests.e2e.workflow_helpers import assert_no_navigation, log_in, mark_window, wait_for_htmx
from tests.journeys.helpers import assessment


def _fill_scores(scope, value: str) -> None:
    fields = scope.locator("input[name^='assessment-score_']")
    expect(fields).to_have_count(7)
    for i in range(7):
        fields.nth(i).fill(value)


def test_the_form_is_fetched_when_the_box_is_opened(page, world, db, axe_check, screenshot):
    enr = world["enr_a"]
    assessment(enr, date.today() - timedelta(days=60), AssessmentPhase.intake, 4)
    db.session.commit()
    log_in(page, world["coach_a"])
    page.goto(f"/enrollments/{enr.id}#assessments")
    wait_for_htmx(page)
    box = page.locator("#assessment-add")
    expect(box.locator("form")).to_have_count(0)
    mark_window(page)
    box.get_by_text("Registrera en skattning").click()
    form = box.locator("form")
    expect(form).to_have_count(1)
    expect(form.get_by_label("När i programmet")).to_have_value("midway")
    screenshot(page, "assessment-form-fetched")
    axe_check(page)

    _fill_scores(form, "7")
    form.get_by_role("button", name="Spara skattningen").click()
    section = page.locator("#assessments")
    expect(section).to_contain_text("Skattningen har sparats.")
    expect(section).to_contain_text("2 skattningar")
    expect(section.locator("tr", has_text="Motivation")).to_contain_text("+3")
    assert_no_navigation(page)
    # The new section's box is closed again and fetches a fresh form when opened.
    expect(page.locator("#assessment-add form")).to_have_count(0)
    page.locator("#assessment-add").get_by_text("Registrera en skattning").click()
    expect(page.locator("#assessment-add input[name='assessment-score_health']")).to_have_value("")
    db.session.expire_all()
    assert db.session.query(Assessment).filter_by(enrollment_id=enr.id).count() == 2


def test_without_javascript_the_box_links_to_a_page_with_the_form(new_context, world, db,
                                                                  screenshot):
    enr = world["enr_a"]
    assessment(enr, date.today() - timedelta(days=60), AssessmentPhase.intake, 4)
    db.session.commit()
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, world["coach_a"])
    page.goto(f"/enrollments/{enr.id}")
    box = page.locator("#assessment-add")
    box.get_by_text("Registrera en skattning").click()
    box.get_by_role("link", name="Öppna formuläret för skattningen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrera en skattning")
    screenshot(page, "assessment-form-page-no-js")
    _fill_scores(page, "6")
    page.get_by_role("button", name="Spara skattningen").click()
    expect(page).to_have_url(f"/enrollments/{enr.id}?notice=assessment-added#assessments")
    expect(page.locator("#assessments")).to_contain_text("Skattningen har sparats.")
    expect(page.locator("#assessments")).to_contain_text("2 skattningar")
