"""Shared helpers of the exit and follow-up tests."""

from datetime import date, timedelta

import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import FollowUpSource, FollowUpStatus
from journey.extensions import db
from journey.outcomes import services
from journey.outcomes.models import ExitOutcome, FollowUp
from tests.conftest import login, page_token

HX = {"HX-Request": "true"}


def days_ago(n: int) -> date:
    return date.today() - timedelta(days=n)


def exit_post(**overrides) -> dict:
    """A valid exit form submission (job outcome), field names with the form prefix."""
    values = {"exited_on": days_ago(10).isoformat(), "outcome": "job_unsubsidized",
              "neutral_reason": "", "employer": "Bäckby Bygg AB", "occupation": "Snickare",
              "hours_per_week": "40", "note": "Fast anställning"}
    values.update(overrides)
    return {f"exit-{k}": v for k, v in values.items() if v is not None}


def follow_up_post(**overrides) -> dict:
    values = {"status": "employed", "source": "self_report",
              "recorded_on": date.today().isoformat()}
    values.update(overrides)
    return {f"follow-up-{k}": v for k, v in values.items() if v is not None}


def record_exit(enrollment, user, *, exited_on=None, outcome="job_unsubsidized", **kwargs):
    """Record an exit through the service (as a coach would) and commit."""
    data = {"exited_on": exited_on or days_ago(10), "outcome": outcome, **kwargs}
    exit_outcome = services.record_exit(enrollment, data, user)
    db.session.commit()
    return exit_outcome


def record_follow_ups(enrollment, user, count: int, *, status=FollowUpStatus.employed):
    """Record the first ``count`` follow-ups of an exited enrollment and commit."""
    for fu in follow_ups(enrollment)[:count]:
        services.record_follow_up(fu, {"status": status, "source": FollowUpSource.register,
                                       "recorded_on": date.today()}, user)
    db.session.commit()


def follow_ups(enrollment) -> list[FollowUp]:
    return list(db.session.scalars(
        sa.select(FollowUp).where(FollowUp.enrollment_id == enrollment.id)
        .order_by(FollowUp.months_after)))


def exit_of(enrollment) -> ExitOutcome | None:
    return db.session.scalars(
        sa.select(ExitOutcome).where(ExitOutcome.enrollment_id == enrollment.id)).first()


def events(action=None, object_type=None) -> list[AuditEvent]:
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    if object_type is not None:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    return list(db.session.scalars(stmt))


def switch_user(client, user):
    """Log ``user`` in on the same client (the previous session is dropped)."""
    client.delete_cookie("journey_session")
    db.session.commit()
    login(client, user)
    return client


def session_token(client) -> str:
    """The CSRF token of the current session (any role, or anonymous)."""
    response = client.get("/account/password")
    if response.status_code != 200:  # anonymous
        return page_token(client, "/login")
    return page_token(client, "/account/password")
