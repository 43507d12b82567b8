import re
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError

from journey.enums import StepKind, choices
from journey.i18n import lazy_gettext as _l

# Spaces people type as thousands separators or before "%": plain, no-break, narrow no-break.
SPACES = re.compile(r"[\s\u00a0\u202f]+")


class PercentField(StringField):
    """A percentage typed as text ("50", "62,5", "62.5 %"); ``data`` is a Decimal or None."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        text = SPACES.sub("", self.raw).rstrip("%").replace(",", ".")
        if not text:
            self.data = None
            return
        try:
            self.data = Decimal(text)
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Give the target as a number between 0 and 100.")) from None
        if not self.data.is_finite():
            self.data = None
            raise ValueError(_l("Give the target as a number between 0 and 100."))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format(self.data, "f").replace(".", ",")


def _percent_range(_form, field):
    if field.data is not None and not 0 <= field.data <= 100:
        raise ValidationError(_l("The target must be between 0 and 100 per cent."))


class ProgramForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(message=_l("Enter a name.")),
            Length(max=200, message=_l("The name can be at most 200 characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=5000, message=_l("The description is too long."))],
        render_kw={"rows": 4},
    )
    outcome_target = PercentField(
        _l("Target for job or studies (%)"),
        validators=[_percent_range],
        description=_l("Share of leavers who should go on to work or studies, 0–100. "
                       "Leave empty if the programme has no target."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    is_active = BooleanField(
        _l("Active programme"),
        description=_l("Inactive programmes stay in reports but are listed last."),
        default=True,
    )


class StepTemplateForm(FlaskForm):
    name = StringField(
        _l("Name of the step"),
        validators=[
            InputRequired(message=_l("Enter a name.")),
            Length(max=200, message=_l("The name can be at most 200 characters.")),
        ],
    )
    kind = SelectField(_l("Kind of step"), choices=choices(StepKind),
                       validate_choice=True)


class StepRenameForm(FlaskForm):
    name = StringField(
        _l("New name"),
        validators=[
            InputRequired(message=_l("Enter a name.")),
            Length(max=200, message=_l("The name can be at most 200 characters.")),
        ],
    )


class StepMoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])


class StepRetireForm(FlaskForm):
    retire = HiddenField(validators=[AnyOf(["1", "0"])])
