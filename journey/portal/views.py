"""The participant portal: my plan, my next meetings, my self-assessment.

Only the ``participant`` role reaches these routes (others get 404), and every
enrollment is loaded through ``get_enrollment_or_404``, whose scope limits a
participant to their own record. Coaches' notes and activity notes are never
read here.
"""

import functools
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user
from sqlalchemy.orm import joinedload

from journey.audit.services import record
from journey.auth.access import get_enrollment_or_404, roles_required
from journey.cohorts.models import Cohort
from journey.enums import AuditAction, PlanOwner, Role, StepStatus
from journey.extensions import db
from journey.i18n import lazy_gettext as _l
from journey.journeys import services
from journey.journeys.models import PlanItem
from journey.participants.models import Enrollment
from journey.portal import queries
from journey.portal.forms import OwnPlanItemForm, SelfAssessmentForm
from journey.web.htmx_helpers import wants_partial

bp = Blueprint("portal", __name__, url_prefix="/portal")

# Step statuses in the participant's words.
STEP_STATUS = {
    StepStatus.not_started: _l("Not started yet"),
    StepStatus.in_progress: _l("In progress"),
    StepStatus.done: _l("Done"),
    StepStatus.skipped: _l("Skipped"),
}

# code -> (message with the item's title, message without it)
NOTICES = {
    "plan-added": (_l("“%(title)s” is now in your plan."), _l("Added to your plan.")),
    "plan-done": (_l("Well done! “%(title)s” is marked as done."), _l("Marked as done.")),
    "plan-reopened": (_l("“%(title)s” is marked as not done."), _l("Marked as not done.")),
}


@dataclass(frozen=True)
class Notice:
    """A confirmation shown in one enrollment's plan section."""

    code: str
    enrollment_id: int
    item_id: int | None = None

    def text(self, items) -> str:
        with_title, plain = NOTICES[self.code]
        for item in items:
            if item.id == self.item_id:
                return str(with_title).replace("%(title)s", item.title)
        return str(plain)


def _notice_from_args() -> Notice | None:
    """Without JavaScript the confirmation travels in the query string after the redirect."""
    code = request.args.get("notice", "")
    enrollment_id = request.args.get("enrollment", type=int)
    if code not in NOTICES or enrollment_id is None:
        return None
    return Notice(code, enrollment_id, request.args.get("item", type=int))


def _helpers() -> dict:
    return {
        "step_status": lambda status: str(STEP_STATUS[StepStatus(status)]),
        "weekday": lambda day: format_date(day, "EEEE"),
    }


def _viewed(enrollment: Enrollment, detail: str) -> None:
    record(AuditAction.view, object_type="enrollment", object_id=enrollment.id,
           participant_id=enrollment.participant_id, detail=detail)


@functools.cache
def _load_options() -> tuple:
    # Built once: get_enrollment_or_404 reuses its statement for the same options.
    return (joinedload(Enrollment.cohort).joinedload(Cohort.program),)


def _load(enrollment_id: int) -> Enrollment:
    return get_enrollment_or_404(enrollment_id, *_load_options())


def _load_open(enrollment_id: int) -> Enrollment:
    """An enrollment whose plan the participant may change (not after the programme)."""
    enrollment = _load(enrollment_id)
    if not queries.is_open(enrollment):
        abort(404)
    return enrollment


def _own_item(enrollment: Enrollment, item_id: int) -> PlanItem:
    """A plan item of this enrollment that the participant does; anything else is 404."""
    item = db.session.scalars(
        sa.select(PlanItem).where(PlanItem.id == item_id,
                                  PlanItem.enrollment_id == enrollment.id,
                                  PlanItem.owner == PlanOwner.participant)
    ).first()
    if item is None:
        abort(404)
    return item


def _plan_form(enrollment_id: int, formdata=None) -> OwnPlanItemForm:
    prefix = f"plan-{enrollment_id}"
    if formdata is None:
        return OwnPlanItemForm(formdata=None, prefix=prefix)
    return OwnPlanItemForm(prefix=prefix)


def _plan_page(*, notice: Notice | None = None, forms: dict | None = None):
    """Render the whole plan page; returns (html, participant)."""
    participant = queries.own_participant(current_user.id)
    enrollments = list(participant.enrollments) if participant else []
    open_ids = [e.id for e in enrollments if queries.is_open(e)]
    forms = forms or {}
    html = render_template(
        "portal/plan.html",
        participant=participant,
        enrollments=enrollments,
        plan_items=queries.plan_items(open_ids),
        meetings=queries.upcoming_meetings(open_ids, today=date.today()),
        summaries=queries.assessment_summaries([e.id for e in enrollments]),
        plan_forms={eid: forms.get(eid) or _plan_form(eid) for eid in open_ids},
        notice=notice,
        current_step=queries.current_step,
        **_helpers(),
    )
    return html, participant


def _plan_partial(enrollment: Enrollment, *, form: OwnPlanItemForm | None = None,
                  notice: Notice | None = None, focus: str | None = None) -> str:
    """The plan section's body, plus its status line swapped out of band."""
    items = queries.plan_items([enrollment.id])[enrollment.id]
    form = form or _plan_form(enrollment.id)
    if focus == "title":
        # htmx focuses an ``autofocus`` element of swapped content: ready for the next item.
        form.title.render_kw = {**(form.title.render_kw or {}), "autofocus": True}
    context = {"enrollment": enrollment, "items": items, "notice": notice,
               "form": form, "focus": focus}
    return (render_template("portal/_plan.html", **context)
            + render_template("portal/_plan_status.html", oob=True, **context))


def _back_to_plan(enrollment: Enrollment, code: str, item_id: int | None):
    """Without JavaScript: back to the plan section, where the confirmation shows."""
    return redirect(url_for("portal.plan", notice=code, enrollment=enrollment.id, item=item_id)
                    + f"#plan-{enrollment.id}")


@bp.route("/")
@roles_required(Role.participant)
def plan():
    """The participant's own plan: goal, steps, next meetings, to-do list."""
    html, participant = _plan_page(notice=_notice_from_args())
    if participant is not None:
        # Rendered before the commit: committing would expire what the template reads.
        record(AuditAction.view, object_type="participant", object_id=participant.id,
               participant_id=participant.id, detail="portal")
        db.session.commit()
    return html


@bp.route("/enrollments/<int:enrollment_id>/plan", methods=["GET", "POST"])
@roles_required(Role.participant)
def plan_items(enrollment_id: int):
    """The plan section (htmx: its body; otherwise the page); POST adds the participant's item."""
    enrollment = _load_open(enrollment_id)
    if request.method == "GET":
        if not wants_partial():
            return redirect(url_for("portal.plan") + f"#plan-{enrollment.id}")
        _viewed(enrollment, "portal plan")
        html = _plan_partial(enrollment)
        db.session.commit()
        return html
    form = _plan_form(enrollment.id, formdata=request.form)
    if form.validate_on_submit():
        try:
            item = services.add_plan_item(enrollment, title=form.title.data,
                                          due_on=form.due_on.data, owner=PlanOwner.participant,
                                          created_by=current_user)
        except services.InvalidChange as exc:
            for name, message in exc.errors.items():
                getattr(form, name).errors.append(str(message))
        else:
            item_id = item.id
            db.session.commit()
            if not wants_partial():
                return _back_to_plan(enrollment, "plan-added", item_id)
            return _plan_partial(enrollment, notice=Notice("plan-added", enrollment.id, item_id),
                                 focus="title")
    # Invalid input: the form with its messages, nothing saved. htmx 2 swaps only
    # 2xx answers by default, so the partial is a 200; the full page is a 422.
    if wants_partial():
        return _plan_partial(enrollment, form=form, focus="title")
    html, _participant = _plan_page(forms={enrollment.id: form})
    _viewed(enrollment, "portal plan")
    db.session.commit()
    return html, 422


@bp.route("/enrollments/<int:enrollment_id>/plan/<int:item_id>/toggle", methods=["POST"])
@roles_required(Role.participant)
def toggle_item(enrollment_id: int, item_id: int):
    """Tick one's own item off or open it again (``done`` = 1/0; without it, the state flips)."""
    enrollment = _load_open(enrollment_id)
    item = _own_item(enrollment, item_id)
    wanted = request.form.get("done")
    done = wanted == "1" if wanted in ("0", "1") else item.done_on is None
    services.set_plan_item_done(item, done)
    db.session.commit()
    code = "plan-done" if done else "plan-reopened"
    if not wants_partial():
        return _back_to_plan(enrollment, code, item_id)
    return _plan_partial(enrollment, notice=Notice(code, enrollment.id, item_id),
                         focus=f"toggle-{item_id}")


@bp.route("/enrollments/<int:enrollment_id>/assessment", methods=["GET", "POST"])
@roles_required(Role.participant)
def assessment(enrollment_id: int):
    """My self-assessment: rate each area 1–10 and see the change since the first time."""
    enrollment = _load(enrollment_id)
    charts = queries.assessment_charts(enrollment.id)
    phase = queries.next_phase(enrollment, bool(charts.grid.columns))
    previous = {a.area: a.latest for a in charts.areas if a.latest is not None}
    if request.method == "POST":
        form = SelfAssessmentForm()
        if form.validate_on_submit():
            try:
                services.record_assessment(enrollment, taken_on=date.today(), phase=phase,
                                           scores=form.scores(), created_by=current_user)
            except services.InvalidChange as exc:
                for name, message in exc.errors.items():
                    field = getattr(form, name, None)
                    if field is not None:
                        field.errors = [*field.errors, str(message)]
            else:
                db.session.commit()
                return redirect(url_for("portal.assessment", enrollment_id=enrollment.id,
                                        saved=1) + "#results")
        html = render_template("portal/assessment.html", enrollment=enrollment,
                               charts=charts, phase=phase, form=form, saved=False,
                               previous=previous)
        _viewed(enrollment, "portal self-assessment")
        db.session.commit()
        return html, 422
    form = SelfAssessmentForm(formdata=None)
    html = render_template("portal/assessment.html", enrollment=enrollment, charts=charts,
                           phase=phase, form=form, saved=request.args.get("saved") == "1",
                           previous=previous)
    _viewed(enrollment, "portal self-assessment")
    db.session.commit()
    return html
