"""A manager imports a past cohort of 2 000 rows through the browser (htmx upload)."""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from journey.cohorts.models import Cohort
from journey.enums import Role
from journey.participants.models import Enrollment
from tests import factories
from tests.e2e.workflow_helpers import assert_no_navigation, log_in, mark_window, wait_for_htmx
from tests.imports.helpers import csv_bytes, many_rows


def test_manager_imports_a_cohort(page, db, axe_check, screenshot, tmp_path):
    organization = factories.org("Kommun Import")
    manager = factories.user(Role.manager, organization, name="Maria Chef")
    coach = factories.user(Role.coach, organization, email="karin@import.example")
    factories.program(organization, "Jobbpunkt")
    db.session.commit()
    rows = many_rows(2000, coach_email=coach.email)
    bad = tmp_path / "kull-fel.csv"
    rows_with_error = [dict(r) for r in rows]
    rows_with_error[5]["gender"] = "kvinnlig"
    bad.write_bytes(csv_bytes(rows_with_error, delimiter=";", bom=True))
    good = tmp_path / "kull.csv"
    good.write_bytes(csv_bytes(rows, delimiter=";", bom=True))

    log_in(page, manager)
    page.goto("/imports/new")
    wait_for_htmx(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Importera en kull")
    axe_check(page)
    mark_window(page)

    page.get_by_label("Program").select_option(label="Jobbpunkt")
    page.get_by_label("Kull").fill("Jobbpunkt 2022")
    page.get_by_label("Fil (CSV eller XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Kontrollera och importera").click()
    expect(page.get_by_role("heading", name="Ingenting importerades")).to_be_visible()
    expect(page.get_by_role("cell", name="7", exact=True)).to_be_visible()
    axe_check(page)
    screenshot(page, "errors")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 0

    page.get_by_label("Fil (CSV eller XLSX)").set_input_files(str(good))
    page.get_by_role("button", name="Kontrollera och importera").click()
    expect(page.get_by_role("heading", name="Importen är klar")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(r"2\s000 rader importerades till kullen ”Jobbpunkt 2022”"))
           ).to_be_visible()
    assert_no_navigation(page)
    axe_check(page)
    screenshot(page, "done")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 2000

    page.get_by_role("link", name="Öppna kullen").click()
    cohort_id = db.session.scalar(sa.select(Cohort.id).where(Cohort.name == "Jobbpunkt 2022"))
    expect(page).to_have_url(re.compile(rf"/cohorts/{cohort_id}$"))
