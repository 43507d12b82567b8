"""Context for the plan, assessment and note sections of the enrollment page.

Each section costs one query whatever the amount of data, so the page's query
count stays fixed. The confirmations after a change travel as a short code in
the query string (``?notice=plan-added``) when JavaScript is off, and are shown
inside the section the browser scrolls to.
"""

from dataclasses import dataclass
from datetime import date

from journey.enums import AssessmentPhase
from journey.i18n import lazy_gettext as _l
from journey.journeys import queries
from journey.journeys.forms import AssessmentForm, NoteForm, PlanItemForm

# code -> (section, message)
NOTICES = {
    "step-saved": ("steps", _l("The changes have been saved.")),
    "plan-added": ("plan", _l("The item has been added to the plan.")),
    "plan-saved": ("plan", _l("The changes have been saved.")),
    "plan-done": ("plan", _l("Marked as done.")),
    "plan-reopened": ("plan", _l("Marked as not done.")),
    "plan-deleted": ("plan", _l("The item has been removed from the plan.")),
    "assessment-added": ("assessments", _l("The assessment has been saved.")),
    "note-added": ("notes", _l("The note has been saved.")),
    "note-deleted": ("notes", _l("The note has been deleted.")),
}


@dataclass(frozen=True)
class Notice:
    code: str
    item_id: int | None = None

    @property
    def section(self) -> str:
        return NOTICES[self.code][0]

    @property
    def message(self) -> str:
        return str(NOTICES[self.code][1])

    def for_section(self, section: str) -> bool:
        """Shown at the top of the section (not at one item of it)."""
        return self.section == section and self.item_id is None

    def for_item(self, section: str, item_id: int) -> bool:
        return self.section == section and self.item_id == item_id


def notice_from(args) -> Notice | None:
    """The confirmation named in a request's query string, if it is one we know."""
    code = args.get("notice", "")
    if code not in NOTICES:
        return None
    return Notice(code, args.get("item", type=int))


def plan_context(enrollment, *, plan_form: PlanItemForm | None = None,
                 notice: Notice | None = None) -> dict:
    return {
        "plan_items": queries.plan_items(enrollment.id),
        "plan_form": plan_form or PlanItemForm(formdata=None, prefix="plan"),
        "notice": notice,
    }


def new_assessment_form(has_assessments: bool) -> AssessmentForm:
    """A blank assessment form: dated today; a first assessment is the intake one,
    later ones are usually midway."""
    phase = AssessmentPhase.midway if has_assessments else AssessmentPhase.intake
    return AssessmentForm(formdata=None, prefix="assessment", taken_on=date.today(),
                          phase=phase.value)


def assessment_context(enrollment, *, assessment_form: AssessmentForm | None = None,
                       notice: Notice | None = None) -> dict:
    """The grid, and the form when the section shows it at once: before the first
    assessment, or with errors to correct. Otherwise ``assessment_form`` is ``None``
    and the section fetches the form when it is opened (views.new_assessment)."""
    grid = queries.assessment_grid(enrollment.id)
    if assessment_form is None and not grid.columns:
        assessment_form = new_assessment_form(has_assessments=False)
    return {"assessment_grid": grid, "assessment_form": assessment_form, "notice": notice}


def notes_context(enrollment, *, note_form: NoteForm | None = None,
                  notice: Notice | None = None) -> dict:
    return {
        "notes": queries.notes(enrollment.id),
        "note_form": note_form or NoteForm(formdata=None, prefix="note"),
        "notice": notice,
    }


def context(enrollment, *, notice: Notice | None = None, plan_form=None,
            assessment_form=None, note_form=None) -> dict:
    """Extra template variables for the plan, assessment and note partials."""
    return {
        **plan_context(enrollment, plan_form=plan_form, notice=notice),
        **assessment_context(enrollment, assessment_form=assessment_form, notice=notice),
        **notes_context(enrollment, note_form=note_form, notice=notice),
    }
