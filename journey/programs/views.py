from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from journey.auth.access import get_program_or_404, roles_required
from journey.enums import Role
from journey.extensions import db
from journey.i18n import format_percent_share
from journey.i18n import gettext as _
from journey.programs import services
from journey.programs.forms import (
    ProgramForm,
    StepMoveForm,
    StepRenameForm,
    StepRetireForm,
    StepTemplateForm,
)
from journey.programs.models import Program, StepTemplate
from journey.programs.queries import cohort_summaries, program_overview
from journey.web.htmx_helpers import wants_partial

bp = Blueprint("programs", __name__)

# Managers run their organisation's programmes; admins set them up (DOMAIN.md).
MANAGE_ROLES = (Role.manager, Role.admin)
# The overview lists each programme's newest cohorts; the programme page has them all
# (an organisation running for years has dozens per programme).
OVERVIEW_COHORTS = 6


def _program_data(form: ProgramForm) -> services.ProgramData:
    return services.ProgramData(
        name=form.name.data or "",
        description=form.description.data or "",
        is_active=bool(form.is_active.data),
        outcome_target_percent=form.outcome_target.data,
    )


def _apply_error(form, error: services.ProgramError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is None:
        target = form.name
    target.errors = [*target.errors, error.message]


@bp.route("/programs")
@roles_required(*MANAGE_ROLES)
def overview():
    """The manager's start page: every programme, its newest cohorts and totals."""
    programs = program_overview(current_user.organization_id)
    return render_template("manager/overview.html", programs=programs,
                           latest=OVERVIEW_COHORTS)


@bp.route("/programs/new", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def new_program():
    """Create a programme; its steps are added on the programme page."""
    form = ProgramForm()
    if form.validate_on_submit():
        try:
            program = services.create_program(current_user.organization_id, _program_data(form))
        except services.ProgramError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The programme “%(name)s” was created. Add its steps below.",
                    name=program.name), "success")
            return redirect(url_for("programs.program", program_id=program.id))
    status = 422 if form.is_submitted() else 200
    return render_template("programs/form.html", form=form, program=None), status


def _templates(program: Program) -> list[StepTemplate]:
    return services.templates_of(program)


def _steps_context(program: Program, **extra) -> dict:
    add_form = extra.pop("add_form", None) or StepTemplateForm(formdata=None, prefix="step")
    focus_id = extra.pop("focus_id", None)
    if focus_id == "step-name":
        # htmx focuses [autofocus] in swapped content: back in the name field after adding.
        add_form.name.render_kw = {"autofocus": True}
    return {
        "program": program,
        "templates": _templates(program),
        "add_form": add_form,
        "status_message": extra.pop("status_message", None),
        "focus_id": focus_id,
        "saved_id": extra.pop("saved_id", None),
        **extra,
    }


def _render_program(program: Program, status: int = 200, **extra):
    """The programme page, or only its step list for htmx."""
    context = _steps_context(program, **extra)
    saved = extra.get("saved")
    if saved:
        # The no-JS confirmation after a step change, shown next to the step list.
        saved_id, action = saved
        template = next((t for t in context["templates"] if t.id == saved_id), None)
        if template is not None:
            context["status_message"] = STEP_MESSAGES[action](template)
            context["saved_id"] = saved_id
    if wants_partial():
        return render_template("programs/_steps.html", **context), status
    context["cohorts"] = cohort_summaries(program.organization_id, program_id=program.id)
    return render_template("programs/program.html", **context), status


STEP_MESSAGES = {
    "added": lambda t: _("The step “%(step)s” was added last.", step=t.name),
    "moved": lambda t: _("“%(step)s” is now step %(position)d.", step=t.name,
                         position=t.position),
    "retired": lambda t: _("“%(step)s” was retired: new enrollments no longer get it.",
                           step=t.name),
    "reinstated": lambda t: _("“%(step)s” is in use again for new enrollments.", step=t.name),
    "renamed": lambda t: _("The step is now called “%(step)s”.", step=t.name),
    "unchanged": lambda t: _("“%(step)s” was not changed.", step=t.name),
}


@bp.route("/programs/<int:program_id>")
@roles_required(*MANAGE_ROLES)
def program(program_id: int):
    """A programme: description, target, step templates and cohorts."""
    program = get_program_or_404(program_id)
    saved_id = request.args.get("saved", type=int)
    action = request.args.get("action", "")
    saved = (saved_id, action) if saved_id and action in STEP_MESSAGES else None
    return _render_program(program, saved=saved)


@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def edit_program(program_id: int):
    """Edit a programme's name, description, target and active flag."""
    program = get_program_or_404(program_id)
    if request.method == "GET":
        form = ProgramForm(
            formdata=None,
            name=program.name,
            description=program.description,
            is_active=program.is_active,
            outcome_target=services.share_to_percent(program.outcome_target),
        )
        return render_template("programs/form.html", form=form, program=program)
    form = ProgramForm()
    if form.validate_on_submit():
        try:
            changed = services.update_program(program, _program_data(form))
        except services.ProgramError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            if changed:
                flash(_("The programme was saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for("programs.program", program_id=program.id))
    return render_template("programs/form.html", form=form, program=program), 422


def _template_or_404(program: Program, template_id: int) -> StepTemplate:
    template = db.session.scalars(
        sa.select(StepTemplate).where(StepTemplate.id == template_id,
                                      StepTemplate.program_id == program.id)
    ).first()
    if template is None:
        abort(404)
    return template


def _after_step_change(program: Program, template: StepTemplate, action: str, focus_id=None):
    """htmx gets the fresh step list; without JS, back to the step on the page."""
    if wants_partial():
        context = _steps_context(program, status_message=STEP_MESSAGES[action](template),
                                 focus_id=focus_id, saved_id=template.id)
        return render_template("programs/_steps.html", **context)
    return redirect(url_for("programs.program", program_id=program.id, saved=template.id,
                            action=action) + f"#step-template-{template.id}")


@bp.route("/programs/<int:program_id>/steps", methods=["POST"])
@roles_required(*MANAGE_ROLES)
def add_step(program_id: int):
    """Add a step template at the end of the programme's steps."""
    program = get_program_or_404(program_id)
    form = StepTemplateForm(prefix="step")
    if form.validate_on_submit():
        try:
            template = services.add_step_template(program, form.name.data, form.kind.data)
        except services.ProgramError as error:
            db.session.rollback()
            _apply_error(form, error)
        else:
            db.session.commit()
            return _after_step_change(program, template, "added", focus_id="step-name")
    return _render_program(program, 422, add_form=form, focus_id="step-name")


@bp.route("/programs/<int:program_id>/steps/<int:template_id>/move", methods=["POST"])
@roles_required(*MANAGE_ROLES)
def move_step(program_id: int, template_id: int):
    """Move a step template one place up or down."""
    program = get_program_or_404(program_id)
    template = _template_or_404(program, template_id)
    form = StepMoveForm()
    if not form.validate_on_submit():
        abort(400)
    direction = form.direction.data
    moved = services.move_step_template(template, direction)
    db.session.commit()
    return _after_step_change(program, template, "moved" if moved else "unchanged",
                              focus_id=f"move-{direction}-{template.id}")


@bp.route("/programs/<int:program_id>/steps/<int:template_id>/retire", methods=["POST"])
@roles_required(*MANAGE_ROLES)
def retire_step(program_id: int, template_id: int):
    """Retire a step template (new enrollments skip it) or bring it back."""
    program = get_program_or_404(program_id)
    template = _template_or_404(program, template_id)
    form = StepRetireForm()
    if not form.validate_on_submit():
        abort(400)
    retire = form.retire.data == "1"
    changed = services.set_step_template_retired(template, retire)
    db.session.commit()
    action = ("retired" if retire else "reinstated") if changed else "unchanged"
    return _after_step_change(program, template, action, focus_id=f"retire-{template.id}")


@bp.route("/programs/<int:program_id>/steps/<int:template_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGE_ROLES)
def rename_step(program_id: int, template_id: int):
    """Rename a step template; enrollments that already have the step keep the old name."""
    program = get_program_or_404(program_id)
    template = _template_or_404(program, template_id)
    form = StepRenameForm(formdata=None, name=template.name) if request.method == "GET" \
        else StepRenameForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                changed = services.rename_step_template(template, form.name.data)
            except services.ProgramError as error:
                db.session.rollback()
                _apply_error(form, error)
            else:
                db.session.commit()
                return redirect(url_for("programs.program", program_id=program.id,
                                        saved=template.id,
                                        action="renamed" if changed else "unchanged")
                                + f"#step-template-{template.id}")
        return render_template("programs/step_edit.html", form=form, program=program,
                               template=template), 422
    return render_template("programs/step_edit.html", form=form, program=program,
                           template=template)



@bp.app_template_filter("target_percent")
def target_percent(share: Decimal | None) -> str:
    """A programme's target share as a percentage: 0.5 -> '50 %', 0.625 -> '62,5 %'."""
    if share is None:
        return "–"
    percent = Decimal(share) * 100
    digits = 0 if percent == percent.to_integral_value() else 1
    return format_percent_share(float(share), digits)
