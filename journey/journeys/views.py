import functools

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from journey.audit.services import record
from journey.auth.access import CASEWORK_ROLES, get_enrollment_or_404, roles_required
from journey.cohorts.models import Cohort
from journey.enums import AuditAction, StepStatus, label
from journey.extensions import db
from journey.i18n import gettext as _
from journey.journeys import queries, sections, services
from journey.journeys.forms import (
    AssessmentForm,
    NoteForm,
    PlanItemForm,
    StepEditForm,
    StepStatusForm,
)
from journey.journeys.models import JourneyStep, Note, PlanItem
from journey.journeys.sections import Notice
from journey.participants.models import Enrollment
from journey.web.htmx_helpers import render_partial_or_page, wants_partial

bp = Blueprint("journeys", __name__)


@functools.cache
def _load_options() -> tuple:
    """What every view here shows of the enrollment, loaded with it (built once: building
    these options cost about a tenth of a millisecond per view)."""
    return (
        joinedload(Enrollment.participant),
        joinedload(Enrollment.cohort).joinedload(Cohort.program),
        joinedload(Enrollment.coach),
    )


def _load(enrollment_id: int) -> Enrollment:
    # The steps only where a page lists them (_steps).
    return get_enrollment_or_404(enrollment_id, *_load_options())


def _steps(enrollment: Enrollment) -> list[JourneyStep]:
    """``enrollment.steps``, read with the prepared statement of queries.steps if not
    loaded yet (a selectinload cost four times that query)."""
    if "steps" in sa.inspect(enrollment).unloaded:
        set_committed_value(enrollment, "steps", queries.steps(enrollment.id))
    return enrollment.steps


def _page_context(enrollment: Enrollment, *, forms: dict | None = None,
                  **section_overrides) -> dict:
    """Everything the enrollment page renders; each feature adds its own section."""
    from journey.activities import sections as activity_sections
    from journey.journeys import sections as journey_sections
    from journey.outcomes import sections as outcome_sections

    return {
        "enrollment": enrollment,
        "forms": {**_step_forms(enrollment), **(forms or {})},
        **journey_sections.context(enrollment, **section_overrides),
        **activity_sections.context(enrollment),
        **outcome_sections.context(enrollment),
    }


def _step_forms(enrollment: Enrollment) -> dict[int, StepStatusForm]:
    return {s.id: _status_form(s) for s in _steps(enrollment)}


def _status_form(step: JourneyStep) -> StepStatusForm:
    """A step's status form for display. Without its own CSRF field: the step's form
    writes the session's token itself (enrollments/_step_items.html), and the POST
    checks it with a form of its own; a CSRF field per step cost half the form."""
    return StepStatusForm(formdata=None, status=step.status.value, prefix=f"step-{step.id}",
                          meta={"csrf": False})


def _child(model, object_id: int, enrollment: Enrollment):
    """A step, plan item or note of this enrollment; anything else is 404."""
    obj = db.session.scalars(
        sa.select(model).where(model.id == object_id, model.enrollment_id == enrollment.id)
    ).first()
    if obj is None:
        abort(404)
    return obj


def _page_url(enrollment: Enrollment, anchor: str, **args) -> str:
    return url_for("journeys.enrollment", enrollment_id=enrollment.id, **args) + f"#{anchor}"


def _back(enrollment: Enrollment, anchor: str, notice: str, item_id: int | None = None):
    """Without JavaScript: back to the changed part of the page, where the confirmation shows."""
    return redirect(_page_url(enrollment, anchor, notice=notice, item=item_id))


def _attach_errors(form, errors: dict) -> None:
    for name, message in errors.items():
        field = getattr(form, name)
        field.errors = [*field.errors, str(message)]


def _invalid(enrollment: Enrollment, partial: str, partial_context: dict, **overrides):
    """Re-show a form with its errors, nothing saved.

    The htmx answer is 200 because htmx 2 does not swap 4xx responses by default;
    the full page (no JavaScript) is a 422.
    """
    if wants_partial():
        return render_template(partial, enrollment=enrollment, **partial_context)
    return render_template("enrollments/enrollment.html",
                           **_page_context(enrollment, **overrides)), 422


def _viewed(obj_type: str, obj_id: int, enrollment: Enrollment) -> None:
    record(AuditAction.view, object_type=obj_type, object_id=obj_id,
           participant_id=enrollment.participant_id)


# --- the page and its steps ----------------------------------------------------------------


@bp.route("/enrollments/<int:enrollment_id>")
@roles_required(*CASEWORK_ROLES)
def enrollment(enrollment_id: int):
    """A participant's enrollment: profile, steps, plan, assessments and notes."""
    enrollment = _load(enrollment_id)
    record(
        AuditAction.view,
        object_type="enrollment",
        object_id=enrollment.id,
        participant_id=enrollment.participant_id,
    )
    notice = sections.notice_from(request.args)
    if wants_partial():
        # Only the steps are swapped; the other sections' queries are not needed.
        context = {"enrollment": enrollment, "forms": _step_forms(enrollment)}
    else:
        context = _page_context(enrollment, notice=notice)
    context["notice"] = notice
    # Render before committing: the commit would expire what the template reads.
    html = render_partial_or_page(
        "enrollments/enrollment.html",
        "enrollments/_steps.html",
        **context,
        saved_step_id=request.args.get("saved", type=int),
    )
    db.session.commit()
    return html


@bp.route("/enrollments/<int:enrollment_id>/steps/<int:step_id>", methods=["GET"])
@roles_required(*CASEWORK_ROLES)
def step(enrollment_id: int, step_id: int):
    """One step (htmx: its partial, e.g. after cancelling an edit; otherwise the page)."""
    enrollment = _load(enrollment_id)
    step = _child(JourneyStep, step_id, enrollment)
    if not wants_partial():
        return redirect(_page_url(enrollment, f"step-{step.id}"))
    _viewed("journey_step", step.id, enrollment)
    html = render_template("enrollments/_step.html", enrollment=enrollment, step=step,
                           form=_status_form(step))
    db.session.commit()
    return html


@bp.route("/enrollments/<int:enrollment_id>/steps/<int:step_id>", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def update_step(enrollment_id: int, step_id: int):
    """Change one step's status (htmx swaps the step; without JS, back to the page)."""
    enrollment = _load(enrollment_id)
    step = _child(JourneyStep, step_id, enrollment)
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
            form=_status_form(step), status_message=message,
        )
    # Invalid input: re-render with the error, nothing saved.
    return _invalid(enrollment, "enrollments/_step.html", {"step": step, "form": form},
                    forms={step.id: form})


@bp.route("/enrollments/<int:enrollment_id>/steps/<int:step_id>/edit",
          methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def edit_step(enrollment_id: int, step_id: int):
    """Correct a step's dates and note (htmx: inline in the step; otherwise its own page)."""
    enrollment = _load(enrollment_id)
    step = _child(JourneyStep, step_id, enrollment)
    form = StepEditForm(obj=step, prefix=f"step-{step.id}-edit")
    if form.validate_on_submit():
        try:
            services.update_step(step, started_on=form.started_on.data,
                                 completed_on=form.completed_on.data, note=form.note.data)
        except services.InvalidChange as exc:
            _attach_errors(form, exc.errors)
        else:
            db.session.commit()
            if not wants_partial():
                return _back(enrollment, f"step-{step.id}", "step-saved", step.id)
            return render_template("enrollments/_step.html", enrollment=enrollment, step=step,
                                   form=_status_form(step),
                                   notice=Notice("step-saved", step.id))
    template = "enrollments/_step_edit.html" if wants_partial() else "enrollments/step_edit.html"
    html = render_template(template, enrollment=enrollment, step=step, form=form)
    if request.method == "POST":
        return html, (200 if wants_partial() else 422)
    _viewed("journey_step", step.id, enrollment)
    db.session.commit()
    return html


# --- plan ----------------------------------------------------------------------------------


def _plan_partial(enrollment: Enrollment, **kwargs) -> str:
    return render_template("journeys/_plan.html", enrollment=enrollment,
                           **sections.plan_context(enrollment, **kwargs))


def _plan_item_partial(enrollment: Enrollment, item: PlanItem, notice=None) -> str:
    html = render_template("journeys/_plan_item.html", enrollment=enrollment, item=item,
                           notice=notice)
    # Ticking an item changes the section's counts: refresh them out of band.
    return html + render_template("journeys/_plan_counts.html", oob=True,
                                  plan_items=queries.plan_items(enrollment.id))


@bp.route("/enrollments/<int:enrollment_id>/plan", methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def plan(enrollment_id: int):
    """The plan (htmx: the section; otherwise the page at #plan); POST adds an item."""
    enrollment = _load(enrollment_id)
    if request.method == "GET":
        if not wants_partial():
            return redirect(_page_url(enrollment, "plan"))
        _viewed("enrollment", enrollment.id, enrollment)
        html = _plan_partial(enrollment)
        db.session.commit()
        return html
    form = PlanItemForm(prefix="plan")
    if form.validate_on_submit():
        try:
            services.add_plan_item(enrollment, title=form.title.data, due_on=form.due_on.data,
                                   owner=form.owner.data, created_by=current_user)
        except services.InvalidChange as exc:
            _attach_errors(form, exc.errors)
        else:
            db.session.commit()
            if not wants_partial():
                return _back(enrollment, "plan", "plan-added")
            return _plan_partial(enrollment, notice=Notice("plan-added"))
    return _invalid(enrollment, "journeys/_plan.html",
                    sections.plan_context(enrollment, plan_form=form), plan_form=form)


@bp.route("/enrollments/<int:enrollment_id>/plan/<int:item_id>", methods=["GET"])
@roles_required(*CASEWORK_ROLES)
def plan_item(enrollment_id: int, item_id: int):
    """One plan item (htmx: its partial, e.g. after cancelling an edit; otherwise the page)."""
    enrollment = _load(enrollment_id)
    item = _child(PlanItem, item_id, enrollment)
    if not wants_partial():
        return redirect(_page_url(enrollment, f"plan-item-{item.id}"))
    _viewed("plan_item", item.id, enrollment)
    html = _plan_item_partial(enrollment, item)
    db.session.commit()
    return html


@bp.route("/enrollments/<int:enrollment_id>/plan/<int:item_id>/edit", methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def edit_plan_item(enrollment_id: int, item_id: int):
    """Change a plan item's title, due date and owner (htmx: inline; otherwise a page)."""
    enrollment = _load(enrollment_id)
    item = _child(PlanItem, item_id, enrollment)
    form = PlanItemForm(obj=item, prefix=f"plan-{item.id}")
    if form.validate_on_submit():
        try:
            services.update_plan_item(item, title=form.title.data, due_on=form.due_on.data,
                                      owner=form.owner.data)
        except services.InvalidChange as exc:
            _attach_errors(form, exc.errors)
        else:
            db.session.commit()
            if not wants_partial():
                return _back(enrollment, f"plan-item-{item.id}", "plan-saved", item.id)
            return _plan_item_partial(enrollment, item, Notice("plan-saved", item.id))
    template = ("journeys/_plan_item_edit.html" if wants_partial()
                else "journeys/plan_item_edit.html")
    html = render_template(template, enrollment=enrollment, item=item, form=form)
    if request.method == "POST":
        return html, (200 if wants_partial() else 422)
    _viewed("plan_item", item.id, enrollment)
    db.session.commit()
    return html


@bp.route("/enrollments/<int:enrollment_id>/plan/<int:item_id>/toggle", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def toggle_plan_item(enrollment_id: int, item_id: int):
    """Tick a plan item off or open it again (``done`` = 1/0; without it, the state flips)."""
    enrollment = _load(enrollment_id)
    item = _child(PlanItem, item_id, enrollment)
    wanted = request.form.get("done")
    done = wanted == "1" if wanted in ("0", "1") else item.done_on is None
    services.set_plan_item_done(item, done)
    db.session.commit()
    notice = Notice("plan-done" if done else "plan-reopened", item.id)
    if not wants_partial():
        return _back(enrollment, f"plan-item-{item.id}", notice.code, item.id)
    return _plan_item_partial(enrollment, item, notice)


@bp.route("/enrollments/<int:enrollment_id>/plan/<int:item_id>/delete", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def delete_plan_item(enrollment_id: int, item_id: int):
    """Remove a plan item (confirmed on the page first)."""
    enrollment = _load(enrollment_id)
    item = _child(PlanItem, item_id, enrollment)
    services.delete_plan_item(item)
    db.session.commit()
    if not wants_partial():
        return _back(enrollment, "plan", "plan-deleted")
    return _plan_partial(enrollment, notice=Notice("plan-deleted"))


# --- assessments ---------------------------------------------------------------------------


@bp.route("/enrollments/<int:enrollment_id>/assessments", methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def assessments(enrollment_id: int):
    """Self-assessments (htmx: the section; otherwise the page); POST records one."""
    enrollment = _load(enrollment_id)
    if request.method == "GET":
        if not wants_partial():
            return redirect(_page_url(enrollment, "assessments"))
        _viewed("enrollment", enrollment.id, enrollment)
        html = render_template("journeys/_assessments.html", enrollment=enrollment,
                               **sections.assessment_context(enrollment))
        db.session.commit()
        return html
    form = AssessmentForm(prefix="assessment")
    if form.validate_on_submit():
        try:
            services.record_assessment(enrollment, taken_on=form.taken_on.data,
                                       phase=form.phase.data, scores=form.scores(),
                                       created_by=current_user)
        except services.InvalidChange as exc:
            _attach_errors(form, exc.errors)
        else:
            db.session.commit()
            if not wants_partial():
                return _back(enrollment, "assessments", "assessment-added")
            return render_template(
                "journeys/_assessments.html", enrollment=enrollment,
                **sections.assessment_context(enrollment, notice=Notice("assessment-added")))
    return _invalid(enrollment, "journeys/_assessments.html",
                    sections.assessment_context(enrollment, assessment_form=form),
                    assessment_form=form)


@bp.route("/enrollments/<int:enrollment_id>/assessments/new")
@roles_required(*CASEWORK_ROLES)
def new_assessment(enrollment_id: int):
    """The form for a new self-assessment: htmx fetches it into the section's "Record
    an assessment" box when it is opened; without JavaScript, a page of its own."""
    enrollment = _load(enrollment_id)
    form = sections.new_assessment_form(queries.has_assessments(enrollment.id))
    # The form's default phase tells whether the participant has been assessed.
    _viewed("enrollment", enrollment.id, enrollment)
    template = ("journeys/_assessment_form.html" if wants_partial()
                else "journeys/assessment_new.html")
    html = render_template(template, enrollment=enrollment, form=form)
    db.session.commit()
    return html


# --- notes ---------------------------------------------------------------------------------


def _notes_partial(enrollment: Enrollment, **kwargs) -> str:
    return render_template("journeys/_notes.html", enrollment=enrollment,
                           **sections.notes_context(enrollment, **kwargs))


@bp.route("/enrollments/<int:enrollment_id>/notes", methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def notes(enrollment_id: int):
    """Coaches' notes (htmx: the section; otherwise the page); POST adds one."""
    enrollment = _load(enrollment_id)
    if request.method == "GET":
        if not wants_partial():
            return redirect(_page_url(enrollment, "notes"))
        _viewed("enrollment", enrollment.id, enrollment)
        html = _notes_partial(enrollment)
        db.session.commit()
        return html
    form = NoteForm(prefix="note")
    if form.validate_on_submit():
        try:
            services.add_note(enrollment, author=current_user, body=form.body.data)
        except services.InvalidChange as exc:
            _attach_errors(form, exc.errors)
        else:
            db.session.commit()
            if not wants_partial():
                return _back(enrollment, "notes", "note-added")
            return _notes_partial(enrollment, notice=Notice("note-added"))
    return _invalid(enrollment, "journeys/_notes.html",
                    sections.notes_context(enrollment, note_form=form), note_form=form)


@bp.route("/enrollments/<int:enrollment_id>/notes/<int:note_id>/delete", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def delete_note(enrollment_id: int, note_id: int):
    """Delete one's own note (confirmed on the page first); others' notes answer 404."""
    enrollment = _load(enrollment_id)
    note = _child(Note, note_id, enrollment)
    if not services.can_delete_note(note, current_user):
        # Like anything out of reach: 404 (the app has no page for 403).
        abort(404)
    services.delete_note(note, by=current_user)
    db.session.commit()
    if not wants_partial():
        return _back(enrollment, "notes", "note-deleted")
    return _notes_partial(enrollment, notice=Notice("note-deleted"))
