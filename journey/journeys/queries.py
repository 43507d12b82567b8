"""Reads for the steps, plan, assessment and note sections: one query each, whatever the size."""

import functools
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from journey.auth.models import User
from journey.enums import AssessmentArea, AssessmentPhase, Role, StepStatus
from journey.extensions import db
from journey.journeys.models import Assessment, AssessmentScore, JourneyStep, Note, PlanItem
from journey.participants.models import Enrollment
from journey.sql import ONE, inline_enum


@dataclass(frozen=True)
class _Statements:
    steps: sa.Select
    plan_items: sa.Select
    notes: sa.Select
    assessment_grid: sa.Select


@functools.cache
def _statements() -> _Statements:
    """The enrollment page's reads of this module, built once; each takes ``enrollment_id``.

    The page runs every one on every view; building a statement and its cache key
    took longer than SQLite took to answer it. Executing the same object again
    reuses both.
    """
    enrollment_id = sa.bindparam("enrollment_id", type_=sa.Integer)
    steps = (
        sa.select(JourneyStep)
        .where(JourneyStep.enrollment_id == enrollment_id)
        .order_by(JourneyStep.position)
    )
    plan_items = (
        sa.select(PlanItem)
        .where(PlanItem.enrollment_id == enrollment_id)
        .order_by(
            sa.case((PlanItem.done_on.is_(None), 0), else_=1),
            # Open items: by due date with undated ones last (a portable NULLS LAST:
            # SQLite and PostgreSQL put NULL at opposite ends).
            sa.case((sa.and_(PlanItem.done_on.is_(None), PlanItem.due_on.is_(None)), 1),
                    else_=0),
            sa.case((PlanItem.done_on.is_(None), PlanItem.due_on)),
            # Done items: the most recently finished first.
            PlanItem.done_on.desc(),
            PlanItem.id,
        )
    )
    notes = (
        sa.select(Note)
        .where(Note.enrollment_id == enrollment_id)
        .options(joinedload(Note.author))
        .order_by(Note.created_at.desc(), Note.id.desc())
    )
    assessment_grid = (
        sa.select(Assessment.id, Assessment.taken_on, Assessment.phase,
                  AssessmentScore.area, AssessmentScore.score, User.role)
        .outerjoin(AssessmentScore, AssessmentScore.assessment_id == Assessment.id)
        .outerjoin(User, User.id == Assessment.created_by_id)
        .where(Assessment.enrollment_id == enrollment_id)
        .order_by(Assessment.taken_on, Assessment.id)
    )
    return _Statements(steps=steps, plan_items=plan_items, notes=notes,
                       assessment_grid=assessment_grid)


def steps(enrollment_id: int) -> list[JourneyStep]:
    """The enrollment's steps in order (what ``Enrollment.steps`` holds)."""
    return list(db.session.scalars(_statements().steps, {"enrollment_id": enrollment_id}))


def plan_items(enrollment_id: int) -> list[PlanItem]:
    """Open items by due date (undated last), then the done ones, latest done first."""
    return list(db.session.scalars(_statements().plan_items,
                                   {"enrollment_id": enrollment_id}))


def notes(enrollment_id: int) -> list[Note]:
    """Notes newest first, with their authors."""
    return list(db.session.scalars(_statements().notes, {"enrollment_id": enrollment_id}))


@dataclass(frozen=True)
class AssessmentColumn:
    id: int
    taken_on: date
    phase: AssessmentPhase
    by_participant: bool = False  # recorded by the participant in the portal


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float


@dataclass
class AreaRow:
    area: AssessmentArea
    scores: list[int | None]
    first: int | None = None
    latest: int | None = None
    bars: list[Bar] = field(default_factory=list)

    @property
    def change(self) -> int | None:
        """Latest minus first score; None until the area has two scores."""
        known = [s for s in self.scores if s is not None]
        if len(known) < 2:
            return None
        return self.latest - self.first


@dataclass
class AssessmentGrid:
    """Areas × assessments in date order, with each area's change since the first one."""

    columns: list[AssessmentColumn]
    rows: list[AreaRow]

    # Geometry of the per-area bar chart (SVG user units).
    bar_width: int = 10
    bar_gap: int = 3
    chart_height: int = 32

    @property
    def chart_width(self) -> int:
        n = max(len(self.columns), 1)
        return n * self.bar_width + (n - 1) * self.bar_gap


def assessment_grid(enrollment_id: int) -> AssessmentGrid:
    """All of an enrollment's scores in one query, arranged for the table and charts."""
    rows = db.session.execute(_statements().assessment_grid,
                              {"enrollment_id": enrollment_id}).all()
    columns: list[AssessmentColumn] = []
    index: dict[int, int] = {}
    scores: dict[tuple[AssessmentArea, int], int] = {}
    for assessment_id, taken_on, phase, area, score, author_role in rows:
        if assessment_id not in index:
            index[assessment_id] = len(columns)
            columns.append(AssessmentColumn(assessment_id, taken_on, AssessmentPhase(phase),
                                            by_participant=author_role == Role.participant))
        if area is not None:
            scores[(AssessmentArea(area), index[assessment_id])] = score
    grid = AssessmentGrid(columns=columns, rows=[])
    for area in AssessmentArea:
        values = [scores.get((area, i)) for i in range(len(columns))]
        known = [v for v in values if v is not None]
        row = AreaRow(area=area, scores=values, first=known[0] if known else None,
                      latest=known[-1] if known else None)
        step = grid.bar_width + grid.bar_gap
        for i, value in enumerate(values):
            if value is None:
                continue
            height = grid.chart_height * value / 10
            row.bars.append(Bar(x=i * step, y=round(grid.chart_height - height, 2),
                                height=round(height, 2)))
        grid.rows.append(row)
    return grid


def has_assessments(enrollment_id: int) -> bool:
    """Whether the enrollment has any self-assessment (a new one's default phase)."""
    return db.session.scalar(sa.select(sa.exists().where(
        Assessment.enrollment_id == enrollment_id))) or False


def current_step(column):
    """Correlated subquery: a column of the enrollment's current step.

    The step in progress, else the next one not started (lowest position).
    Its constants are written into the statement (``inline_enum``): bound, PostgreSQL
    planned the caseload's statement afresh on every execution.
    """
    in_progress = inline_enum(StepStatus.in_progress)
    not_started = inline_enum(StepStatus.not_started)
    order = sa.case((JourneyStep.status == in_progress, sa.literal_column("0")),
                    else_=sa.literal_column("1"))
    return (
        sa.select(column)
        .where(
            JourneyStep.enrollment_id == Enrollment.id,
            JourneyStep.status.in_([in_progress, not_started]),
        )
        .order_by(order, JourneyStep.position)
        .limit(ONE)
        .correlate(Enrollment)
        .scalar_subquery()
    )
