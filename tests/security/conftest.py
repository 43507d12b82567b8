"""Fixtures shared by the security tests: a world with every kind of object, three times."""

import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from journey.activities.models import Activity
from journey.auth.session import LOGIN_AT, SEEN_AT
from journey.cohorts.models import GroupSession
from journey.enums import ActivityKind, Attendance, Outcome, PlanOwner, Role
from journey.extensions import db as _db
from journey.journeys.models import Note, PlanItem
from journey.outcomes.services import record_exit
from journey.programs.models import StepTemplate
from tests import factories as f


# The browser tests here (test_csp_browser.py) use the fixtures of the e2e suite:
# the live server, Chromium, the CSP violation collector and axe.
def pytest_ignore_collect(collection_path, config):
    # Without the Playwright plugin (-p no:playwright) there is no browser to drive.
    if (collection_path.name == "test_csp_browser.py"
            and not config.pluginmanager.has_plugin("playwright")):
        return True
    return None


from tests.e2e.conftest import (  # noqa: E402, F401
    axe_check,
    browser_context_args,
    browser_type_launch_args,
    csp_violations,
    live_server,
    new_context,
    screenshot,
)


def _object_set(coach, cohort, portal_user, today):
    """An open and an exited enrollment of ``coach`` with one of every child object."""
    enr = f.enrollment(coach, cohort)
    enr.participant.portal_user = portal_user
    exited = f.enrollment(coach, cohort, enrolled_on=today - timedelta(days=200))
    record_exit(exited, {"outcome": Outcome.job_unsubsidized, "exited_on": today - timedelta(
        days=100), "employer": "Firma", "occupation": "Lagerarbetare", "hours_per_week": 40},
        user=coach, today=today)
    item = PlanItem(enrollment=enr, title="Skriv CV", owner=PlanOwner.participant)
    activity = Activity(enrollment=enr, kind=ActivityKind.coaching, date=today,
                        duration_minutes=60, attendance=Attendance.attended)
    note = Note(enrollment=enr, author=coach, body="Anteckning")
    session = GroupSession(cohort=cohort, kind=ActivityKind.workshop, date=today,
                           duration_minutes=90, title="Workshop")
    _db.session.add_all([item, activity, note, session])
    _db.session.flush()
    return {
        "enrollment_id": enr.id, "exited_enrollment_id": exited.id,
        "participant_id": enr.participant_id, "step_id": enr.steps[0].id,
        "item_id": item.id, "activity_id": activity.id, "note_id": note.id,
        "follow_up_id": exited.follow_ups[0].id, "cohort_id": cohort.id,
        "program_id": cohort.program_id,
        "template_id": _db.session.scalar(
            sa.select(StepTemplate.id).where(StepTemplate.program_id == cohort.program_id)),
        "session_id": session.id, "user_id": coach.id,
    }


@pytest.fixture
def matrix_world(db):
    today = date.today()
    o1, o2 = f.org("Kommun Ett"), f.org("Kommun Två")
    users = {
        "admin": f.user(Role.admin, o1), "manager": f.user(Role.manager, o1),
        "coach": f.user(Role.coach, o1, name="Coach A"),
        "participant": f.user(Role.participant, o1, name="Portal A"),
    }
    coach_b = f.user(Role.coach, o1, name="Coach B")
    coach_c = f.user(Role.coach, o2, name="Coach C")
    portal_b = f.user(Role.participant, o1, name="Portal B")
    portal_c = f.user(Role.participant, o2, name="Portal C")
    prog1, prog2 = f.program(o1, "Jobbpunkt"), f.program(o2, "Miljövärdar")
    sets = {
        "A": _object_set(users["coach"], f.cohort(prog1, "Kull A"), users["participant"], today),
        "B": _object_set(coach_b, f.cohort(prog1, "Kull B"), portal_b, today),
        "C": _object_set(coach_c, f.cohort(prog2, "Kull C"), portal_c, today),
    }
    db.session.commit()
    return users, sets


def log_in(client, user) -> None:
    """A session as the login form makes it, without paying for scrypt each time."""
    now = int(time.time())
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session[LOGIN_AT] = now
        session[SEEN_AT] = now


