from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from journey.enums import StepStatus, choices


class StepStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=choices(StepStatus))
