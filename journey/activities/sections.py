"""Context for the activity section of the enrollment page."""

from dataclasses import dataclass, field
from datetime import date

from flask import request
from flask_babel import lazy_gettext as _l

from journey.activities.forms import ActivityForm, with_ids
from journey.activities.models import Activity
from journey.activities.queries import enrollment_activities
from journey.enums import Attendance

# ``?saved=<key>`` after a change without JavaScript: the confirmation shown in the section.
SAVED_MESSAGES = {
    "activity-created": _l("The activity has been added."),
    "activity-updated": _l("The activity has been saved."),
    "activity-attendance": _l("The attendance has been saved."),
    "activity-deleted": _l("The activity has been removed."),
}


@dataclass
class ActivityLog:
    upcoming: list[Activity] = field(default_factory=list)
    past: list[Activity] = field(default_factory=list)
    attended: int = 0
    no_show: int = 0

    @property
    def count(self) -> int:
        return len(self.upcoming) + len(self.past)

    @property
    def attendance_rate(self) -> float | None:
        """attended / (attended + no-show), the report's definition; ``None`` if no data."""
        recorded = self.attended + self.no_show
        return self.attended / recorded if recorded else None


def is_upcoming(activity: Activity, today: date) -> bool:
    return activity.attendance == Attendance.planned and activity.date >= today


def activity_log(activities: list[Activity], today: date | None = None) -> ActivityLog:
    """Split activities (newest first) into upcoming and past and count attendance."""
    today = today or date.today()
    log = ActivityLog()
    for activity in activities:
        (log.upcoming if is_upcoming(activity, today) else log.past).append(activity)
        if activity.date <= today:
            if activity.attendance == Attendance.attended:
                log.attended += 1
            elif activity.attendance == Attendance.no_show:
                log.no_show += 1
    return log


def new_activity_form() -> ActivityForm:
    return with_ids(ActivityForm(formdata=None, date=date.today()), "new-activity")


def context(enrollment) -> dict:
    """Extra template variables for ``activities/_section.html`` (one query)."""
    saved = request.args.get("saved", "")
    return {
        "activity_log": activity_log(enrollment_activities(enrollment.id)),
        "activity_form": new_activity_form(),
        "activity_message": SAVED_MESSAGES.get(saved),
        "activity_errors": {},
    }
