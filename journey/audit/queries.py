"""Reads of the audit trail for the admin page and its CSV export.

Every query is limited to one organisation and filtered in SQL; the indexes on
``audit_event`` (organisation + time, user + time, participant + time) serve the
filters. The page runs a fixed number of queries; the export reads in keyset
chunks so a million events never sit in memory at once.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.auth.models import User
from journey.enums import AuditAction, Role
from journey.extensions import db
from journey.web.paging import PageRange, clamp_page

# Days in the filters and times on the page are Swedish local time, whatever the server runs.
STOCKHOLM = ZoneInfo("Europe/Stockholm")
SYSTEM = "system"  # the user filter's value for events without a user


def local_midnight_utc(day: date) -> datetime:
    """The instant (UTC) a day starts in Stockholm (DST-aware)."""
    return datetime.combine(day, time.min, tzinfo=STOCKHOLM).astimezone(UTC)


def to_local(at: datetime) -> datetime:
    # SQLite returns naive datetimes; they were written as UTC.
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(STOCKHOLM)


def local_today() -> date:
    return datetime.now(STOCKHOLM).date()


@dataclass(frozen=True)
class AuditFilters:
    user_id: int | None = None
    system: bool = False  # only events without a user
    participant_id: int | None = None
    action: AuditAction | None = None
    object_type: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def is_filtered(self) -> bool:
        return self != AuditFilters()

    def query_args(self, **overrides) -> dict:
        """URL parameters (only the filters set), for paging links and the export link."""
        args = {
            "user": SYSTEM if self.system else self.user_id,
            "participant": self.participant_id,
            "action": self.action.value if self.action else None,
            "object_type": self.object_type or None,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }
        args.update(overrides)
        return {k: v for k, v in args.items() if v is not None}

    def summary(self) -> str:
        """Plain text for the export's own audit event (ids only, no names)."""
        parts = [f"{k}={v}" for k, v in self.query_args().items()]
        return "filters: " + (", ".join(parts) if parts else "none")


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime  # Stockholm time
    user_id: int | None
    user_name: str | None  # None for participants' portal accounts: admins see no participant data
    user_role: Role | None
    action: AuditAction
    object_type: str
    object_id: int | None
    participant_id: int | None
    ip: str
    detail: str


@dataclass(frozen=True)
class AuditPage(PageRange):
    rows: list[AuditRow]
    total: int
    page: int
    per_page: int


@dataclass(frozen=True)
class UserChoice:
    id: int
    name: str | None  # None for portal accounts (see AuditRow.user_name)
    role: Role


def _conditions(organization_id: int, filters: AuditFilters) -> list:
    narrow = filters.participant_id is not None or (
        filters.user_id is not None and not filters.system)
    if narrow:
        # A participant's or a user's events are few next to the organisation's: steer the
        # planner to their index ("+ 0" keeps the organisation index out of the choice;
        # SQLite has no statistics to see it) and check the organisation row by row.
        conds = [(AuditEvent.organization_id + 0) == organization_id]
    else:
        conds = [AuditEvent.organization_id == organization_id]
    if filters.system:
        conds.append(AuditEvent.user_id.is_(None))
    elif filters.user_id is not None:
        conds.append(AuditEvent.user_id == filters.user_id)
    if filters.participant_id is not None:
        conds.append(AuditEvent.participant_id == filters.participant_id)
    if filters.action is not None:
        conds.append(AuditEvent.action == filters.action)
    if filters.object_type:
        conds.append(AuditEvent.object_type == filters.object_type)
    if filters.date_from is not None:
        conds.append(AuditEvent.at >= local_midnight_utc(filters.date_from))
    if filters.date_to is not None:
        # Inclusive: everything before the next day starts in Stockholm.
        conds.append(AuditEvent.at < local_midnight_utc(filters.date_to + timedelta(days=1)))
    return conds


_ROW_COLUMNS = (
    AuditEvent.id, AuditEvent.at, AuditEvent.user_id, User.name, User.role,
    AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id,
    AuditEvent.participant_id, AuditEvent.ip, AuditEvent.detail,
)
_NEWEST_FIRST = (AuditEvent.at.desc(), AuditEvent.id.desc())


def _rows_stmt(conditions: list) -> sa.Select:
    return (
        sa.select(*_ROW_COLUMNS)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(*conditions)
        .order_by(*_NEWEST_FIRST)
    )


def _row(r) -> AuditRow:
    role = Role(r.role) if r.role is not None else None
    return AuditRow(
        id=r.id, at=to_local(r.at), user_id=r.user_id,
        user_name=None if role == Role.participant else r.name, user_role=role,
        action=AuditAction(r.action), object_type=r.object_type or "",
        object_id=r.object_id, participant_id=r.participant_id, ip=r.ip or "",
        detail=r.detail or "",
    )


def audit_page(organization_id: int, filters: AuditFilters, page: int = 1,
               per_page: int = 50) -> AuditPage:
    """One page of the organisation's events, newest first (two queries)."""
    conds = _conditions(organization_id, filters)
    total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(*conds)) or 0
    page = clamp_page(page, total, per_page)
    rows = []
    if total:
        stmt = _rows_stmt(conds).limit(per_page).offset((page - 1) * per_page)
        rows = [_row(r) for r in db.session.execute(stmt)]
    return AuditPage(rows=rows, total=total, page=page, per_page=per_page)


def iter_audit_chunks(organization_id: int, filters: AuditFilters,
                      chunk_size: int = 1000) -> Iterator[list[AuditRow]]:
    """All matching events, newest first, in chunks (keyset paging on time and id)."""
    conds = _conditions(organization_id, filters)
    last = None
    while True:
        stmt = _rows_stmt(conds)
        if last is not None:
            # The raw value read back from the database, so SQLite compares like for like.
            last_at, last_id = last
            stmt = stmt.where(sa.or_(
                AuditEvent.at < last_at,
                sa.and_(AuditEvent.at == last_at, AuditEvent.id < last_id),
            ))
        raw = db.session.execute(stmt.limit(chunk_size)).all()
        if not raw:
            return
        yield [_row(r) for r in raw]
        if len(raw) < chunk_size:
            return
        last = (raw[-1].at, raw[-1].id)


def organization_users(organization_id: int) -> list[UserChoice]:
    """The organisation's accounts for the user filter: staff by name, then portal accounts."""
    portal_last = sa.case((User.role == Role.participant, 1), else_=0)
    rows = db.session.execute(
        sa.select(User.id, User.name, User.role)
        .where(User.organization_id == organization_id)
        .order_by(portal_last, User.name, User.id)
    )
    return [
        UserChoice(id=r.id, name=None if r.role == Role.participant else r.name,
                   role=Role(r.role))
        for r in rows
    ]
