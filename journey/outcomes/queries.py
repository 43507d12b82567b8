"""Reads for the exit and follow-up section (one query whatever the data)."""

import functools
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from journey.enums import OUTCOME_ESF, OUTCOME_GROUP
from journey.extensions import db
from journey.i18n import lazy_gettext as _l
from journey.outcomes.models import ExitOutcome, FollowUp
from journey.participants.models import Enrollment

# Follow-up states shown in the section.
PENDING, DUE, RECORDED = "pending", "due", "recorded"

# The outcome groups of DOMAIN.md (keys of enums.OUTCOME_GROUP) and their labels.
GROUP_LABELS = {
    "job": _l("Job"),
    "studies": _l("Studies"),
    "other": _l("Other"),
}


@dataclass
class FollowUpRow:
    follow_up: FollowUp
    state: str  # PENDING (due in the future), DUE (due_on <= today) or RECORDED
    days_overdue: int = 0


@dataclass
class OutcomeSection:
    exit: ExitOutcome | None
    follow_ups: list[FollowUpRow] = field(default_factory=list)

    @property
    def group(self) -> str | None:
        return OUTCOME_GROUP[self.exit.outcome] if self.exit else None

    @property
    def group_label(self) -> str:
        return str(GROUP_LABELS[self.group]) if self.exit else ""

    @property
    def esf_code(self) -> str | None:
        return OUTCOME_ESF[self.exit.outcome] if self.exit else None

    @property
    def recorded_count(self) -> int:
        return sum(1 for row in self.follow_ups if row.state == RECORDED)

    def row(self, follow_up_id: int) -> FollowUpRow | None:
        return next((r for r in self.follow_ups if r.follow_up.id == follow_up_id), None)


def follow_up_state(follow_up: FollowUp, today: date) -> tuple[str, int]:
    if follow_up.recorded_on is not None:
        return RECORDED, 0
    if follow_up.due_on <= today:
        return DUE, (today - follow_up.due_on).days
    return PENDING, 0


@functools.cache
def _section_statement() -> sa.Select:
    """The exit with its follow-ups for ``enrollment_id``, built once: the enrollment page
    runs it on every view, and building it (and its cache key) cost more than running it."""
    return (
        sa.select(ExitOutcome, FollowUp)
        .outerjoin(FollowUp, FollowUp.enrollment_id == ExitOutcome.enrollment_id)
        .where(ExitOutcome.enrollment_id == sa.bindparam("enrollment_id", type_=sa.Integer))
        .order_by(FollowUp.months_after)
    )


def outcome_section(enrollment: Enrollment, *, today: date | None = None) -> OutcomeSection:
    """The enrollment's exit and follow-ups in a single query (outer join).

    The loaded objects are also set on ``enrollment.exit_outcome`` and
    ``enrollment.follow_ups`` so that later reads there cost no query.
    """
    today = today or date.today()
    rows = db.session.execute(_section_statement(), {"enrollment_id": enrollment.id}).all()
    exit_outcome = rows[0][0] if rows else None
    follow_ups = [fu for _exit, fu in rows if fu is not None]
    set_committed_value(enrollment, "exit_outcome", exit_outcome)
    set_committed_value(enrollment, "follow_ups", follow_ups)
    section = OutcomeSection(exit=exit_outcome)
    for follow_up in follow_ups:
        state, days = follow_up_state(follow_up, today)
        section.follow_ups.append(FollowUpRow(follow_up, state, days))
    return section
