"""Reads for the participant portal: one query per section, whatever the amount of data.

Nothing here selects a coach-only column: meetings are read column by column
(never ``Activity.note``) and coaches' notes are not read at all.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from journey.activities.models import Activity
from journey.cohorts.models import Cohort
from journey.enums import (
    ActivityKind,
    AssessmentArea,
    AssessmentPhase,
    Attendance,
    EnrollmentStatus,
    StepStatus,
)
from journey.extensions import db
from journey.journeys.models import Assessment, JourneyStep, PlanItem
from journey.journeys.queries import AssessmentGrid, assessment_grid
from journey.participants.models import Enrollment, Participant

MEETINGS_SHOWN = 5


def own_participant(user_id: int) -> Participant | None:
    """The participant record linked to a portal account, with what the plan page shows."""
    return db.session.scalars(
        sa.select(Participant)
        .where(Participant.portal_user_id == user_id)
        .options(
            selectinload(Participant.enrollments).options(
                joinedload(Enrollment.cohort).joinedload(Cohort.program),
                joinedload(Enrollment.coach),
                joinedload(Enrollment.exit_outcome),
                selectinload(Enrollment.steps),
            )
        )
    ).first()


def is_open(enrollment: Enrollment) -> bool:
    """Active and paused enrollments show their plan; exited ones only a short line."""
    return enrollment.status != EnrollmentStatus.exited


def current_step(steps: list[JourneyStep]) -> JourneyStep | None:
    """The step in progress (the first one), else the first one not started."""
    for status in (StepStatus.in_progress, StepStatus.not_started):
        for step in steps:
            if step.status == status:
                return step
    return None


def _plan_order():
    # Open items by due date (undated last), then the done ones, latest done first.
    # A portable NULLS LAST: SQLite and PostgreSQL put NULL at opposite ends.
    return (
        sa.case((PlanItem.done_on.is_(None), 0), else_=1),
        sa.case((sa.and_(PlanItem.done_on.is_(None), PlanItem.due_on.is_(None)), 1), else_=0),
        sa.case((PlanItem.done_on.is_(None), PlanItem.due_on)),
        PlanItem.done_on.desc(),
        PlanItem.id,
    )


def plan_items(enrollment_ids: list[int]) -> dict[int, list[PlanItem]]:
    """Each enrollment's plan items, open ones first (one query for all enrollments)."""
    result: dict[int, list[PlanItem]] = defaultdict(list)
    if not enrollment_ids:
        return result
    for item in db.session.scalars(
        sa.select(PlanItem).where(PlanItem.enrollment_id.in_(enrollment_ids))
        .order_by(PlanItem.enrollment_id, *_plan_order())
    ):
        result[item.enrollment_id].append(item)
    return result


@dataclass(frozen=True)
class Meeting:
    """An upcoming activity as the participant sees it (no coach's note)."""

    id: int
    enrollment_id: int
    kind: ActivityKind
    date: dt.date
    time: dt.time | None
    duration_minutes: int | None


def upcoming_meetings(enrollment_ids: list[int], *, today: dt.date,
                      limit: int = MEETINGS_SHOWN) -> dict[int, list[Meeting]]:
    """The next planned activities of each enrollment, at most ``limit`` each, in one query."""
    result: dict[int, list[Meeting]] = defaultdict(list)
    if not enrollment_ids:
        return result
    # An undated time sorts first on its day (portable NULLS FIRST).
    undated_first = sa.case((Activity.time.is_(None), 0), else_=1)
    rank = sa.func.row_number().over(
        partition_by=Activity.enrollment_id,
        order_by=(Activity.date, undated_first, Activity.time, Activity.id),
    ).label("rank")
    ranked = (
        sa.select(Activity.id, Activity.enrollment_id, Activity.kind, Activity.date,
                  Activity.time, Activity.duration_minutes, rank)
        .where(Activity.enrollment_id.in_(enrollment_ids), Activity.date >= today,
               Activity.attendance == Attendance.planned)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ranked.c.id, ranked.c.enrollment_id, ranked.c.kind, ranked.c.date,
                  ranked.c.time, ranked.c.duration_minutes)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.enrollment_id, ranked.c.rank)
    ).all()
    for row in rows:
        result[row.enrollment_id].append(Meeting(
            id=row.id, enrollment_id=row.enrollment_id, kind=ActivityKind(row.kind),
            date=row.date, time=row.time, duration_minutes=row.duration_minutes))
    return result


@dataclass(frozen=True)
class AssessmentSummary:
    count: int
    latest_on: dt.date | None


def assessment_summaries(enrollment_ids: list[int]) -> dict[int, AssessmentSummary]:
    """How many self-assessments each enrollment has and the latest date (one query)."""
    if not enrollment_ids:
        return {}
    rows = db.session.execute(
        sa.select(Assessment.enrollment_id, sa.func.count(Assessment.id),
                  sa.func.max(Assessment.taken_on))
        .where(Assessment.enrollment_id.in_(enrollment_ids))
        .group_by(Assessment.enrollment_id)
    ).all()
    return {eid: AssessmentSummary(n, latest) for eid, n, latest in rows}


def next_phase(enrollment: Enrollment, has_assessment: bool) -> AssessmentPhase:
    """Intake the first time, follow-up after the programme, midway in between."""
    if not has_assessment:
        return AssessmentPhase.intake
    if enrollment.status == EnrollmentStatus.exited:
        return AssessmentPhase.follow_up
    return AssessmentPhase.midway


# --- the self-assessment chart: one small line chart per area ------------------------------


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    score: int
    taken_on: dt.date
    labelled: bool  # the value is written next to the dot


@dataclass
class AreaChart:
    area: AssessmentArea
    scores: list[int | None]
    first: int | None
    latest: int | None
    change: int | None
    points: list[Point] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.points)


@dataclass
class AssessmentCharts:
    grid: AssessmentGrid
    areas: list[AreaChart]

    # Geometry of each small chart (SVG user units; drawn at 100 % width).
    width: int = 320
    height: int = 124
    left: int = 30
    right: int = 8
    top: int = 20
    bottom: int = 26
    inset: int = 18  # the first and last dot sit clear of the axis labels
    gridlines: tuple[int, ...] = (1, 5, 10)

    def y_of(self, score: float) -> float:
        plot = self.height - self.top - self.bottom
        return round(self.top + plot * (10 - score) / 9, 2)

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom


# With more assessments than this, only the first and the latest value are written out.
LABEL_ALL_UP_TO = 6


def assessment_charts(enrollment_id: int) -> AssessmentCharts:
    """The enrollment's self-assessments (one query) with the geometry of a chart per area."""
    grid = assessment_grid(enrollment_id)
    charts = AssessmentCharts(grid=grid, areas=[])
    n = len(grid.columns)
    start = charts.left + charts.inset
    span = charts.plot_right - charts.inset - start
    for row in grid.rows:
        chart = AreaChart(area=row.area, scores=row.scores, first=row.first,
                          latest=row.latest, change=row.change)
        for i, (column, score) in enumerate(zip(grid.columns, row.scores, strict=True)):
            if score is None:
                continue
            x = start + (span * i / (n - 1) if n > 1 else span / 2)
            labelled = n <= LABEL_ALL_UP_TO or i in (0, n - 1)
            chart.points.append(Point(x=round(x, 2), y=charts.y_of(score), score=score,
                                      taken_on=column.taken_on, labelled=labelled))
        charts.areas.append(chart)
    return charts
