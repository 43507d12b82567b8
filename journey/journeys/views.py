import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from journey.audit.services import record
from journey.auth.access import CASEWORK_ROLES, get_enrollment_or_404, roles_required
from journey.cohorts.models import Cohort
from journey.enums import AuditAction, StepStatus, label
from journey.extensions import db
from journey.journeys import services
from journey.journeys.forms import StepStatusForm
from journey.journeys.models import JourneyStep
from journey.participants.models import Enrollment
from journey.web.htmx_helpers import render_partial_or_page, wants_partial

bp = Blueprint("journeys", __name__)


def _load(enrollment_id: int) -> Enrollment:
    return get_enrollment_or_404(
        enrollment_id,
        joinedload(Enrollment.participant),
        joinedload(Enrollment.cohort).joinedload(Cohort.program),
        joinedload(Enrollment.coach),
        selectinload(Enrollment.steps),
    )


def _page_context(enrollment: Enrollment) -> dict:
    """Everything the enrollment page renders; each feature adds its own section."""
    from journey.activities import sections as activity_sections
    from journey.journeys import sections as journey_sections
    from journey.outcomes import sections as outcome_sections

    return {
        "enrollment": enrollment,
        "forms": _step_forms(enrollment),
        **journey_sections.context(enrollment),
        **activity_sections.context(enrollment),
        **outcome_sections.context(enrollment),
    }


def _step_forms(enrollment: Enrollment) -> dict[int, StepStatusForm]:
    return {
        s.id: StepStatusForm(formdata=None, status=s.status.value, prefix=f"step-{s.id}")
        for s in enrollment.steps
    }


@bp.route("/enrollments/<int:enrollment_id>")
@roles_required(*CASEWORK_ROLES)
def enrollment(enrollment_id: int):
    """A participant's enrollment: profile summary and journey steps."""
    enrollment = _load(enrollment_id)
    record(
        AuditAction.view,
        object_type="enrollment",
        object_id=enrollment.id,
        participant_id=enrollment.participant_id,
    )
    # Render before committing: the commit would expire what the template reads.
    html = render_partial_or_page(
        "enrollments/enrollment.html",
        "enrollments/_steps.html",
        **_page_context(enrollment),
        saved_step_id=request.args.get("saved", type=int),
    )
    db.session.commit()
    return html


@bp.route("/enrollments/<int:enrollment_id>/steps/<int:step_id>", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def update_step(enrollment_id: int, step_id: int):
    """Change one step's status (htmx swaps the step; without JS, back to the page)."""
    enrollment = _load(enrollment_id)
    step = db.session.scalars(
        sa.select(JourneyStep).where(
            JourneyStep.id == step_id, JourneyStep.enrollment_id == enrollment.id
        )
    ).first()
    if step is None:
        abort(404)
    form = StepStatusForm(prefix=f"step-{step.id}")
    if form.validate_on_submit():
        services.set_step_status(step, StepStatus(form.status.data))
        db.session.commit()
        message = _("“%(step)s” is now: %(status)s", step=step.name,
                    status=label(StepStatus, step.status))
        if not wants_partial():
            # Back to the step itself, where the confirmation is shown (a flash at
            # the top of the page would be scrolled out of view).
            return redirect(url_for("journeys.enrollment", enrollment_id=enrollment.id,
                                    saved=step.id) + f"#step-{step.id}")
        return render_template(
            "enrollments/_step.html", enrollment=enrollment, step=step,
            form=StepStatusForm(formdata=None, status=step.status.value,
                                prefix=f"step-{step.id}"),
            status_message=message,
        )
    # Invalid input: re-render with the error, nothing saved.
    if wants_partial():
        return render_template("enrollments/_step.html", enrollment=enrollment, step=step,
                               form=form), 422
    context = _page_context(enrollment)
    context["forms"][step.id] = form
    return render_template("enrollments/enrollment.html", **context), 422

