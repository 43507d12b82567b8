from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journey.db import TimestampMixin, enum_column
from journey.enums import FollowUpSource, FollowUpStatus, NeutralReason, Outcome
from journey.extensions import db


class ExitOutcome(TimestampMixin, db.Model):
    __tablename__ = "exit_outcome"
    __table_args__ = (
        sa.CheckConstraint(
            "(outcome = 'neutral') OR (neutral_reason IS NULL)",
            name="neutral_reason_only_for_neutral",
        ),
        sa.CheckConstraint(
            "hours_per_week IS NULL OR (hours_per_week > 0 AND hours_per_week <= 80)",
            name="hours_range",
        ),
        sa.Index("ix_exit_outcome_exited_on", "exited_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"), unique=True
    )
    exited_on: Mapped[date] = mapped_column(sa.Date)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "outcome"))
    neutral_reason: Mapped[NeutralReason | None] = mapped_column(
        enum_column(NeutralReason, "neutral_reason")
    )
    qualification_gained: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    employer: Mapped[str] = mapped_column(sa.String(200), default="")
    occupation: Mapped[str] = mapped_column(sa.String(200), default="")
    hours_per_week: Mapped[int | None] = mapped_column(sa.Integer)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    enrollment = relationship("Enrollment", back_populates="exit_outcome")


class FollowUp(TimestampMixin, db.Model):
    __tablename__ = "follow_up"
    __table_args__ = (
        sa.UniqueConstraint("enrollment_id", "months_after"),
        sa.CheckConstraint("months_after IN (3, 6, 12)", name="months_after_allowed"),
        sa.Index("ix_follow_up_due", "due_on", "recorded_on"),
        # The follow-ups still to record, per enrollment: the coach's "needs attention"
        # list asks this of every exited enrollment of the caseload, and most follow-ups
        # get recorded, so the index stays small and answers without reading the rows.
        sa.Index("ix_follow_up_pending", "enrollment_id", "months_after", "due_on",
                 sqlite_where=sa.text("recorded_on IS NULL"),
                 postgresql_where=sa.text("recorded_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE")
    )
    months_after: Mapped[int] = mapped_column(sa.Integer)
    due_on: Mapped[date] = mapped_column(sa.Date)
    recorded_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[FollowUpStatus | None] = mapped_column(
        enum_column(FollowUpStatus, "follow_up_status")
    )
    source: Mapped[FollowUpSource | None] = mapped_column(
        enum_column(FollowUpSource, "follow_up_source")
    )

    enrollment = relationship("Enrollment", back_populates="follow_ups")
