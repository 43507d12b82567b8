"""The audit page's filter form (GET: no CSRF token, bookmarkable)."""

import re

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, Regexp, ValidationError

from journey.audit.queries import SYSTEM, AuditFilters, UserChoice
from journey.cohorts.forms import IsoDateField
from journey.enums import AuditAction, Role, choices, label
from journey.i18n import lazy_gettext as _l
from journey.web.fields import IntegerField

OBJECT_TYPE_RE = re.compile(r"^[a-z_]{1,50}$")
# The object types the app writes today, offered as suggestions (any such name may be typed).
KNOWN_OBJECT_TYPES = (
    "activity", "assessment", "audit_event", "caseload", "cohort", "enrollment",
    "exit_outcome", "follow_up", "group_session", "import_batch", "journey_step", "note",
    "organization", "participant", "participant_search", "plan_item", "portal_account",
    "portal_invite", "program", "step_template", "user",
)
MAX_ID = 2**31 - 1  # the largest id the integer columns hold


class IdField(IntegerField):
    """A whole number; other text fails the range check (one clear message)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only GET form; its values belong in the address

    user = SelectField(_l("User"), choices=[], validate_choice=False)
    participant = IdField(
        _l("Participant ID"),
        validators=[Optional(),
                    NumberRange(1, MAX_ID, message=_l("Enter the participant's ID as a "
                                                      "whole number, e.g. 123."))],
        description=_l("The participant's number in Journey, not the personal identity number."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    action = SelectField(
        _l("Action"),
        choices=[SelectChoice("", _l("All actions")), *choices(AuditAction)],
        validate_choice=False,
    )
    object_type = StringField(
        _l("Object type"),
        filters=[lambda v: (v or "").strip().lower()],
        validators=[Optional(),
                    Regexp(OBJECT_TYPE_RE, message=_l("Use only letters a–z and _, "
                                                      "e.g. enrollment."))],
        render_kw={"list": "audit-object-types", "autocomplete": "off", "spellcheck": "false"},
    )
    date_from = IsoDateField(_l("From date"), validators=[Optional()])
    date_to = IsoDateField(_l("To date"), validators=[Optional()])

    def set_users(self, users: list[UserChoice]) -> None:
        self.user.choices = [
            SelectChoice("", _l("All users")),
            SelectChoice(SYSTEM, _l("System (no user)")),
            *[SelectChoice(str(u.id), user_label(u.id, u.name, u.role)) for u in users],
        ]

    def validate_user(self, field) -> None:
        allowed = {str(choice.value) for choice in field.choices}
        if (field.data or "") not in allowed:
            raise ValidationError(_l("Choose a user from the list."))

    def validate_action(self, field) -> None:
        if (field.data or "") not in {"", *AuditAction}:
            raise ValidationError(_l("Choose an action from the list."))

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The to date cannot be before the from date."))

    def filters(self) -> AuditFilters:
        """The validated filters (call after ``validate()``)."""
        user = self.user.data or ""
        return AuditFilters(
            user_id=int(user) if user.isdigit() else None,
            system=user == SYSTEM,
            participant_id=self.participant.data,
            action=AuditAction(self.action.data) if self.action.data else None,
            object_type=self.object_type.data or "",
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )


def user_label(user_id: int | None, name: str | None, role: Role | None) -> str:
    """How a user shows on the audit page: name and role; a portal account by its id."""
    from flask_babel import gettext as _

    if user_id is None:
        return _("System")
    if name is None:
        return _("Participant account %(id)s", id=user_id)
    return f"{name} ({label(Role, role)})"
