import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from journey.enums import (
    BirthRegion,
    EducationLevel,
    EnrollmentStatus,
    Gender,
    IdKind,
    IncomeSource,
    LabourStatus,
    SwedishLevel,
    choices,
)
from journey.i18n import lazy_gettext as _l
from journey.participants import services
from journey.web.fields import IntegerField

_PHONE_CHARS = re.compile(r"^[0-9+()\-/ .]*$")


def _loose_phone(_form, field) -> None:
    """Digits with the usual separators; at least five digits."""
    value = (field.data or "").strip()
    if not value:
        return
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE_CHARS.match(value) or digits < 5:
        raise ValidationError(_l("Enter a phone number with digits, e.g. 070-123 45 67."))


def _version_of(field) -> int | None:
    try:
        return int(field.data)
    except (TypeError, ValueError):
        return None


class ParticipantForm(FlaskForm):
    """The intake (profile analysis) form, also used to edit the record."""

    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(message=_l("Enter the first name.")), Length(max=100)],
        render_kw={"autocomplete": "off"},
    )
    last_name = StringField(
        _l("Last name"),
        validators=[DataRequired(message=_l("Enter the last name.")), Length(max=100)],
        render_kw={"autocomplete": "off"},
    )
    id_kind = SelectField(_l("Kind of ID number"), choices=choices(IdKind),
                          default=IdKind.personnummer.value)
    national_id = StringField(
        _l("ID number"),
        validators=[Optional(), Length(max=20)],
        description=_l("YYYYMMDD-NNNN or YYMMDD-NNNN. Leave empty if the kind is “None”."),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    birth_date = DateField(
        _l("Date of birth"),
        validators=[Optional()],
        description=_l("Filled in from the ID number if you leave it empty."),
    )
    gender = SelectField(_l("Gender"), choices=choices(Gender), default=Gender.unknown.value)
    birth_region = SelectField(_l("Born in"), choices=choices(BirthRegion),
                               default=BirthRegion.unknown.value)
    arrival_year = IntegerField(
        _l("Year of arrival in Sweden"),
        validators=[Optional()],
        description=_l("For participants born outside Sweden."),
    )
    district = StringField(_l("District"), validators=[Length(max=100)],
                           description=_l("The residential area, e.g. Bäckby."))
    education_level = SelectField(_l("Education"), choices=choices(EducationLevel),
                                  default=EducationLevel.unknown.value)
    swedish_level = SelectField(_l("Swedish"), choices=choices(SwedishLevel),
                                default=SwedishLevel.unknown.value)
    phone = StringField(_l("Phone"), validators=[Length(max=40), _loose_phone],
                        render_kw={"autocomplete": "off", "inputmode": "tel"})
    email = EmailField(_l("Email"), validators=[Length(max=254)],
                       render_kw={"autocomplete": "off"})
    protected_identity = BooleanField(
        _l("Protected identity"),
        description=_l("The person has protected personal data (skyddade personuppgifter)."),
    )
    # Optimistic locking: the version the form was opened with (edit only).
    version = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        """Field checks first, then the profile rules shared with the services."""
        valid = super().validate(extra_validators)
        clean, errors = services.validate_profile(self.profile_data())
        for name, message in errors.items():
            field = getattr(self, name)
            if not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        self.clean_data = clean
        return valid

    def profile_data(self) -> dict:
        data = {name: getattr(self, name).data for name in services.PROFILE_FIELDS}
        # Fields that failed to parse (a bad date, a bad year) count as empty here;
        # their own error message is already on the field.
        for name in ("birth_date", "arrival_year"):
            if getattr(self, name).errors:
                data[name] = None
        return data

    @property
    def submitted_version(self) -> int | None:
        return _version_of(self.version)


class EnrollForm(FlaskForm):
    cohort_id = SelectField(_l("Cohort"), coerce=int, validate_choice=True)
    enrolled_on = DateField(
        _l("Enrolled on"),
        validators=[DataRequired(message=_l("Enter the enrollment date."))],
    )
    labour_status_at_entry = SelectField(_l("Labour status at entry"),
                                         choices=choices(LabourStatus),
                                         default=LabourStatus.unemployed.value)
    unemployed_months_at_entry = IntegerField(
        _l("Months unemployed at entry"), validators=[Optional()],
        description=_l("Whole months, 0–600. Leave empty if not known."),
    )
    income_at_entry = SelectField(_l("Income at entry"), choices=choices(IncomeSource),
                                  default=IncomeSource.unknown.value)
    coach_id = SelectField(_l("Coach"), coerce=int)


class EnrollmentEditForm(FlaskForm):
    coach_id = SelectField(_l("Coach"), coerce=int)
    status = SelectField(
        _l("Status"),
        choices=[c for c in choices(EnrollmentStatus) if c.value != EnrollmentStatus.exited],
    )
    goal = StringField(
        _l("Goal"), validators=[Length(max=300)],
        description=_l("What the participant works towards, in plain words, e.g. "
                       "“A job in elderly care”. Shown to the participant in the portal."),
    )
    labour_status_at_entry = SelectField(_l("Labour status at entry"),
                                         choices=choices(LabourStatus))
    unemployed_months_at_entry = IntegerField(
        _l("Months unemployed at entry"), validators=[Optional()],
        description=_l("Whole months, 0–600. Leave empty if not known."),
    )
    income_at_entry = SelectField(_l("Income at entry"), choices=choices(IncomeSource))
    version = HiddenField()

    @property
    def submitted_version(self) -> int | None:
        return _version_of(self.version)
