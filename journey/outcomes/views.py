"""Exit and follow-up: the section at the bottom of the enrollment page.

Every route swaps the whole section (``#exit``) when called by htmx and serves
a full page (or redirects back to the enrollment page) without JavaScript.
"""

import functools
from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from journey.audit.services import record
from journey.auth.access import CASEWORK_ROLES, get_enrollment_or_404, roles_required
from journey.cohorts.models import Cohort
from journey.enums import AuditAction, Role
from journey.extensions import db
from journey.i18n import gettext as _
from journey.outcomes import queries, sections, services
from journey.outcomes.forms import ExitForm, FollowUpForm, ReopenForm
from journey.participants.models import Enrollment
from journey.web.htmx_helpers import wants_partial

bp = Blueprint("outcomes", __name__)

SECTION = "outcomes/_section.html"
PAGE = "outcomes/page.html"


@functools.cache
def _load_options() -> tuple:
    # Built once: get_enrollment_or_404 reuses its statement for the same options.
    return (
        joinedload(Enrollment.participant),
        joinedload(Enrollment.cohort).joinedload(Cohort.program),
    )


def _load(enrollment_id: int) -> Enrollment:
    return get_enrollment_or_404(enrollment_id, *_load_options())


def _back(enrollment: Enrollment, anchor: str = "exit", **args):
    return redirect(url_for("journeys.enrollment", enrollment_id=enrollment.id, **args)
                    + f"#{anchor}")


def _render(enrollment: Enrollment, section: queries.OutcomeSection, *, title: str = "",
            status: int = 200, **state):
    """The section partial for htmx, else a page around the same section."""
    context = {"enrollment": enrollment, "outcome_section": section, **state}
    if wants_partial():
        # The exit changes the enrollment's status: refresh the page header too.
        html = render_template(SECTION, **context)
        html += render_template("enrollments/_status_line.html", enrollment=enrollment, oob=True)
        html += render_template("enrollments/_edit_link.html", enrollment=enrollment, oob=True)
        return html, status
    return render_template(PAGE, page_title=title or _("Exit and follow-up"), **context), status


def _record_view(enrollment: Enrollment, section: queries.OutcomeSection) -> None:
    record(
        AuditAction.view,
        object_type="exit_outcome" if section.exit else "enrollment",
        object_id=section.exit.id if section.exit else enrollment.id,
        participant_id=enrollment.participant_id,
    )


def _commit_after(response):
    """Commit once the response is built (committing expires what templates read)."""
    db.session.commit()
    return response


@bp.route("/enrollments/<int:enrollment_id>/outcome")
@roles_required(*CASEWORK_ROLES)
def section(enrollment_id: int):
    """The section as shown on the enrollment page (htmx "Cancel" swaps it back in)."""
    enrollment = _load(enrollment_id)
    if not wants_partial():
        return _back(enrollment)
    data = queries.outcome_section(enrollment)
    _record_view(enrollment, data)
    return _commit_after(_render(enrollment, data))


@bp.route("/enrollments/<int:enrollment_id>/exit", methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def exit_form(enrollment_id: int):
    """Record the exit: outcome, details; schedules the follow-ups."""
    enrollment = _load(enrollment_id)
    data = queries.outcome_section(enrollment)
    title = _("Record exit")
    if data.exit is not None:
        # One exit per enrollment: a second one is refused, the first one shown.
        if wants_partial() or _is_post():
            _record_view(enrollment, data)
            status = 409 if _is_post() else 200
            message = (_("An exit is already recorded for this enrollment.")
                       if _is_post() else None)
            return _commit_after(_render(enrollment, data, status=status,
                                         outcome_error=message))
        return _back(enrollment)
    form = ExitForm(prefix="exit")
    if not _is_post():
        _record_view(enrollment, data)
        return _commit_after(_render(enrollment, data, title=title, outcome_exit_form=form))
    if not form.validate_with(enrollment):
        return _render(enrollment, data, title=title, status=422, outcome_exit_form=form)
    try:
        services.record_exit(enrollment, form.data, current_user)
    except services.AlreadyExited:
        return _conflict(enrollment_id)
    except (IntegrityError, StaleDataError):
        # Someone else recorded the exit between our check and our write.
        db.session.rollback()
        return _conflict(enrollment_id)
    if not wants_partial():
        return _commit_after(_back(enrollment, outcome="exit_recorded"))
    fresh = queries.outcome_section(enrollment)
    return _commit_after(_render(enrollment, fresh,
                                 outcome_message=sections.message("exit_recorded")))


def _conflict(enrollment_id: int):
    enrollment = _load(enrollment_id)
    data = queries.outcome_section(enrollment)
    return _render(enrollment, data, status=409,
                   outcome_error=_("An exit is already recorded for this enrollment."))


def _is_post() -> bool:
    return request.method == "POST"


@bp.route("/enrollments/<int:enrollment_id>/follow-ups/<int:follow_up_id>",
          methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def follow_up(enrollment_id: int, follow_up_id: int):
    """Record what a follow-up found, or correct it later."""
    enrollment = _load(enrollment_id)
    data = queries.outcome_section(enrollment)
    row = data.row(follow_up_id)
    if row is None:
        abort(404)
    fu = row.follow_up
    title = _("Follow-up after %(months)d months", months=fu.months_after)
    if _is_post():
        form = FollowUpForm(prefix="follow-up")
    else:
        form = FollowUpForm(
            formdata=None, prefix="follow-up",
            status=fu.status.value if fu.status else "",
            source=fu.source.value if fu.source else "",
            recorded_on=fu.recorded_on or date.today(),
        )
        _record_view(enrollment, data)
        return _commit_after(_render(enrollment, data, title=title,
                                     outcome_follow_up_form=form,
                                     outcome_follow_up_id=fu.id))
    if not form.validate_with(data.exit):
        return _render(enrollment, data, title=title, status=422,
                       outcome_follow_up_form=form, outcome_follow_up_id=fu.id)
    changed = services.record_follow_up(fu, form.data, current_user, exit_outcome=data.exit)
    key = "follow_up_saved" if changed else "follow_up_unchanged"
    if not wants_partial():
        return _commit_after(_back(enrollment, anchor=f"follow-up-{fu.id}", outcome=key,
                                   follow_up=fu.id))
    fresh = queries.outcome_section(enrollment)
    return _commit_after(_render(enrollment, fresh, outcome_message=sections.message(key),
                                 outcome_message_follow_up_id=fu.id))


@bp.route("/enrollments/<int:enrollment_id>/exit/reopen", methods=["GET", "POST"])
@roles_required(Role.manager)
def reopen(enrollment_id: int):
    """Remove an exit recorded by mistake (managers only; asks for a reason first)."""
    enrollment = _load(enrollment_id)
    data = queries.outcome_section(enrollment)
    title = _("Remove the exit")
    if data.exit is None:
        # Already reopened (e.g. by someone else): show the section as it is now.
        if wants_partial():
            _record_view(enrollment, data)
            return _commit_after(_render(enrollment, data))
        return _back(enrollment)
    form = ReopenForm(prefix="reopen")
    if not _is_post():
        _record_view(enrollment, data)
        return _commit_after(_render(enrollment, data, title=title, outcome_reopen_form=form))
    if not form.validate():
        return _render(enrollment, data, title=title, status=422, outcome_reopen_form=form)
    services.reopen_exit(enrollment, form.reason.data, current_user)
    if not wants_partial():
        return _commit_after(_back(enrollment, outcome="reopened"))
    fresh = queries.outcome_section(enrollment)
    return _commit_after(_render(enrollment, fresh, outcome_message=sections.message("reopened")))
