"""Write audit events in the same transaction as the change they describe."""

from flask import has_request_context, request
from flask_login import current_user

from journey.audit.models import AuditEvent
from journey.enums import AuditAction
from journey.extensions import db


def _client_ip() -> str:
    if not has_request_context():
        return ""
    return (request.remote_addr or "")[:45]


def record(
    action: AuditAction,
    *,
    object_type: str = "",
    object_id: int | None = None,
    participant_id: int | None = None,
    detail: str = "",
    user=None,
    organization_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the session (committed with the caller's change).

    :param action: what happened.
    :param object_type: table-like name of the object, e.g. ``"enrollment"``.
    :param participant_id: the participant whose data was read or changed.
    :param detail: short free text; never personal identity numbers.
    :param user: acting user; defaults to the logged-in user.
    """
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=object_id,
        participant_id=participant_id,
        detail=detail[:2000],
        user_id=user.id if user is not None else None,
        organization_id=(
            organization_id
            if organization_id is not None
            else (user.organization_id if user is not None else None)
        ),
        ip=_client_ip(),
    )
    db.session.add(event)
    return event
