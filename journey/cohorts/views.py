from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from journey.audit.services import record
from journey.auth.access import get_cohort_or_404, get_program_or_404, roles_required
from journey.cohorts import services
from journey.cohorts.forms import CohortForm
from journey.cohorts.queries import cohort_counts, enrollment_page
from journey.enums import AuditAction, Role
from journey.extensions import db
from journey.i18n import gettext as _
from journey.programs.views import MANAGE_ROLES
from journey.web.htmx_helpers import render_partial_or_page

bp = Blueprint("cohorts", __name__)


def _cohort_data(form: CohortForm) -> services.CohortData:
    return services.CohortData(
        name=form.name.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        cost_sek=form.cost_sek.data,
    )


def _apply_error(form: CohortForm, error: services.CohortError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is None:
        target = form.name
    target.errors = [*target.errors, error.message]


@bp.route("/programs/<int:program_id>/cohorts/new", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def new_cohort(program_id: int):
    """Create a cohort in a programme."""
    program = get_program_or_404(program_id)
    form = CohortForm()
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(program, _cohort_data(form))
        except services.CohortError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The cohort “%(name)s” was created.", name=cohort.name), "success")
            return redirect(url_for("cohorts.cohort", cohort_id=cohort.id))
    status = 422 if form.is_submitted() else 200
    return render_template("cohorts/form.html", form=form, program=program, cohort=None), status


@bp.route("/cohorts/<int:cohort_id>")
@roles_required(*MANAGE_ROLES)
def cohort(cohort_id: int):
    """A cohort: dates, cost, counts and (for managers) its participants, 50 a page."""
    cohort = get_cohort_or_404(cohort_id)
    counts = cohort_counts(cohort.id)
    # Admins set programmes up but see no participant data (journey.auth.access).
    show_participants = current_user.role == Role.manager
    listing = None
    if show_participants:
        per_page = current_app.config.get("PAGE_SIZE", 50)
        listing = enrollment_page(cohort.id, current_user.organization_id,
                               request.args.get("page", 1, type=int), per_page, counts.total)
        if listing.rows:
            # The list names participants: leave a trace of who looked.
            record(AuditAction.view, object_type="cohort", object_id=cohort.id,
                   detail=f"enrollments page {listing.page}")
    # Render before committing: the commit would expire what the template reads.
    html = render_partial_or_page(
        "cohorts/cohort.html", "cohorts/_enrollments.html",
        cohort=cohort, counts=counts, listing=listing, show_participants=show_participants,
    )
    db.session.commit()
    return html


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def edit_cohort(cohort_id: int):
    """Edit a cohort's name, dates and cost."""
    cohort = get_cohort_or_404(cohort_id)
    program = cohort.program
    if request.method == "GET":
        form = CohortForm(formdata=None, name=cohort.name, starts_on=cohort.starts_on,
                          ends_on=cohort.ends_on, cost_sek=cohort.cost_sek)
        return render_template("cohorts/form.html", form=form, program=program, cohort=cohort)
    form = CohortForm()
    if form.validate_on_submit():
        try:
            changed = services.update_cohort(cohort, _cohort_data(form))
        except services.CohortError as error:
            _apply_error(form, error)
        else:
            db.session.commit()
            if changed:
                flash(_("The cohort was saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("cohorts.cohort", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, program=program, cohort=cohort), 422
