import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journey.db import TimestampMixin, enum_column
from journey.enums import ActivityKind
from journey.extensions import db


class Cohort(TimestampMixin, db.Model):
    __tablename__ = "cohort"
    __table_args__ = (
        sa.UniqueConstraint("program_id", "name"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
        sa.CheckConstraint("cost_sek IS NULL OR cost_sek >= 0", name="cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("program.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[dt.date] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    cost_sek: Mapped[int | None] = mapped_column(sa.BigInteger)

    program = relationship("Program", back_populates="cohorts")
    enrollments = relationship("Enrollment", back_populates="cohort")


class GroupSession(TimestampMixin, db.Model):
    __tablename__ = "group_session"
    __table_args__ = (
        sa.Index("ix_group_session_cohort_date", "cohort_id", "date"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind, "activity_kind"))
    date: Mapped[dt.date] = mapped_column(sa.Date)
    duration_minutes: Mapped[int] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(200))

    cohort = relationship("Cohort")
    activities = relationship("Activity", back_populates="group_session")
