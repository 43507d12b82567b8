"""In-place changes also refresh the summaries they affect (htmx out-of-band swaps)."""

import re
from datetime import date, timedelta

from journey.enums import Attendance
from journey.extensions import db as _db
from journey.journeys.models import PlanItem
from tests import factories
from tests.conftest import page_token
from tests.outcomes.helpers import exit_post

HX = {"HX-Request": "true"}


def _oob(html: str, element_id: str) -> str:
    match = re.search(rf'<p id="{element_id}"[^>]*hx-swap-oob="true"[^>]*>(.*?)</p>', html, re.S)
    assert match, f"no out-of-band #{element_id} in the response"
    return " ".join(match.group(1).split())


def test_quick_attendance_refreshes_the_attendance_summary(client, login_as, world):
    enr = world["enr_a"]
    factories.activity(enr, on=date.today() - timedelta(days=3))
    planned = factories.activity(enr, on=date.today() - timedelta(days=1),
                                 attendance=Attendance.planned)
    _db.session.commit()
    login_as(world["coach_a"])
    token = page_token(client, f"/enrollments/{enr.id}")
    response = client.post(f"/enrollments/{enr.id}/activities/{planned.id}/attendance",
                           data={"attendance": "no_show"},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    assert "1 av 2" in _oob(response.get_data(as_text=True), "activity-summary")


def test_ticking_a_plan_item_refreshes_the_plan_counts(client, login_as, world):
    enr = world["enr_a"]
    item = PlanItem(enrollment=enr, title="Skriva CV")
    _db.session.add(item)
    _db.session.commit()
    login_as(world["coach_a"])
    token = page_token(client, f"/enrollments/{enr.id}")
    response = client.post(f"/enrollments/{enr.id}/plan/{item.id}/toggle",
                           data={"done": "1"}, headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    counts = _oob(response.get_data(as_text=True), "plan-counts")
    assert "0 öppna" in counts and "1 klar" in counts


def test_recording_an_exit_refreshes_the_page_header(client, login_as, world):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    token = page_token(client, f"/enrollments/{enr.id}")
    response = client.post(f"/enrollments/{enr.id}/exit", data=exit_post(),
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _oob(html, "enrollment-status-line").endswith("Avslutad")
    assert _oob(html, "enrollment-edit-link") == ""  # no more "change enrollment" link
