"""Hand-built caseload data with exact dates, and readers for the rendered page."""

import html as html_lib
import re
from datetime import date, timedelta

from journey.enums import Attendance, EnrollmentStatus, Role, StepStatus
from journey.extensions import db
from journey.journeys.models import PlanItem
from journey.journeys.services import set_step_status
from journey.outcomes.models import FollowUp
from tests import factories


def days_ago(n: int) -> date:
    return date.today() - timedelta(days=n)


def days_ahead(n: int) -> date:
    return date.today() + timedelta(days=n)


def coach_with_cohort(organization=None, cohort_name=None):
    coach = factories.user(Role.coach, organization)
    coh = factories.cohort(factories.program(coach.organization), cohort_name,
                           starts_on=days_ago(400))
    return coach, coh


def quiet_enrollment(coach, coh, first_name: str, last_name: str = "Test", *,
                     enrolled_days_ago: int = 60, contact_days_ago: int | None = 0,
                     step_started: bool = True):
    """An enrollment raising no signal by default: a step under way, attended today.

    :param contact_days_ago: date of one attended activity; ``None`` for none at all.
    :param step_started: whether the first step is in progress.
    """
    enr = factories.enrollment(coach, coh, enrolled_on=days_ago(enrolled_days_ago),
                               first_name=first_name, last_name=last_name)
    if step_started:
        set_step_status(enr.steps[0], StepStatus.in_progress, today=enr.enrolled_on)
    if contact_days_ago is not None:
        factories.activity(enr, on=days_ago(contact_days_ago))
    return enr


def activities(enr, *pattern: tuple[int, Attendance]) -> None:
    """``(days_ago, attendance)`` pairs, in any order."""
    for n, attendance in pattern:
        factories.activity(enr, on=days_ago(n), attendance=attendance)


def plan_item(enr, due_on: date | None, done_on: date | None = None, title="Skriv CV"):
    item = PlanItem(enrollment=enr, title=title, due_on=due_on, done_on=done_on)
    db.session.add(item)
    db.session.flush()
    return item


def follow_up(enr, months: int, due_on: date, recorded_on: date | None = None):
    item = FollowUp(enrollment=enr, months_after=months, due_on=due_on, recorded_on=recorded_on)
    db.session.add(item)
    db.session.flush()
    return item


def exit_enrollment(enr):
    enr.status = EnrollmentStatus.exited
    db.session.flush()
    return enr


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment))).strip()


def attention_section(page: str) -> str:
    return page.split('id="attention-heading"', 1)[1].split("</section>", 1)[0]


def attention(page: str) -> dict[str, list[str]]:
    """Participant name -> the reasons shown for them, in page order."""
    entries = {}
    for item in re.findall(r'<li class="attention-item">(.*?)</ul>\s*</li>',
                           attention_section(page), re.S):
        name = _text(re.search(r'<a href="/enrollments/\d+">(.*?)</a>', item).group(1))
        entries[name] = [_text(chip) for chip in
                         re.findall(r'<li class="attention-chip[^"]*">(.*?)</li>', item, re.S)]
    return entries


def table_names(page: str) -> list[str]:
    """Participant names of the caseload table, top to bottom."""
    if 'id="caseload"' not in page:
        return []
    table = page.split('id="caseload"', 1)[1].split("</table>", 1)[0]
    return [_text(n) for n in re.findall(r'<td><a href="/enrollments/\d+">(.*?)</a>', table)]
