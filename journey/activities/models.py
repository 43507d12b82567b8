import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journey.db import TimestampMixin, enum_column
from journey.enums import ActivityKind, Attendance
from journey.extensions import db


class Activity(TimestampMixin, db.Model):
    __tablename__ = "activity"
    __table_args__ = (
        # Covers the attendance: report and caseload counts read the index alone.
        sa.Index("ix_activity_enrollment_date_attendance", "enrollment_id", "date", "attendance"),
        sa.Index("ix_activity_group_session", "group_session_id"),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes > 0", name="duration_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE")
    )
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind, "activity_kind"))
    date: Mapped[dt.date] = mapped_column(sa.Date)
    time: Mapped[dt.time | None] = mapped_column(sa.Time)
    duration_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    attendance: Mapped[Attendance] = mapped_column(
        enum_column(Attendance, "attendance"), default=Attendance.planned
    )
    # Coach-only: never shown in the participant portal.
    note: Mapped[str] = mapped_column(sa.Text, default="")
    group_session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("group_session.id", ondelete="SET NULL")
    )

    enrollment = relationship("Enrollment", back_populates="activities")
    group_session = relationship("GroupSession", back_populates="activities")
