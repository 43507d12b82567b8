"""User accounts: creation, authentication, password and session changes."""

from datetime import UTC, datetime

import sqlalchemy as sa

from journey.audit.services import record
from journey.auth.models import Organization, User
from journey.auth.passwords import password_problems
from journey.enums import AuditAction, Locale, Role
from journey.extensions import db
from journey.i18n import gettext as _


class AccountError(ValueError):
    """A refused account change; ``field`` names the form field at fault.

    ``messages`` holds every reason (several password rules can fail at once);
    ``str(error)`` joins them for the CLI.
    """

    def __init__(self, message: str | list[str], field: str | None = None):
        self.messages = [str(m) for m in message] if isinstance(message, list) else [message]
        super().__init__(" ".join(self.messages))
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
        check_password_rules(password, email=user.email, name=user.name)
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(AuditAction.create, object_type="user", object_id=user.id, user=None,
           organization_id=organization.id, detail=f"role={role.value}")
    return user


def check_password_rules(password: str, *, email: str | None = None,
                         name: str | None = None) -> None:
    """:raises AccountError: with every rule of ``passwords.password_problems`` it breaks."""
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise AccountError([str(p) for p in problems], field="new")


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, else ``None``.

    A failed attempt leaves a ``login_failed`` audit event; the caller shows one
    generic message whether the email or the password was wrong.
    """
    user = db.session.scalars(
        sa.select(User).where(User.email == normalise_email(email))
    ).first()
    if user is None:
        reason = "unknown account"
    elif not user.check_password(password):
        reason = "wrong password"
    elif not user.is_active:
        reason = "deactivated"
    else:
        reason = ""
    if reason:
        # The submitted email is not stored: people type passwords into that field.
        record(
            AuditAction.login_failed,
            object_type="user",
            object_id=user.id if user else None,
            user=None,
            organization_id=user.organization_id if user else None,
            detail=reason,
        )
        return None
    user.last_login_at = datetime.now(UTC)
    record(AuditAction.login, object_type="user", object_id=user.id, user=user)
    return user


def record_throttled_login(email: str) -> None:
    """Audit a login attempt refused by throttling (the password was not checked)."""
    user = db.session.scalars(
        sa.select(User).where(User.email == normalise_email(email))
    ).first()
    record(
        AuditAction.login_failed,
        object_type="user",
        object_id=user.id if user else None,
        user=None,
        organization_id=user.organization_id if user else None,
        detail="throttled",
    )


def record_session_expired(user: User, reason: str) -> None:
    """Audit a logout forced by the idle or absolute session limit."""
    record(AuditAction.logout, object_type="user", object_id=user.id, user=user, detail=reason)


def log_out_everywhere(user: User) -> None:
    """Invalidate every session cookie issued to this user so far."""
    user.rotate_session_token()


def change_password(user: User, current: str, new: str) -> None:
    """:raises AccountError: when the current password is wrong or the new one weak."""
    if not user.check_password(current):
        raise AccountError(_("The current password is not correct."), field="current")
    check_password_rules(new, email=user.email, name=user.name)
    user.set_password(new)
    log_out_everywhere(user)
    record(AuditAction.update, object_type="user", object_id=user.id, detail="password")


def update_user(user: User, *, actor: User, name: str, role: Role | str, is_active: bool) -> None:
    """An admin changes another account's name, role or active flag.

    A role change or a deactivation rotates the session token, so the user's
    very next request with an old cookie is anonymous.

    :param actor: the admin making the change; they cannot deactivate themself,
        and nobody can demote or deactivate the organisation's last active admin.
    :raises AccountError: when a rule above or the portal-role rule is broken.
    """
    role = Role(role)
    name = name.strip()
    if not name:
        raise AccountError(_("Enter a name."), field="name")
    role_changed = role != user.role
    deactivated = user.is_active and not is_active
    if user.id == actor.id and deactivated:
        raise AccountError(_("You cannot deactivate your own account."), field="is_active")
    if role_changed and Role.participant in (role, user.role):
        # Portal accounts belong to a participant record; staff accounts do not.
        raise AccountError(
            _("Participant accounts and staff accounts cannot be turned into each other."),
            field="role",
        )
    if user.role == Role.admin and user.is_active and (role_changed or deactivated):
        other_admins = db.session.scalar(
            sa.select(sa.func.count(User.id)).where(
                User.organization_id == user.organization_id,
                User.role == Role.admin,
                User.is_active.is_(True),
                User.id != user.id,
            )
        )
        if not other_admins:
            raise AccountError(
                _("The organisation must keep at least one active administrator."),
                field="role" if role_changed else "is_active",
            )
    changes = []
    if name != user.name:
        changes.append("name")
        user.name = name
    if role_changed:
        changes.append(f"role {user.role.value}->{role.value}")
        user.role = role
    if is_active != user.is_active:
        changes.append("activated" if is_active else "deactivated")
        user.is_active = is_active
    if role_changed or deactivated:
        user.rotate_session_token()
    if changes:
        db.session.flush()
        record(AuditAction.update, object_type="user", object_id=user.id, user=actor,
               detail="; ".join(changes))
