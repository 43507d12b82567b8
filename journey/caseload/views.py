from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from journey.audit.services import record
from journey.auth.access import roles_required
from journey.caseload import queries, services
from journey.caseload.forms import AttentionSettingsForm
from journey.enums import AuditAction, Role
from journey.extensions import db
from journey.i18n import gettext as _
from journey.web.htmx_helpers import render_partial_or_page, wants_partial
from journey.web.urls import url_pattern

bp = Blueprint("caseload", __name__)

# Thresholds are organisation settings: the manager's, and the admin who sets things up.
SETTINGS_ROLES = (Role.manager, Role.admin)
# How many of the "needs attention" list the caseload page shows; the rest is a link away.
ATTENTION_ON_CASELOAD = 8


@bp.route("/caseload")
@roles_required(Role.coach)
def caseload():
    """The coach's open enrollments, sortable and filterable, and who needs attention."""
    filters = queries.CaseloadFilters.from_args(request.args)
    rows = queries.caseload(current_user.id, filters)
    facets = queries.caseload_facets(current_user.id, filters, rows)
    attention = thresholds = None
    if not wants_partial():  # the htmx swap replaces only the table
        thresholds = queries.Thresholds.of_organization_id(current_user.organization_id)
        # Only the most pressing few: the whole list has its own page.
        attention = queries.attention_page(current_user.id, thresholds,
                                           per_page=ATTENTION_ON_CASELOAD)
    if rows or (attention and attention.entries):
        # The page names participants: leave a trace of who looked (no names in it).
        record(AuditAction.view, object_type="caseload", object_id=current_user.id,
               detail=f"{len(rows)} enrollments listed, "
                      + (f"{attention.total} need attention, {len(attention.entries)} shown"
                         if attention is not None else "- need attention"))
    # Render before committing: the commit would expire what the template reads.
    html = render_partial_or_page(
        "caseload/caseload.html", "caseload/_table.html",
        rows=rows, facets=facets, filters=filters, attention=attention, thresholds=thresholds,
        enrollment_url=url_pattern("journeys.enrollment", "enrollment_id"),
    )
    db.session.commit()
    response = make_response(html)
    if wants_partial():
        # The address bar shows the canonical URL (no empty filter fields).
        response.headers["HX-Push-Url"] = url_for("caseload.caseload", **filters.query_args())
    return response


@bp.route("/caseload/attention")
@roles_required(Role.coach)
def attention():
    """The whole "needs attention" list, most pressing first, a page at a time."""
    thresholds = queries.Thresholds.of_organization_id(current_user.organization_id)
    result = queries.attention_page(
        current_user.id, thresholds,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config.get("PAGE_SIZE", 50),
    )
    if result.entries:
        # The list names participants: leave a trace of who looked (no names in it).
        record(AuditAction.view, object_type="caseload", object_id=current_user.id,
               detail=f"attention list page {result.page}, {len(result.entries)} of "
                      f"{result.total} shown")
    # Render before committing: the commit would expire what the template reads.
    html = render_partial_or_page(
        "caseload/attention.html", "caseload/_attention_results.html",
        result=result, thresholds=thresholds,
        enrollment_url=url_pattern("journeys.enrollment", "enrollment_id"),
    )
    db.session.commit()
    return html


@bp.route("/settings/attention", methods=["GET", "POST"])
@roles_required(*SETTINGS_ROLES)
def attention_settings():
    """The organisation's thresholds for the coaches' "needs attention" list."""
    organization = current_user.organization
    current = services.AttentionSettings.of(organization)
    form = AttentionSettingsForm(data=vars(current))
    if form.validate_on_submit():
        data = services.AttentionSettings(
            no_contact_days=form.no_contact_days.data,
            no_show_streak=form.no_show_streak.data,
            no_step_days=form.no_step_days.data,
            follow_up_days=form.follow_up_days.data,
        )
        try:
            changed = services.update_attention_settings(organization, data)
        except services.SettingsError as error:
            db.session.rollback()
            field = getattr(form, error.field)
            field.errors = [*field.errors, error.message]
        else:
            db.session.commit()
            if changed:
                flash(_("The attention settings were saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("caseload.attention_settings"))
    status = 422 if form.is_submitted() else 200
    return render_template("caseload/settings.html", form=form,
                           organization=organization), status
