from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journey.db import enum_column, utcnow
from journey.enums import AuditAction
from journey.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_participant_at", "participant_id", "at"),
        sa.Index("ix_audit_event_user_at", "user_id", "at"),
        sa.Index("ix_audit_event_org_at", "organization_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="SET NULL")
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, "audit_action"))
    object_type: Mapped[str] = mapped_column(sa.String(50), default="")
    object_id: Mapped[int | None] = mapped_column(sa.Integer)
    # Kept as a plain id (no FK) so the trail outlives deleted records.
    participant_id: Mapped[int | None] = mapped_column(sa.Integer)
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="")

    user = relationship("User")
