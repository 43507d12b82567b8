import re
from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from journey.i18n import lazy_gettext as _l

# Spaces people type as thousands separators: plain, no-break and narrow no-break.
SPACES = re.compile(r"[\s\u00a0\u202f]+")
KRONOR = re.compile(r"-?\d+")
MAX_COST = 10**12  # far above any cohort budget; keeps typos like an extra 000 000 out


class IsoDateField(DateField):
    """A date input (YYYY-MM-DD) whose parse error speaks plainly."""

    def process_formdata(self, valuelist):
        text = " ".join(valuelist).strip() if valuelist else ""
        if not text:
            self.data = None
            return
        try:
            self.data = date.fromisoformat(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter the date as YYYY-MM-DD, e.g. 2026-08-17.")) from None


class KronorField(StringField):
    """Whole kronor typed with or without spaces ("1 250 000", "1250000 kr")."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        text = SPACES.sub("", self.raw)
        if text.lower().endswith("kr"):
            text = text[:-2]
        if not text:
            self.data = None
            return
        if not KRONOR.fullmatch(text):
            self.data = None
            raise ValueError(_l("Give the cost in whole kronor, e.g. 1 250 000."))
        self.data = int(text)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return f"{self.data:,}".replace(",", " ")


def _cost_range(_form, field):
    if field.data is None:
        return
    if field.data < 0:
        raise ValidationError(_l("The cost cannot be negative."))
    if field.data > MAX_COST:
        raise ValidationError(_l("The cost is unreasonably large; check the number."))


def _ends_after_start(form, field):
    if field.data and form.starts_on.data and field.data < form.starts_on.data:
        raise ValidationError(_l("The end date cannot be before the start date."))


class CohortForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(message=_l("Enter a name.")),
            Length(max=200, message=_l("The name can be at most 200 characters.")),
        ],
        description=_l("For example “Spring 2026” or “Group 3”."),
    )
    starts_on = IsoDateField(
        _l("Start date"), validators=[InputRequired(message=_l("Enter the start date."))]
    )
    ends_on = IsoDateField(
        _l("End date"),
        validators=[Optional(), _ends_after_start],
        description=_l("Leave empty while the cohort is still running."),
    )
    cost_sek = KronorField(
        _l("Cost (SEK)"),
        validators=[_cost_range],
        description=_l("The cohort's total cost in whole kronor, used for cost per outcome. "
                       "Optional."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
