from flask_wtf import FlaskForm
from wtforms.validators import InputRequired, NumberRange

from journey.caseload.services import BOUNDS
from journey.i18n import lazy_gettext as _l
from journey.web.fields import IntegerField


class WholeNumberField(IntegerField):
    """Text that is not a whole number fails the range check: one clear message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


def _days_field(name: str, label, description):
    low, high = BOUNDS[name]
    return WholeNumberField(
        label,
        description=description,
        validators=[
            InputRequired(message=_l("Enter a number.")),
            NumberRange(low, high, message=_l("Enter a whole number from %(min)s to %(max)s.",
                                              min=low, max=high)),
        ],
        render_kw={"min": low, "max": high, "inputmode": "numeric", "class": "number-input"},
    )


class AttentionSettingsForm(FlaskForm):
    no_contact_days = _days_field(
        "no_contact_days",
        _l("Days without attended contact"),
        _l("Flag a participant when more days than this have passed since the last "
           "meeting they attended (or since enrollment, if none)."),
    )
    no_show_streak = _days_field(
        "no_show_streak",
        _l("No-shows in a row"),
        _l("Flag a participant who did not show up this many times in a row. "
           "Planned and cancelled meetings are not counted."),
    )
    no_step_days = _days_field(
        "no_step_days",
        _l("Days after enrollment without a started step"),
        _l("Flag a participant when more days than this have passed since enrollment "
           "and no step has been started."),
    )
    follow_up_days = _days_field(
        "follow_up_days",
        _l("Days before a follow-up is due"),
        _l("Show a follow-up after exit this many days before it is due, and until it "
           "is recorded."),
    )
