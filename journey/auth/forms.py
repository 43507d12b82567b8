from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from journey.enums import Locale, Role, choices
from journey.i18n import lazy_gettext as _l
from journey.web.fast_fields import PasswordField


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"),
        # Length and content rules: journey/auth/passwords.py, with one message per rule.
        validators=[DataRequired()],
        description=_l("At least 12 characters. Not a common password, and not your name "
                       "or email address."),
    )
    repeat = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The passwords do not match."))],
    )


class LocaleForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=choices(Locale))


class UserEditForm(FlaskForm):
    """An admin edits another account: name, role and whether it may log in."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=choices(Role))
    is_active = BooleanField(
        _l("Active (can log in)"),
        description=_l("A deactivated user is logged out at once and cannot log in."),
    )
