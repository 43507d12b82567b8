"""Context for the activity section of the enrollment page."""

from dataclasses import dataclass, field
from datetime import date

from flask import request

from journey.activities import queries
from journey.activities.forms import ActivityForm, with_ids
from journey.activities.queries import ActivityRow
from journey.i18n import lazy_gettext as _l
from journey.web.paging import PageRange, clamp_page

# ``?saved=<key>`` after a change without JavaScript: the confirmation shown in the section.
SAVED_MESSAGES = {
    "activity-created": _l("The activity has been added."),
    "activity-updated": _l("The activity has been saved."),
    "activity-attendance": _l("The attendance has been saved."),
    "activity-deleted": _l("The activity has been removed."),
}


# The section shows the soonest upcoming activities and the latest earlier ones; the
# rest of the history is a click away, one page at a time, so the enrollment page
# costs the same for a participant with ten activities or with a thousand.
UPCOMING_LIMIT = 20
EARLIER_PAGE_SIZE = 15


@dataclass
class ActivityLog:
    upcoming: list[ActivityRow] = field(default_factory=list)
    past: list[ActivityRow] = field(default_factory=list)
    attended: int = 0
    no_show: int = 0
    upcoming_total: int = 0
    past_total: int = 0

    @property
    def more_upcoming(self) -> int:
        return max(0, self.upcoming_total - len(self.upcoming))

    @property
    def more_past(self) -> int:
        return max(0, self.past_total - len(self.past))

    @property
    def attendance_rate(self) -> float | None:
        """attended / (attended + no-show), the report's definition; ``None`` if no data."""
        recorded = self.attended + self.no_show
        return self.attended / recorded if recorded else None


@dataclass(frozen=True)
class EarlierPage(PageRange):
    """One page of an enrollment's earlier activities, newest first."""

    rows: list[ActivityRow]
    page: int
    per_page: int
    total: int

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.page * self.per_page)


def attendance_summary(enrollment_id: int, today: date | None = None) -> ActivityLog:
    """Only the counts (for the summary line): one query."""
    counts = queries.activity_counts(enrollment_id, today or date.today())
    return ActivityLog(attended=counts.attended, no_show=counts.no_show,
                       upcoming_total=counts.upcoming, past_total=counts.past)


def load_activity_log(enrollment_id: int, today: date | None = None) -> ActivityLog:
    """What the section shows: counts, the soonest upcoming, the latest earlier (3 queries)."""
    today = today or date.today()
    log = attendance_summary(enrollment_id, today)
    # Always the same three statements, whether or not a list turns out empty.
    log.upcoming = queries.upcoming_activities(enrollment_id, today, UPCOMING_LIMIT)
    log.past = queries.earlier_activities(enrollment_id, today, limit=EARLIER_PAGE_SIZE)
    return log


def earlier_page(enrollment_id: int, page: int, today: date | None = None) -> EarlierPage:
    """Page ``page`` of the earlier activities (page 1 is what the section shows);
    a page past either end gives the nearest one."""
    today = today or date.today()
    total = queries.activity_counts(enrollment_id, today).past
    page = clamp_page(page, total, EARLIER_PAGE_SIZE)
    rows = queries.earlier_activities(enrollment_id, today, limit=EARLIER_PAGE_SIZE,
                                      offset=(page - 1) * EARLIER_PAGE_SIZE)
    return EarlierPage(rows=rows, page=page, per_page=EARLIER_PAGE_SIZE, total=total)


def new_activity_form() -> ActivityForm:
    return with_ids(ActivityForm(formdata=None, date=date.today()), "new-activity")


def context(enrollment) -> dict:
    """Extra template variables for ``activities/_section.html`` (three queries)."""
    saved = request.args.get("saved", "")
    return {
        "activity_log": load_activity_log(enrollment.id),
        "activity_form": new_activity_form(),
        "activity_message": SAVED_MESSAGES.get(saved),
        "activity_errors": {},
    }
