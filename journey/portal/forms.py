"""Forms of the participant portal: the participant's own plan item and self-assessment."""

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from journey.enums import LABELS, AssessmentArea
from journey.i18n import lazy_gettext as _l

TITLE_MAX = 300
SCORES = tuple(range(1, 11))

# One plain sentence per area, written for the participant.
AREA_HELP = {
    "job_skills": _l("How well you know what is needed in the job you want."),
    "motivation": _l("How much you want to, and have the energy to, work towards your goal."),
    "job_search": _l("How well you know how to look for work: ads, CV and contacts."),
    "language": _l("How well you manage in Swedish at work and in everyday life."),
    "stability": _l("How well your everyday life works: home, money and routines."),
    "health": _l("How you feel, in body and mind."),
    "social_network": _l("People around you who can help and support you."),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class OwnPlanItemForm(FlaskForm):
    """Something the participant will do; the owner is always the participant."""

    title = StringField(
        _l("What will you do?"), filters=[_strip],
        validators=[DataRequired(message=_l("Write what you will do.")),
                    Length(max=TITLE_MAX, message=_l("At most %(max)d characters."))],
    )
    due_on = DateField(_l("Done by (optional)"), validators=[Optional()])


class ScoreField(RadioField):
    """A 1–10 score picked from ten radio buttons; anything else counts as not chosen."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, choices=[SelectChoice(n, str(n)) for n in SCORES], coerce=int,
                         validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None

    def pre_validate(self, form):
        if self.data not in SCORES:
            self.errors[:] = []
            raise StopValidation(str(_l("%(area)s: choose a number from 1 to 10.",
                                        area=self.label.text)))


def score_field_name(area: AssessmentArea | str) -> str:
    return f"score_{AssessmentArea(area).value}"


class SelfAssessmentForm(FlaskForm):
    """A score from 1 to 10 for every area; the date and phase are set by the view."""

    def scores(self) -> dict[AssessmentArea, int | None]:
        return {area: getattr(self, score_field_name(area)).data for area in AssessmentArea}

    def score_fields(self):
        return [(area, getattr(self, score_field_name(area)), AREA_HELP[area.value])
                for area in AssessmentArea]


for _area in AssessmentArea:
    setattr(SelfAssessmentForm, score_field_name(_area),
            ScoreField(LABELS[AssessmentArea][_area.value]))
