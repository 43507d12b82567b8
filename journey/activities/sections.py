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
# rest of the history is a click away, 15 at a time, so the enrollment page costs the
# same for a participant with ten activities or with a thousand. Five earlier ones
# cover the last weeks of meetings (what a coach looks at before the next one) and keep
# the plan, notes and exit sections within reach below; each earlier row with its
# attendance buttons and links was about a fifth of the page's rendering at fifteen.
UPCOMING_LIMIT = 20
EARLIER_SHOWN = 5
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


@dataclass(frozen=True)
class EarlierRows:
    """The earlier activities after the first ``start`` (newest first), appended to the
    section's list by "Show earlier activities"."""

    rows: list[ActivityRow]
    start: int
    total: int

    @property
    def next_start(self) -> int:
        return self.start + len(self.rows)

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.next_start)

    @property
    def next_page(self) -> int:
        """The page of its own (without JavaScript) that holds the next row."""
        return self.next_start // EARLIER_PAGE_SIZE + 1


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
    log.past = queries.earlier_activities(enrollment_id, today, limit=EARLIER_SHOWN)
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


def earlier_rows(enrollment_id: int, start: int, today: date | None = None) -> EarlierRows:
    """The next earlier activities after the first ``start`` the list already shows.
    A ``start`` at or past the end (activities were removed since the button was drawn)
    gives no rows rather than rows the list already has."""
    today = today or date.today()
    total = queries.activity_counts(enrollment_id, today).past
    start = max(0, start)
    if start >= total:
        return EarlierRows(rows=[], start=total, total=total)
    rows = queries.earlier_activities(enrollment_id, today, limit=EARLIER_PAGE_SIZE,
                                      offset=start)
    return EarlierRows(rows=rows, start=start, total=total)


def new_activity_form() -> ActivityForm:
    return with_ids(ActivityForm(formdata=None, date=date.today()), "new-activity")


def context(enrollment) -> dict:
    """Extra template variables for ``activities/_section.html`` (three queries)."""
    saved = request.args.get("saved", "")
    return {
        "activity_log": load_activity_log(enrollment.id),
        # None: the section fetches the add form when it is opened (views.new).
        "activity_form": None,
        "activity_message": SAVED_MESSAGES.get(saved),
        "activity_errors": {},
    }
