from datetime import date

from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from journey.enums import LABELS, AssessmentArea, AssessmentPhase, PlanOwner, StepStatus, choices
from journey.i18n import lazy_gettext as _l

# The same fields as WTForms', with widgets that render faster (same HTML).
from journey.web.fast_fields import (
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)

NOTE_MAX = 5000
STEP_NOTE_MAX = 2000
PLAN_TITLE_MAX = 300


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _NoFutureDates:
    """Date inputs that may not lie in the future get ``max`` = today (the service checks too)."""

    no_future = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = date.today().isoformat()
        for name in self.no_future:
            field = getattr(self, name)
            field.render_kw = {**(field.render_kw or {}), "max": today}


class ScoreField(IntegerField):
    """A 1–10 score; text that is not a number counts as missing (one clear message)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


class StepStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=choices(StepStatus))


class StepEditForm(_NoFutureDates, FlaskForm):
    """A step's dates and note (the status has its own form)."""

    no_future = ("started_on", "completed_on")

    started_on = DateField(
        _l("Started on"), validators=[Optional()],
        description=_l("Set automatically when the step starts."),
    )
    completed_on = DateField(
        _l("Finished on"), validators=[Optional()],
        description=_l("Only for a step that is done."),
    )
    note = TextAreaField(
        _l("Note on the step"), filters=[_strip],
        validators=[Length(max=STEP_NOTE_MAX,
                           message=_l("The note can be at most %(max)d characters."))],
    )


class PlanItemForm(FlaskForm):
    title = StringField(
        _l("What is to be done"), filters=[_strip],
        validators=[DataRequired(message=_l("Write what is to be done.")),
                    Length(max=PLAN_TITLE_MAX,
                           message=_l("At most %(max)d characters."))],
    )
    due_on = DateField(_l("Due by (optional)"), validators=[Optional()])
    owner = SelectField(_l("Who does it"), choices=choices(PlanOwner),
                        default=PlanOwner.participant.value)


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("New note"), filters=[_strip],
        validators=[DataRequired(message=_l("Write something before saving the note.")),
                    Length(max=NOTE_MAX,
                           message=_l("A note can be at most %(max)d characters."))],
    )


def score_field_name(area: AssessmentArea | str) -> str:
    return f"score_{AssessmentArea(area).value}"


class AssessmentForm(_NoFutureDates, FlaskForm):
    no_future = ("taken_on",)

    taken_on = DateField(
        _l("Date"), validators=[InputRequired(message=_l("Enter the date of the assessment."))]
    )
    phase = SelectField(_l("When in the programme"), choices=choices(AssessmentPhase))

    def scores(self) -> dict[AssessmentArea, int]:
        return {area: getattr(self, score_field_name(area)).data for area in AssessmentArea}

    def score_fields(self):
        return [getattr(self, score_field_name(area)) for area in AssessmentArea]


# One 1–10 field per area; every area is required so assessments stay comparable.
for _area in AssessmentArea:
    setattr(
        AssessmentForm,
        score_field_name(_area),
        ScoreField(
            LABELS[AssessmentArea][_area.value],
            validators=[
                InputRequired(message=_l("Give a score from 1 to 10.")),
                NumberRange(min=1, max=10, message=_l("Give a score from 1 to 10.")),
            ],
            render_kw={"min": 1, "max": 10, "inputmode": "numeric"},
        ),
    )
