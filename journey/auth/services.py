"""User accounts: creation, authentication, password and session changes."""

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from journey.audit.services import record
from journey.auth.models import Organization, User
from journey.enums import AuditAction, Locale, Role
from journey.extensions import db

MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    """A refused account change; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_or_create_organization(name: str) -> Organization:
    name = name.strip()
    if not name:
        raise AccountError(_("The organisation name is missing."))
    org = db.session.scalars(sa.select(Organization).where(Organization.name == name)).first()
    if org is None:
        org = Organization(name=name)
        db.session.add(org)
        db.session.flush()
    return org


def create_user(
    email: str,
    *,
    role: Role | str,
    organization: Organization,
    name: str = "",
    password: str | None = None,
    locale: Locale = Locale.sv,
) -> User:
    """Create a user account.

    :param email: unique, compared case-insensitively.
    :param role: one of the roles of DOMAIN.md.
    :param password: at least 12 characters; ``None`` leaves the account
        without a password (it cannot log in until one is set).
    """
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(_("Invalid email address: %(email)s", email=email))
    try:
        role = Role(role)
    except ValueError as exc:
        raise AccountError(
            _("Unknown role. Choose one of: %(roles)s", roles=", ".join(r.value for r in Role))
        ) from exc
    if db.session.scalars(sa.select(User.id).where(User.email == email)).first():
        raise AccountError(
            _("A user with the email address %(email)s already exists.", email=email)
        )
    user = User(
        email=email,
        role=role,
        organization=organization,
        name=name.strip() or email.split("@")[0],
        locale=locale,
    )
    if password is not None:
        check_password_rules(password)
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(AuditAction.create, object_type="user", object_id=user.id, user=None,
           organization_id=organization.id, detail=f"role={role.value}")
    return user


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH),
            field="new",
        )


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, else ``None``.

    A failed attempt leaves a ``login_failed`` audit event; the caller shows one
    generic message whether the email or the password was wrong.
    """
    user = db.session.scalars(
        sa.select(User).where(User.email == normalise_email(email))
    ).first()
    if user is None or not user.is_active or not user.check_password(password):
        record(
            AuditAction.login_failed,
            object_type="user",
            object_id=user.id if user else None,
            user=None,
            organization_id=user.organization_id if user else None,
        )
        return None
    user.last_login_at = datetime.now(UTC)
    record(AuditAction.login, object_type="user", object_id=user.id, user=user)
    return user


def log_out_everywhere(user: User) -> None:
    """Invalidate every session cookie issued to this user so far."""
    user.rotate_session_token()


def change_password(user: User, current: str, new: str) -> None:
    """:raises AccountError: when the current password is wrong or the new one weak."""
    if not user.check_password(current):
        raise AccountError(_("The current password is not correct."), field="current")
    check_password_rules(new)
    user.set_password(new)
    log_out_everywhere(user)
    record(AuditAction.update, object_type="user", object_id=user.id, detail="password")
