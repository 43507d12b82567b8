"""Context for the exit and follow-up section of the enrollment page."""

from flask import has_request_context, request

from journey.i18n import gettext as _
from journey.outcomes import queries


def message(key: str | None) -> str | None:
    """The confirmation shown in the section after a save (``?outcome=<key>`` without JS)."""
    messages = {
        "exit_recorded": lambda: _("The exit is recorded. Follow-ups are scheduled "
                                   "3, 6 and 12 months after the exit date."),
        "reopened": lambda: _("The exit is removed and the enrollment is active again."),
        "follow_up_saved": lambda: _("The follow-up is saved."),
        "follow_up_unchanged": lambda: _("Nothing was changed."),
    }
    return messages[key]() if key in messages else None


def context(enrollment) -> dict:
    """Extra template variables for ``outcomes/_section.html`` (one query)."""
    result = {"outcome_section": queries.outcome_section(enrollment)}
    if has_request_context():
        # Without JavaScript a save redirects here; the confirmation is shown in
        # the section itself (a flash at the top of the page is out of view).
        key = request.args.get("outcome")
        result["outcome_message"] = message(key)
        if key and key.startswith("follow_up"):
            result["outcome_message_follow_up_id"] = request.args.get("follow_up", type=int)
    return result
