from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journey.db import TimestampMixin, enum_column
from journey.enums import AssessmentArea, AssessmentPhase, PlanOwner, StepKind, StepStatus
from journey.extensions import db


class JourneyStep(TimestampMixin, db.Model):
    """A step copied from the programme's template at enrollment."""

    __tablename__ = "journey_step"
    __table_args__ = (
        sa.UniqueConstraint("enrollment_id", "position"),
        sa.CheckConstraint(
            "completed_on IS NULL OR started_on IS NULL OR completed_on >= started_on",
            name="dates_in_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[StepKind] = mapped_column(enum_column(StepKind, "step_kind"))
    position: Mapped[int] = mapped_column(sa.Integer)
    status: Mapped[StepStatus] = mapped_column(
        enum_column(StepStatus, "step_status"), default=StepStatus.not_started
    )
    started_on: Mapped[date | None] = mapped_column(sa.Date)
    completed_on: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    enrollment = relationship("Enrollment", back_populates="steps")


class PlanItem(TimestampMixin, db.Model):
    __tablename__ = "plan_item"
    __table_args__ = (sa.Index("ix_plan_item_enrollment_due", "enrollment_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    owner: Mapped[PlanOwner] = mapped_column(
        enum_column(PlanOwner, "plan_owner"), default=PlanOwner.participant
    )
    done_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    enrollment = relationship("Enrollment", back_populates="plan_items")
    created_by = relationship("User")


class Assessment(TimestampMixin, db.Model):
    __tablename__ = "assessment"
    __table_args__ = (sa.Index("ix_assessment_enrollment_taken", "enrollment_id", "taken_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE")
    )
    taken_on: Mapped[date] = mapped_column(sa.Date)
    phase: Mapped[AssessmentPhase] = mapped_column(
        enum_column(AssessmentPhase, "assessment_phase")
    )
    # Who recorded it: the coach, or the participant in the portal.
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    enrollment = relationship("Enrollment", back_populates="assessments")
    created_by = relationship("User")
    scores = relationship("AssessmentScore", back_populates="assessment")


class Note(TimestampMixin, db.Model):
    """A coach's free-text note on an enrollment (never shown in the portal)."""

    __tablename__ = "note"
    __table_args__ = (sa.Index("ix_note_enrollment_created", "enrollment_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(sa.Text)

    enrollment = relationship("Enrollment", back_populates="notes")
    author = relationship("User")


class AssessmentScore(db.Model):
    __tablename__ = "assessment_score"
    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "area"),
        sa.CheckConstraint("score BETWEEN 1 AND 10", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment.id", ondelete="CASCADE")
    )
    area: Mapped[AssessmentArea] = mapped_column(enum_column(AssessmentArea, "assessment_area"))
    score: Mapped[int] = mapped_column(sa.SmallInteger)

    assessment = relationship("Assessment", back_populates="scores")
