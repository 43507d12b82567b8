from flask_wtf import FlaskForm
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from journey.activities.services import MAX_DURATION_MINUTES, attendance_error
from journey.enums import ActivityKind, Attendance, choices
from journey.i18n import lazy_gettext as _l

# The same fields as WTForms', with widgets that render faster (same HTML).
from journey.web.fast_fields import (
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)

DURATION_MESSAGE = _l("Enter a duration between 1 and 600 minutes.")


class ActivityForm(FlaskForm):
    kind = SelectField(_l("Kind of activity"), choices=choices(ActivityKind))
    date = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))],
                     format="%Y-%m-%d")
    time = TimeField(_l("Time (optional)"), validators=[Optional()], format="%H:%M")
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        validators=[InputRequired(DURATION_MESSAGE),
                    NumberRange(1, MAX_DURATION_MINUTES, DURATION_MESSAGE)],
        default=60,
    )
    attendance = SelectField(_l("Attendance"), choices=choices(Attendance),
                             default=Attendance.planned.value)
    note = TextAreaField(
        _l("Note (only for staff)"),
        description=_l("Never shown to the participant."),
        validators=[Length(max=5000)],
    )

    def validate_attendance(self, field):
        if self.date.data is not None:
            message = attendance_error(self.date.data, field.data)
            if message:
                raise ValidationError(str(message))


class AttendanceForm(FlaskForm):
    """The quick attendance buttons of one activity."""

    attendance = SelectField(
        _l("Attendance"),
        choices=[c for c in choices(Attendance) if c.value != Attendance.planned],
        validators=[DataRequired()],
    )


class TokenForm(FlaskForm):
    """Only the CSRF token: a confirmation, or a form whose rows the view reads itself."""


class GroupSessionForm(FlaskForm):
    """The session's own fields; the attendance rows are read by the view."""

    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Give the session a title.")), Length(max=200)])
    kind = SelectField(_l("Kind of activity"), choices=choices(ActivityKind),
                       default=ActivityKind.workshop.value)
    date = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))],
                     format="%Y-%m-%d")
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        validators=[InputRequired(DURATION_MESSAGE),
                    NumberRange(1, MAX_DURATION_MINUTES, DURATION_MESSAGE)],
        default=120,
    )


def with_ids(form, prefix: str):
    """Give the form's fields unique ids on a page with several forms; names stay plain."""
    for field in form:
        field.id = f"{prefix}-{field.name}"
        field.label.field_id = field.id
    return form
