"""Activity log of an enrollment, and group sessions with bulk attendance."""

import functools
import re
from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from journey.activities import queries, services
from journey.activities.forms import (
    ActivityForm,
    AttendanceForm,
    GroupSessionForm,
    TokenForm,
    with_ids,
)
from journey.activities.sections import (
    EARLIER_SHOWN,
    attendance_summary,
    earlier_page,
    earlier_rows,
    load_activity_log,
    new_activity_form,
)
from journey.audit.services import record
from journey.auth.access import (
    CASEWORK_ROLES,
    get_cohort_or_404,
    get_enrollment_or_404,
    roles_required,
)
from journey.enums import Attendance, AuditAction, label
from journey.extensions import db
from journey.i18n import gettext as _
from journey.participants.models import Enrollment
from journey.web.htmx_helpers import wants_partial

bp = Blueprint("activities", __name__)

NOT_INVITED = "not_invited"
ROSTER_FIELD = re.compile(r"^attendance-(.+)$")


# The quick attendance buttons of an activity row (a Jinja ``reject`` filter per row
# cost more than the rest of the row).
bp.add_app_template_global(services.quick_attendance, "quick_attendance")


# --- helpers -------------------------------------------------------------------------------

@functools.cache
def _load_options() -> tuple:
    # Built once: get_enrollment_or_404 reuses its statement for the same options.
    return (joinedload(Enrollment.participant),)


def _load_enrollment(enrollment_id: int) -> Enrollment:
    return get_enrollment_or_404(enrollment_id, *_load_options())


def _load_activity(enrollment: Enrollment, activity_id: int):
    activity = queries.activity_of(enrollment.id, activity_id)
    if activity is None:
        abort(404)
    return activity


def _focus(field) -> None:
    """Autofocus a field of a swapped-in form (htmx moves the focus there)."""
    field.render_kw = {**(field.render_kw or {}), "autofocus": True}


def _focus_first_error(form) -> None:
    for field in form:
        if field.errors:
            _focus(field)
            return


def _edit_form(activity, formdata=None) -> ActivityForm:
    form = ActivityForm(formdata=formdata, obj=None if formdata else activity)
    if formdata is None:
        form.kind.data = activity.kind.value
        form.attendance.data = activity.attendance.value
    return with_ids(form, f"activity-{activity.id}")


def _page_url(enrollment: Enrollment, saved: str) -> str:
    return url_for("journeys.enrollment", enrollment_id=enrollment.id, saved=saved) + \
        "#activities"


def _full_page(enrollment: Enrollment, status: int = 422, **overrides):
    """The whole enrollment page (for a browser without JavaScript), e.g. with errors."""
    from journey.journeys.views import _page_context

    context = _page_context(enrollment)
    context.update(overrides)
    return render_template("enrollments/enrollment.html", **context), status


def _section(enrollment: Enrollment, form=None, message=None, status: int = 200):
    return render_template(
        "activities/_section.html", enrollment=enrollment,
        activity_log=load_activity_log(enrollment.id),
        activity_form=form,  # None: the section fetches a blank one when it is opened
        activity_message=message, activity_errors={},
    ), status


def _row(enrollment, activity, status: int = 200, **extra):
    html = render_template("activities/_row.html", enrollment=enrollment,
                           activity=activity, **extra)
    if wants_partial():
        # The row's attendance may have changed: refresh the section's summary too.
        html += render_template(
            "activities/_summary.html", oob=True,
            activity_log=attendance_summary(enrollment.id))
    return html, status


def _audit_view(enrollment, activity) -> None:
    record(AuditAction.view, object_type="activity", object_id=activity.id,
           participant_id=enrollment.participant_id)


# --- the activity log of one enrollment -------------------------------------------------------

@bp.route("/enrollments/<int:enrollment_id>/activities", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def add(enrollment_id: int):
    """Add an activity (htmx swaps the section; without JS, back to the page)."""
    enrollment = _load_enrollment(enrollment_id)
    form = with_ids(ActivityForm(), "new-activity")
    if form.validate_on_submit():
        try:
            services.add_activity(enrollment, services.ActivityData.from_form(form.data))
        except services.ActivityError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(str(error.message))
        else:
            db.session.commit()
            if not wants_partial():
                return redirect(_page_url(enrollment, "activity-created"))
            return _section(enrollment, message=_("The activity has been added."))
    # Invalid input: nothing saved, the form comes back open with its messages.
    if wants_partial():
        _focus_first_error(form)
        return _section(enrollment, form=form, status=422)
    return _full_page(enrollment, activity_form=form)


@bp.route("/enrollments/<int:enrollment_id>/activities/new")
@roles_required(*CASEWORK_ROLES)
def new(enrollment_id: int):
    """The form for a new activity: htmx fetches it into the section's "Add an activity"
    box when it is opened; without JavaScript, a page of its own. Both post to ``add``."""
    enrollment = _load_enrollment(enrollment_id)
    template = "activities/_add_form.html" if wants_partial() else "activities/new.html"
    html = render_template(template, enrollment=enrollment,
                           activity_form=new_activity_form())
    if not wants_partial():
        # The page shows the participant's name; the fragment is a blank form.
        record(AuditAction.view, object_type="enrollment", object_id=enrollment.id,
               participant_id=enrollment.participant_id, detail="new activity form")
        db.session.commit()
    return html


@bp.route("/enrollments/<int:enrollment_id>/activities/earlier")
@roles_required(*CASEWORK_ROLES)
def earlier(enrollment_id: int):
    """Earlier activities.

    htmx ("Show earlier activities" under the section's list, ``?start=N`` when the
    list already shows N): the next 15 rows, appended to the list, and the button for
    the ones after. Without JavaScript: a page of its own, 15 a page, with newer and
    older links.
    """
    enrollment = _load_enrollment(enrollment_id)
    if wants_partial():
        start = request.args.get("start", EARLIER_SHOWN, type=int)
        listing = earlier_rows(enrollment.id, start)
        detail = f"earlier activities, from {listing.start + 1}"
        template = "activities/_earlier_rows.html"
    else:
        page = max(1, request.args.get("page", 1, type=int))
        listing = earlier_page(enrollment.id, page)  # past the end: the last page
        detail = f"earlier activities, page {listing.page}"
        template = "activities/earlier.html"
    record(AuditAction.view, object_type="enrollment", object_id=enrollment.id,
           participant_id=enrollment.participant_id, detail=detail)
    html = render_template(template, enrollment=enrollment, listing=listing)
    db.session.commit()
    return html


@bp.route("/enrollments/<int:enrollment_id>/activities/<int:activity_id>")
@roles_required(*CASEWORK_ROLES)
def row(enrollment_id: int, activity_id: int):
    """One activity row (htmx, e.g. after cancelling an edit); otherwise the page."""
    enrollment = _load_enrollment(enrollment_id)
    activity = _load_activity(enrollment, activity_id)
    if not wants_partial():
        return redirect(url_for("journeys.enrollment", enrollment_id=enrollment.id)
                        + f"#activity-{activity.id}")
    _audit_view(enrollment, activity)
    html, status = _row(enrollment, activity)
    db.session.commit()
    return html, status


@bp.route("/enrollments/<int:enrollment_id>/activities/<int:activity_id>/edit",
          methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def edit(enrollment_id: int, activity_id: int):
    """Edit an activity: inline form with htmx, a page of its own without JS."""
    enrollment = _load_enrollment(enrollment_id)
    activity = _load_activity(enrollment, activity_id)
    template = "activities/_edit_row.html" if wants_partial() else "activities/edit.html"
    if request.method == "GET":
        _audit_view(enrollment, activity)
        form = _edit_form(activity)
        if wants_partial():
            # The form replaces the row the focus was in: move the focus into it.
            _focus(form.kind)
        html = render_template(template, enrollment=enrollment, activity=activity, form=form)
        db.session.commit()
        return html
    form = _edit_form(activity, request.form)
    if form.validate_on_submit():
        try:
            services.update_activity(activity, enrollment,
                                     services.ActivityData.from_form(form.data))
        except services.ActivityError as error:
            db.session.rollback()
            activity = _load_activity(enrollment, activity_id)
            getattr(form, error.field).errors.append(str(error.message))
        else:
            db.session.commit()
            if not wants_partial():
                return redirect(_page_url(enrollment, "activity-updated"))
            return _row(enrollment, activity, row_message=_("The activity has been saved."))
    if wants_partial():
        _focus_first_error(form)
    return render_template(template, enrollment=enrollment, activity=activity, form=form), 422


@bp.route("/enrollments/<int:enrollment_id>/activities/<int:activity_id>/attendance",
          methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def attendance(enrollment_id: int, activity_id: int):
    """Quick attendance: attended, no-show or cancelled (htmx swaps the row)."""
    enrollment = _load_enrollment(enrollment_id)
    activity = _load_activity(enrollment, activity_id)
    form = AttendanceForm()
    error = None
    if form.validate_on_submit():
        try:
            services.set_attendance(activity, enrollment, Attendance(form.attendance.data))
        except services.ActivityError as exc:
            db.session.rollback()
            activity = _load_activity(enrollment, activity_id)
            error = str(exc.message)
        else:
            db.session.commit()
            if not wants_partial():
                return redirect(_page_url(enrollment, "activity-attendance"))
            return _row(enrollment, activity, row_message=_("The attendance has been saved."))
    else:
        error = _("Choose attended, no-show or cancelled.")
    if wants_partial():
        return _row(enrollment, activity, status=422, row_error=error)
    return _full_page(enrollment, activity_errors={activity.id: error})


@bp.route("/enrollments/<int:enrollment_id>/activities/<int:activity_id>/delete",
          methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def delete(enrollment_id: int, activity_id: int):
    """Remove an activity after a confirmation (inline with htmx, a page without JS)."""
    enrollment = _load_enrollment(enrollment_id)
    activity = _load_activity(enrollment, activity_id)
    form = TokenForm()
    if request.method == "POST" and form.validate_on_submit():
        services.delete_activity(activity, enrollment)
        db.session.commit()
        if not wants_partial():
            return redirect(_page_url(enrollment, "activity-deleted"))
        return render_template("activities/_deleted_row.html", activity_id=activity_id)
    template = "activities/_delete_row.html" if wants_partial() else "activities/delete.html"
    _audit_view(enrollment, activity)
    html = render_template(template, enrollment=enrollment, activity=activity, form=form)
    db.session.commit()
    return html


# --- group sessions ----------------------------------------------------------------------------

def _cohort_or_404(cohort_id: int):
    cohort = get_cohort_or_404(cohort_id)
    if not queries.can_record_in(current_user, cohort.id):
        abort(404)
    return cohort


def _parse_roster(formdata, allowed: set[int]):
    """Read ``attendance-<enrollment id>`` fields: (roster, row errors, general error).

    Any id the caller may not record for (another cohort, another coach's
    participant) fails the whole submission.
    """
    roster: dict[int, Attendance | None] = {}
    row_errors: dict[int, str] = {}
    general = None
    valid = {a.value for a in Attendance}
    for key in formdata:
        match = ROSTER_FIELD.match(key)
        if not match:
            continue
        raw_id, value = match.group(1), formdata.get(key, "")
        if not raw_id.isdigit() or int(raw_id) not in allowed:
            general = _("The list contains a participant who is not in this cohort "
                        "or not in your caseload. Nothing was saved.")
            continue
        enrollment_id = int(raw_id)
        if value == NOT_INVITED:
            roster[enrollment_id] = None
        elif value in valid:
            roster[enrollment_id] = Attendance(value)
        else:
            row_errors[enrollment_id] = _("Choose an attendance.")
    return roster, row_errors, general


def _default_choice(on: date | None) -> str:
    if on is not None and on > date.today():
        return Attendance.planned.value
    return Attendance.attended.value


def _render_session_form(template: str, status: int = 200, **context):
    return render_template(template, attendance_choices=_attendance_choices(), **context), status


def _attendance_choices():
    return [(a.value, label(Attendance, a)) for a in (
        Attendance.attended, Attendance.no_show, Attendance.cancelled, Attendance.planned)] + \
        [(NOT_INVITED, _("Not invited"))]


@bp.route("/group-sessions")
@roles_required(*CASEWORK_ROLES)
def group_sessions():
    """Recent group sessions of the caller's cohorts, and where to record a new one."""
    return render_template(
        "activities/group_sessions.html",
        sessions=queries.recent_group_sessions(current_user),
        cohorts=queries.cohort_choices(current_user),
        limit=queries.RECENT_SESSIONS,
    )


@bp.route("/cohorts/<int:cohort_id>/group-sessions/new", methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def new_group_session(cohort_id: int):
    """Record a group session and everyone's attendance in one form."""
    cohort = _cohort_or_404(cohort_id)
    entries = queries.roster(current_user, cohort.id)
    enrollments = {e.enrollment.id: e.enrollment for e in entries}
    form = GroupSessionForm()
    if request.method == "GET":
        form.date.data = date.today()
        selected = {eid: _default_choice(form.date.data) for eid in enrollments}
        return _render_session_form("activities/group_session_form.html", cohort=cohort,
                                    form=form, entries=entries, selected=selected)
    roster, row_errors, general = _parse_roster(request.form, set(enrollments))
    form_ok = form.validate_on_submit()
    if form_ok and not row_errors and not general:
        if form.date.data is not None:
            row_errors.update(services.roster_errors(form.date.data, roster))
        if not row_errors:
            try:
                session = services.create_group_session(
                    cohort, services.SessionData.from_form(form.data), enrollments, roster)
            except services.ActivityError as error:
                db.session.rollback()
                general = str(error.message)
            else:
                db.session.commit()
                return redirect(url_for("activities.group_session", session_id=session.id,
                                        saved="created"))
    selected = {eid: request.form.get(f"attendance-{eid}", NOT_INVITED)
                for eid in enrollments}
    return _render_session_form(
        "activities/group_session_form.html", 422, cohort=cohort, form=form,
        entries=entries, selected=selected, row_errors=row_errors,
        general_error=general or (_("Nothing was saved. Correct the marked rows.")
                                  if row_errors else None))


@bp.route("/group-sessions/<int:session_id>", methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def group_session(session_id: int):
    """A group session and its attendance, which can be corrected in bulk."""
    session = queries.group_session_in_scope(current_user, session_id)
    if session is None:
        abort(404)
    entries = queries.roster(current_user, session.cohort_id, session.id)
    enrollments = {e.enrollment.id: e.enrollment for e in entries}
    existing = {e.enrollment.id: e.activity for e in entries if e.activity is not None}
    form = TokenForm()
    context = {"session": session, "cohort": session.cohort, "entries": entries, "form": form}
    if request.method == "GET":
        selected = {eid: existing[eid].attendance.value if eid in existing else NOT_INVITED
                    for eid in enrollments}
        record(AuditAction.view, object_type="group_session", object_id=session.id)
        html, status = _render_session_form(
            "activities/group_session.html", selected=selected,
            saved=request.args.get("saved"), **context)
        db.session.commit()
        return html, status
    roster, row_errors, general = _parse_roster(request.form, set(enrollments))
    if form.validate_on_submit() and not row_errors and not general:
        row_errors.update(services.roster_errors(session.date, roster))
        if not row_errors:
            try:
                services.update_group_attendance(session, enrollments, existing, roster)
            except services.ActivityError as error:
                db.session.rollback()
                general = str(error.message)
            else:
                db.session.commit()
                return redirect(url_for("activities.group_session", session_id=session.id,
                                        saved="updated"))
    selected = {eid: request.form.get(
        f"attendance-{eid}",
        existing[eid].attendance.value if eid in existing else NOT_INVITED)
        for eid in enrollments}
    return _render_session_form(
        "activities/group_session.html", 422, selected=selected, row_errors=row_errors,
        general_error=general or (_("Nothing was saved. Correct the marked rows.")
                                  if row_errors else None), **context)
