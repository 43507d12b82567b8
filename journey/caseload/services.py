"""Change an organisation's "needs attention" thresholds."""

from dataclasses import dataclass, fields

from journey.audit.services import record
from journey.enums import AuditAction
from journey.extensions import db
from journey.i18n import gettext as _

# Allowed range of each threshold; the form and the service share it.
BOUNDS = {
    "no_contact_days": (1, 365),
    "no_show_streak": (1, 10),
    "no_step_days": (1, 365),
    "follow_up_days": (0, 365),
}


class SettingsError(ValueError):
    """A threshold is out of range; ``field`` names the form field."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class AttentionSettings:
    no_contact_days: int
    no_show_streak: int
    no_step_days: int
    follow_up_days: int

    @classmethod
    def of(cls, organization) -> "AttentionSettings":
        return cls(**{f.name: getattr(organization, f"attention_{f.name}") for f in fields(cls)})


def update_attention_settings(organization, data: AttentionSettings) -> bool:
    """Save the thresholds on ``organization``; returns whether anything changed.

    :param organization: the manager's own organisation.
    :param data: the new thresholds, each within ``BOUNDS``.
    :raises SettingsError: a value is outside its range (nothing is changed).
    """
    for f in fields(data):
        low, high = BOUNDS[f.name]
        value = getattr(data, f.name)
        if not isinstance(value, int) or not low <= value <= high:
            raise SettingsError(
                _("Enter a whole number from %(min)s to %(max)s.", min=low, max=high), f.name
            )
    changes = []
    for f in fields(data):
        column = f"attention_{f.name}"
        old, new = getattr(organization, column), getattr(data, f.name)
        if old != new:
            setattr(organization, column, new)
            changes.append(f"{column}: {old} -> {new}")
    if not changes:
        return False
    db.session.flush()
    record(
        AuditAction.update,
        object_type="organization",
        object_id=organization.id,
        detail="; ".join(changes),
        organization_id=organization.id,
    )
    return True
