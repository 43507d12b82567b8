"""Portal access: a coach invites a participant, the participant sets a password.

An invite is a random token handed over once (a link or a printed letter with a
QR code). Only its SHA-256 hash is stored. It is valid for seven days and for
one use; issuing a new invite cancels the earlier ones, so there is at most one
live link per participant. A forgotten password is solved the same way: the
coach issues a new invite. Revoking access deactivates the account at once.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from journey.audit.services import record
from journey.auth.models import User
from journey.db import utcnow
from journey.enums import AuditAction, Locale, Role
from journey.extensions import db
from journey.i18n import lazy_gettext as _l
from journey.journeys.services import InvalidChange
from journey.portal.models import PortalInvite

INVITE_LIFETIME = timedelta(days=7)


class InviteUnusable(ValueError):
    """The link is unknown, used, revoked or expired (the caller need not know which)."""


@dataclass(frozen=True)
class IssuedInvite:
    invite: PortalInvite
    token: str  # shown to the coach once; never stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_email(email: str, *, user: User | None) -> str:
    email = (email or "").strip().lower()
    if not email:
        raise InvalidChange(
            {"email": _l("Enter the email address the participant will log in with.")})
    try:
        # No DNS lookup: the address is a login name here, checked for shape only.
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidChange({"email": _l("Enter a valid email address.")}) from exc
    taken = db.session.scalars(
        sa.select(User.id).where(User.email == email, User.id != (user.id if user else -1))
    ).first()
    if taken:
        raise InvalidChange({"email": _l(
            "That email address is already used by another account. Ask the participant "
            "for another address.")})
    return email


def _cancel_pending(participant_id: int, now: datetime) -> int:
    pending = db.session.scalars(
        sa.select(PortalInvite).where(
            PortalInvite.participant_id == participant_id,
            PortalInvite.used_at.is_(None),
            PortalInvite.revoked_at.is_(None),
        )
    ).all()
    for invite in pending:
        invite.revoked_at = now
    return len(pending)


def create_invite(participant, *, email: str, created_by: User,
                  now: datetime | None = None) -> IssuedInvite:
    """Create (or reuse) the participant's portal account and a fresh one-time link.

    :param participant: the participant, already authorised for the caller.
    :param email: the address the participant logs in with.
    :param created_by: the coach or manager handing over the link.
    :param now: the current instant (for tests).
    :raises InvalidChange: for a missing, malformed or already used email address,
        or a participant whose record has been anonymised.
    """
    now = now or utcnow()
    if participant.anonymized_at is not None:
        raise InvalidChange({"email": _l("This record has been anonymised.")})
    user = participant.portal_user
    email = _check_email(email, user=user)
    if user is None:
        user = User(organization_id=participant.organization_id, email=email,
                    name=f"{participant.first_name} {participant.last_name}".strip(),
                    role=Role.participant, locale=Locale.sv, is_active=False,
                    password_hash=None)
        db.session.add(user)
        db.session.flush()
        participant.portal_user = user
        record(AuditAction.create, object_type="portal_account", object_id=user.id,
               participant_id=participant.id, user=created_by)
    elif user.email != email:
        user.email = email
    _cancel_pending(participant.id, now)
    token = secrets.token_urlsafe(32)
    invite = PortalInvite(participant_id=participant.id, user_id=user.id,
                          token_hash=hash_token(token), created_by_id=created_by.id,
                          expires_at=now + INVITE_LIFETIME)
    db.session.add(invite)
    db.session.flush()
    record(AuditAction.create, object_type="portal_invite", object_id=invite.id,
           participant_id=participant.id, user=created_by)
    return IssuedInvite(invite=invite, token=token)


def find_usable_invite(token: str, *, now: datetime | None = None) -> PortalInvite:
    """The live invite for a token.

    :raises InviteUnusable: when no invite has that token or it is used, revoked or expired.
    """
    if not token or len(token) > 200:
        raise InviteUnusable()
    invite = db.session.scalars(
        sa.select(PortalInvite).where(PortalInvite.token_hash == hash_token(token))
    ).first()
    if invite is None or not invite.is_usable(now):
        raise InviteUnusable()
    return invite


def accept_invite(invite: PortalInvite, *, password: str,
                  now: datetime | None = None) -> User:
    """Set the participant's password and open the account; the link is used up.

    :param invite: a usable invite (from :func:`find_usable_invite`).
    :param password: the new password; it must follow the password rules.
    :raises InvalidChange: when the password breaks the rules.
    :raises InviteUnusable: when the invite is no longer usable.
    """
    from journey.auth.passwords import password_problems

    now = now or utcnow()
    if not invite.is_usable(now):
        raise InviteUnusable()
    user = invite.user
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise InvalidChange({"password": problems})
    # Claim the invite before anything else: a second, concurrent use of the same
    # link updates no row and fails.
    claimed = db.session.execute(
        sa.update(PortalInvite)
        .where(PortalInvite.id == invite.id, PortalInvite.used_at.is_(None),
               PortalInvite.revoked_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise InviteUnusable()
    db.session.refresh(invite)
    user.set_password(password)
    user.is_active = True
    user.rotate_session_token()  # any session from an earlier password ends
    db.session.flush()
    record(AuditAction.update, object_type="portal_account", object_id=user.id,
           participant_id=invite.participant_id, user=user, detail="password set from invite")
    return user


def revoke_access(participant, *, by: User, now: datetime | None = None) -> bool:
    """Close the participant's portal account and cancel open invites.

    The account is kept (its audit trail refers to it) but cannot log in, and
    every session it has ends on the next request.

    :returns: whether there was anything to revoke.
    """
    now = now or utcnow()
    cancelled = _cancel_pending(participant.id, now)
    user = participant.portal_user
    changed = cancelled > 0
    if user is not None and (user.is_active or user.password_hash):
        user.is_active = False
        user.password_hash = None
        user.rotate_session_token()
        changed = True
    if changed:
        db.session.flush()
        record(AuditAction.update, object_type="portal_account",
               object_id=user.id if user else None, participant_id=participant.id,
               user=by, detail="access revoked")
    return changed


@dataclass(frozen=True)
class AccessStatus:
    """What the coach sees about a participant's portal access."""

    state: str  # none | invited | active | inactive
    email: str = ""
    invite_expires_at: datetime | None = None
    last_login_at: datetime | None = None


def access_status(participant, *, now: datetime | None = None) -> AccessStatus:
    """The participant's portal access in one query (none when there is no account)."""
    now = now or utcnow()
    if participant.portal_user_id is None:
        return AccessStatus("none")
    user, pending = db.session.execute(
        sa.select(User, PortalInvite)
        .outerjoin(PortalInvite, sa.and_(PortalInvite.user_id == User.id,
                                         PortalInvite.participant_id == participant.id,
                                         PortalInvite.used_at.is_(None),
                                         PortalInvite.revoked_at.is_(None)))
        .where(User.id == participant.portal_user_id)
        .order_by(PortalInvite.id.desc())
        .limit(1)
    ).one()
    live = pending if pending is not None and pending.is_usable(now) else None
    if user.is_active and user.password_hash:
        return AccessStatus("active", user.email,
                            invite_expires_at=live.expires_at if live else None,
                            last_login_at=user.last_login_at)
    if live is not None:
        return AccessStatus("invited", user.email, invite_expires_at=live.expires_at)
    # An account without a live link: the invite lapsed or access was revoked.
    return AccessStatus("inactive", user.email, last_login_at=user.last_login_at)
