from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from journey.i18n import lazy_gettext as _l

CONFIRM_WORD = "AVIDENTIFIERA"


class AnonymiseForm(FlaskForm):
    confirm = StringField(
        _l("Type AVIDENTIFIERA or the participant's last name to confirm"),
        validators=[DataRequired(message=_l("Type the word to confirm."))],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    reason = TextAreaField(
        _l("Reason"),
        description=_l("For example “Asked to be forgotten”. Write no personal details here: "
                       "the reason is kept in the audit trail."),
        validators=[DataRequired(message=_l("Give a reason.")),
                    Length(max=500, message=_l("At most 500 characters."))],
        render_kw={"rows": 3},
    )

    def confirms(self, last_name: str) -> bool:
        typed = (self.confirm.data or "").strip()
        return typed == CONFIRM_WORD or (bool(last_name) and
                                         typed.casefold() == last_name.strip().casefold())
