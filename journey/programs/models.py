from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journey.db import TimestampMixin, enum_column
from journey.enums import StepKind
from journey.extensions import db


class Program(TimestampMixin, db.Model):
    __tablename__ = "program"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "name"),
        sa.CheckConstraint(
            "outcome_target IS NULL OR (outcome_target >= 0 AND outcome_target <= 1)",
            name="outcome_target_share",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    outcome_target: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 3))

    organization = relationship("Organization")
    step_templates: Mapped[list["StepTemplate"]] = relationship(
        back_populates="program", order_by="StepTemplate.position"
    )
    cohorts = relationship("Cohort", back_populates="program", order_by="Cohort.starts_on")


class StepTemplate(TimestampMixin, db.Model):
    __tablename__ = "step_template"
    __table_args__ = (sa.UniqueConstraint("program_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("program.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[StepKind] = mapped_column(enum_column(StepKind, "step_kind"))
    # Retired templates are no longer copied into new enrollments.
    is_retired: Mapped[bool] = mapped_column(sa.Boolean, default=False)

    program: Mapped[Program] = relationship(back_populates="step_templates")
