from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField
from wtforms.validators import DataRequired, EqualTo, Length

from journey.i18n import lazy_gettext as _l
from journey.web.fast_fields import PasswordField


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Email address to log in with"),
        validators=[Length(max=254)],
        description=_l("The participant logs in with this address and a password they choose."),
    )


class LetterForm(FlaskForm):
    # The one-time token travels back in the form body (never in a URL) so the
    # letter can be printed without the token being stored anywhere.
    token = HiddenField(validators=[DataRequired(), Length(max=200)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Choose a password"),
        validators=[DataRequired(message=_l("Choose a password.")), Length(max=200)],
        description=_l("At least 12 characters. A short sentence is easy to remember."),
        render_kw={"autocomplete": "new-password"},
    )
    repeat = PasswordField(
        _l("Write the password again"),
        validators=[DataRequired(message=_l("Write the password again.")),
                    EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
