"""The participant's own data: what is stored, downloads, who viewed it."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_login import current_user

from journey.audit.models import AuditEvent
from journey.audit.services import record
from journey.auth.access import roles_required
from journey.auth.models import User
from journey.enums import AuditAction, Role, label
from journey.extensions import db
from journey.i18n import gettext as _
from journey.i18n import lazy_gettext as _l
from journey.participants.models import Participant
from journey.portal import subject_data
from journey.reports.pdf import pdf_download, render_pdf
from journey.web.htmx_helpers import wants_partial

bp = Blueprint("portal_data", __name__, url_prefix="/portal/my-data")

ACCESS_LOG_PAGE_SIZE = 25


def _own_participant() -> Participant | None:
    """The participant record behind the logged-in portal account, if any."""
    return db.session.scalars(
        sa.select(Participant).where(Participant.portal_user_id == current_user.id)
    ).first()


def _own_participant_or_404() -> Participant:
    participant = _own_participant()
    if participant is None:
        abort(404)
    return participant


def _export_filename(extension: str) -> str:
    # Neither the name nor the personal identity number: the file may be mailed or shared.
    stem = _("my-data")
    return f"{stem}-{date.today().isoformat()}.{extension}"


def _recorded(action: AuditAction, participant: Participant, detail: str) -> None:
    record(action, object_type="participant", object_id=participant.id,
           participant_id=participant.id, detail=detail)


@bp.route("/")
@roles_required(Role.participant)
def index():
    """What is stored about me, in plain words, with download links."""
    participant = _own_participant()
    data = (subject_data.collect(participant, for_participant=True)
            if participant is not None else None)
    if participant is not None:
        _recorded(AuditAction.view, participant, "my data")
    # Rendered before the commit, which would expire the loaded objects.
    html = render_template("portal/my_data.html", data=data)
    db.session.commit()
    return html


@bp.route("/export.json")
@roles_required(Role.participant)
def export_json():
    """Everything on the "My data" page as a JSON file (an export: audited)."""
    participant = _own_participant_or_404()
    payload = subject_data.to_json(subject_data.collect(participant, for_participant=True))
    body = json.dumps(payload, ensure_ascii=False, indent=2)
    _recorded(AuditAction.export, participant, "my data json")
    db.session.commit()
    response = make_response(body)
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_export_filename("json")}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/export.pdf")
@roles_required(Role.participant)
def export_pdf():
    """The same data as a printable PDF (an export: audited)."""
    participant = _own_participant_or_404()
    data = subject_data.collect(participant, for_participant=True)
    html = render_template("portal/pdf/my_data.html", data=data)
    pdf = render_pdf(html, request.url_root)
    _recorded(AuditAction.export, participant, "my data pdf")
    db.session.commit()
    return pdf_download(pdf, _export_filename("pdf"))


# --- who has looked at or changed my record ---------------------------------------------------

# The kind of record, in words a participant understands.
OBJECT_PHRASES = {
    "participant": _l("your details"),
    "enrollment": _l("your enrollment"),
    "journey_step": _l("your steps"),
    "plan_item": _l("your plan"),
    "activity": _l("your activities"),
    "group_session": _l("your activities"),
    "assessment": _l("your self-assessments"),
    "exit_outcome": _l("how your programme ended"),
    "follow_up": _l("your follow-ups"),
    "note": _l("the coach's notes about you"),
    "portal_invite": _l("your login"),
    "user": _l("your login"),
}
DEFAULT_OBJECT_PHRASE = _l("your details")

ACTION_SENTENCES = {
    AuditAction.view: _l("%(who)s looked at %(object)s."),
    AuditAction.update: _l("%(who)s changed %(object)s."),
    AuditAction.create: _l("%(who)s added something to %(object)s."),
    AuditAction.delete: _l("%(who)s removed something from %(object)s."),
    AuditAction.export: _l("%(who)s downloaded %(object)s."),
    AuditAction.anonymize: _l("%(who)s anonymised %(object)s."),
}

# Who did it, by role only: never a name, an email address or an id.
WHO_PHRASES = {
    "self": _l("You"),
    Role.coach.value: _l("A job coach"),
    Role.manager.value: _l("A manager"),
    Role.admin.value: _l("An administrator"),
    Role.participant.value: _l("Another portal user"),
    "unknown": _l("The system or a removed account"),
}


@dataclass
class AccessEntry:
    id: int
    at: datetime
    action: AuditAction
    object_type: str
    who: str  # "self", a Role value, or "unknown"

    @property
    def at_iso(self) -> str:
        at = self.at if self.at.tzinfo else self.at.replace(tzinfo=UTC)  # SQLite: naive UTC
        return at.astimezone(UTC).isoformat()

    @property
    def is_self(self) -> bool:
        return self.who == "self"

    @property
    def sentence(self) -> str:
        who = str(WHO_PHRASES.get(self.who, WHO_PHRASES["unknown"]))
        obj = str(OBJECT_PHRASES.get(self.object_type, DEFAULT_OBJECT_PHRASE))
        template = ACTION_SENTENCES.get(self.action)
        if template is None:
            return f"{who}: {label(AuditAction, self.action)}"
        return str(template) % {"who": who, "object": obj}


@dataclass
class AccessPage:
    entries: list[AccessEntry]
    next_cursor: int | None  # id of the last entry when older ones exist
    include_own: bool
    cursor: int | None


def access_log(participant_id: int, viewer_id: int, *, include_own: bool,
               before: int | None = None, limit: int = ACCESS_LOG_PAGE_SIZE) -> AccessPage:
    """One page of audit events about a participant, newest first, the actor's role joined in SQL.

    Keyset paging on (at, id): events written while the reader pages (their own
    page views, for one) do not shift the pages.
    """
    stmt = (
        sa.select(AuditEvent.id, AuditEvent.at, AuditEvent.action, AuditEvent.object_type,
                  AuditEvent.user_id, User.role)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.participant_id == participant_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit + 1)
    )
    if not include_own:
        stmt = stmt.where(sa.or_(AuditEvent.user_id.is_(None), AuditEvent.user_id != viewer_id))
    if before is not None:
        cursor_at = (
            sa.select(AuditEvent.at)
            .where(AuditEvent.id == before, AuditEvent.participant_id == participant_id)
            .scalar_subquery()
        )
        stmt = stmt.where(sa.or_(
            AuditEvent.at < cursor_at,
            sa.and_(AuditEvent.at == cursor_at, AuditEvent.id < before),
        ))
    rows = db.session.execute(stmt).all()
    entries = [
        AccessEntry(
            id=row.id, at=row.at, action=row.action, object_type=row.object_type or "",
            who=("self" if row.user_id == viewer_id
                 else (row.role.value if row.role is not None else "unknown")),
        )
        for row in rows[:limit]
    ]
    next_cursor = entries[-1].id if len(rows) > limit else None
    return AccessPage(entries=entries, next_cursor=next_cursor, include_own=include_own,
                      cursor=before)


@bp.route("/access-log")
@roles_required(Role.participant)
def access_log_page():
    """Who has looked at or changed my record (by role only); "show more" pages in place."""
    participant = _own_participant()
    include_own = request.args.get("mine") == "1"
    before = request.args.get("before", type=int)
    page = (access_log(participant.id, current_user.id, include_own=include_own, before=before)
            if participant is not None else None)
    if wants_partial():
        if page is None:
            abort(404)
        return render_template("portal/_my_data_access_log.html", page=page, in_partial=True)
    if participant is not None and before is None:
        # Reading the trail is itself a view of the record (only the first page counts once).
        _recorded(AuditAction.view, participant, "access log")
    html = render_template("portal/my_data_access_log.html", page=page,
                           has_participant=participant is not None)
    db.session.commit()
    return html


def access_log_url(page: AccessPage, **overrides) -> str:
    args = {"mine": "1" if page.include_own else None, "before": page.next_cursor}
    args.update(overrides)
    return url_for("portal_data.access_log_page", **{k: v for k, v in args.items() if v})


@bp.context_processor
def _helpers():
    return {"access_log_url": access_log_url}
