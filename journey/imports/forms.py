from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length

from journey.i18n import lazy_gettext as _l


class ImportForm(FlaskForm):
    program_id = SelectField(_l("Programme"), coerce=int,
                             validators=[InputRequired(_l("Choose a programme."))])
    cohort_name = StringField(
        _l("Cohort"),
        validators=[InputRequired(_l("Enter the cohort's name.")), Length(max=200)],
        description=_l("An existing cohort of the programme, or a new one that is created."),
        render_kw={"list": "import-cohorts", "autocomplete": "off"},
    )
    file = FileField(
        _l("File (CSV or XLSX)"),
        description=_l("At most 5 MB and 10 000 rows. One row per enrollment."),
        render_kw={"accept": ".csv,.xlsx"},
    )
