"""Everything stored about one participant, as plain data (a data-subject extract).

Two readers use it:

* the participant in the portal ("My data", ``for_participant=True``): coach-only
  text (activity notes, step notes, the exit note and the coach's journal notes)
  is left out;
* a manager answering a data-subject access request (``for_participant=False``):
  everything, notes included.

``collect`` runs a fixed number of queries whatever the amount of data, and
``to_json`` turns the result into a JSON-ready dict with ISO dates, enum codes
and their Swedish and English labels. The personal identity number is only
ever carried masked (``YYYYMMDD-****``): nothing built from this module can
leak the full number.

JSON shape (``to_json``)::

    {"format": "journey-subject-data", "version": 1,
     "scope": "participant" | "full", "generated_at", "organization",
     "profile": {first_name, last_name, id_kind, national_id_masked, birth_date, ...},
     "enrollments": [{id, program, cohort, status, enrolled_on, labour_status_at_entry,
                      unemployed_months_at_entry, income_at_entry, goal, coach,
                      steps, plan_items, activities, assessments, exit_outcome,
                      follow_ups, notes (scope "full" only)}]}

Every enum is ``{"value": code, "label_sv": ..., "label_en": ...}``.

Usage for a manager's data-subject export (issue 6)::

    participant = get_participant_or_404(participant_id)   # scope check first
    payload = to_json(collect(participant, for_participant=False))
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import joinedload, selectinload

from journey import enums
from journey.activities.models import Activity
from journey.auth.models import Organization
from journey.cohorts.models import Cohort
from journey.enums import (
    ActivityKind,
    AssessmentArea,
    AssessmentPhase,
    Attendance,
    BirthRegion,
    EducationLevel,
    EnrollmentStatus,
    FollowUpSource,
    FollowUpStatus,
    Gender,
    IdKind,
    IncomeSource,
    LabourStatus,
    NeutralReason,
    Outcome,
    PlanOwner,
    StepKind,
    StepStatus,
    SwedishLevel,
)
from journey.extensions import db
from journey.journeys.models import Assessment, Note
from journey.participants.models import Enrollment, Participant

FORMAT_NAME = "journey-subject-data"
FORMAT_VERSION = 1


@dataclass
class Profile:
    first_name: str
    last_name: str
    id_kind: IdKind
    national_id_masked: str  # YYYYMMDD-**** or "" — never the full number
    birth_date: dt.date | None
    gender: Gender
    birth_region: BirthRegion
    arrival_year: int | None
    district: str
    education_level: EducationLevel
    swedish_level: SwedishLevel
    phone: str
    email: str
    protected_identity: bool
    created_at: dt.datetime | None
    anonymized_at: dt.datetime | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class Step:
    position: int
    name: str
    kind: StepKind
    status: StepStatus
    started_on: dt.date | None
    completed_on: dt.date | None
    note: str | None = None  # coach-only: None for the participant


@dataclass
class PlanEntry:
    title: str
    owner: PlanOwner
    due_on: dt.date | None
    done_on: dt.date | None


@dataclass
class ActivityEntry:
    kind: ActivityKind
    date: dt.date
    time: dt.time | None
    duration_minutes: int | None
    attendance: Attendance
    group_session_title: str  # "" when not part of a group session
    note: str | None = None  # coach-only


@dataclass
class AssessmentEntry:
    taken_on: dt.date
    phase: AssessmentPhase
    scores: list[tuple[AssessmentArea, int]]


@dataclass
class OutcomeEntry:
    outcome: Outcome
    exited_on: dt.date
    neutral_reason: NeutralReason | None
    qualification_gained: bool
    employer: str
    occupation: str
    hours_per_week: int | None
    note: str | None = None  # coach-only


@dataclass
class FollowUpEntry:
    months_after: int
    due_on: dt.date
    recorded_on: dt.date | None
    status: FollowUpStatus | None
    source: FollowUpSource | None


@dataclass
class NoteEntry:
    created_at: dt.datetime
    author: str
    body: str


@dataclass
class EnrollmentData:
    id: int
    program: str
    cohort: str
    status: EnrollmentStatus
    enrolled_on: dt.date
    labour_status_at_entry: LabourStatus
    unemployed_months_at_entry: int | None
    income_at_entry: IncomeSource
    goal: str
    coach: str  # the coach's name, "" when none
    steps: list[Step] = field(default_factory=list)
    plan_items: list[PlanEntry] = field(default_factory=list)
    activities: list[ActivityEntry] = field(default_factory=list)
    assessments: list[AssessmentEntry] = field(default_factory=list)
    outcome: OutcomeEntry | None = None
    follow_ups: list[FollowUpEntry] = field(default_factory=list)
    notes: list[NoteEntry] | None = None  # coach notes: None for the participant


@dataclass
class SubjectData:
    participant_id: int
    organization: str
    for_participant: bool
    generated_at: dt.datetime
    profile: Profile
    enrollments: list[EnrollmentData]

    @property
    def activity_count(self) -> int:
        return sum(len(e.activities) for e in self.enrollments)


def _enrollments(participant: Participant, *, with_notes: bool) -> list[Enrollment]:
    options = [
        joinedload(Enrollment.cohort).joinedload(Cohort.program),
        joinedload(Enrollment.coach),
        selectinload(Enrollment.steps),
        selectinload(Enrollment.plan_items),
        selectinload(Enrollment.activities).joinedload(Activity.group_session),
        selectinload(Enrollment.assessments).selectinload(Assessment.scores),
        selectinload(Enrollment.exit_outcome),
        selectinload(Enrollment.follow_ups),
    ]
    if with_notes:
        options.append(selectinload(Enrollment.notes).joinedload(Note.author))
    stmt = (
        sa.select(Enrollment)
        .where(Enrollment.participant_id == participant.id)
        .options(*options)
        .order_by(Enrollment.enrolled_on, Enrollment.id)
    )
    return list(db.session.scalars(stmt).unique())


def _profile(p: Participant) -> Profile:
    return Profile(
        first_name=p.first_name,
        last_name=p.last_name,
        id_kind=p.id_kind,
        national_id_masked=p.masked_national_id,
        birth_date=p.birth_date,
        gender=p.gender,
        birth_region=p.birth_region,
        arrival_year=p.arrival_year,
        district=p.district or "",
        education_level=p.education_level,
        swedish_level=p.swedish_level,
        phone=p.phone or "",
        email=p.email or "",
        protected_identity=bool(p.protected_identity),
        created_at=p.created_at,
        anonymized_at=p.anonymized_at,
    )


def _enrollment(e: Enrollment, *, full: bool) -> EnrollmentData:
    outcome = e.exit_outcome
    return EnrollmentData(
        id=e.id,
        program=e.cohort.program.name,
        cohort=e.cohort.name,
        status=e.status,
        enrolled_on=e.enrolled_on,
        labour_status_at_entry=e.labour_status_at_entry,
        unemployed_months_at_entry=e.unemployed_months_at_entry,
        income_at_entry=e.income_at_entry,
        goal=e.goal or "",
        coach=e.coach.name if e.coach is not None else "",
        steps=[
            Step(
                position=s.position, name=s.name, kind=s.kind, status=s.status,
                started_on=s.started_on, completed_on=s.completed_on,
                note=(s.note or "") if full else None,
            )
            for s in e.steps
        ],
        plan_items=[
            PlanEntry(title=i.title, owner=i.owner, due_on=i.due_on, done_on=i.done_on)
            for i in sorted(e.plan_items, key=lambda i: (i.due_on or dt.date.max, i.id))
        ],
        activities=[
            ActivityEntry(
                kind=a.kind, date=a.date, time=a.time, duration_minutes=a.duration_minutes,
                attendance=a.attendance,
                group_session_title=a.group_session.title if a.group_session else "",
                note=(a.note or "") if full else None,
            )
            for a in sorted(e.activities, key=lambda a: (a.date, a.time or dt.time.min, a.id))
        ],
        assessments=[
            AssessmentEntry(
                taken_on=a.taken_on, phase=a.phase,
                scores=[(s.area, s.score) for s in _ordered_scores(a.scores)],
            )
            for a in sorted(e.assessments, key=lambda a: (a.taken_on, a.id))
        ],
        outcome=(
            OutcomeEntry(
                outcome=outcome.outcome, exited_on=outcome.exited_on,
                neutral_reason=outcome.neutral_reason,
                qualification_gained=bool(outcome.qualification_gained),
                employer=outcome.employer or "", occupation=outcome.occupation or "",
                hours_per_week=outcome.hours_per_week,
                note=(outcome.note or "") if full else None,
            )
            if outcome is not None
            else None
        ),
        follow_ups=[
            FollowUpEntry(months_after=f.months_after, due_on=f.due_on,
                          recorded_on=f.recorded_on, status=f.status, source=f.source)
            for f in e.follow_ups
        ],
        notes=(
            [NoteEntry(created_at=n.created_at, author=n.author.name if n.author else "",
                       body=n.body)
             for n in sorted(e.notes, key=lambda n: (n.created_at, n.id))]
            if full
            else None
        ),
    )


def _ordered_scores(scores):
    order = {area: i for i, area in enumerate(AssessmentArea)}
    return sorted(scores, key=lambda s: order.get(s.area, len(order)))


def collect(participant: Participant, *, for_participant: bool) -> SubjectData:
    """Everything stored about ``participant``, in a bounded number of queries.

    :param participant: the data subject (already loaded and authorised by the caller).
    :param for_participant: True for the participant's own view: coach-only notes
        (activity, step and exit notes, the coach's journal) are left out entirely.
    """
    full = not for_participant
    organization = db.session.get(Organization, participant.organization_id)
    return SubjectData(
        participant_id=participant.id,
        organization=organization.name if organization is not None else "",
        for_participant=for_participant,
        generated_at=dt.datetime.now(dt.UTC),
        profile=_profile(participant),
        enrollments=[_enrollment(e, full=full)
                     for e in _enrollments(participant, with_notes=full)],
    )


# --- JSON ------------------------------------------------------------------------------------


def _label_tables() -> dict[str, dict]:
    """``{"sv": {EnumClass: {value: label}}, "en": {...}}`` for every labelled enum."""
    tables = {}
    for locale in ("sv", "en"):
        with force_locale(locale):
            tables[locale] = {cls: {k: str(v) for k, v in labels.items()}
                              for cls, labels in enums.LABELS.items()}
    return tables


class _Json:
    def __init__(self):
        self.labels = _label_tables()

    def enum(self, cls: type[enum.Enum], value) -> dict | None:
        if value is None:
            return None
        code = value.value if isinstance(value, enum.Enum) else str(value)
        return {
            "value": code,
            "label_sv": self.labels["sv"].get(cls, {}).get(code, code),
            "label_en": self.labels["en"].get(cls, {}).get(code, code),
        }


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _instant(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC datetimes
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def to_json(data: SubjectData) -> dict:
    """A JSON-ready dict of ``data``: ISO dates, enum codes with Swedish and English labels.

    Coach-only keys (``note`` on steps, activities and the exit outcome, and the
    enrollment's ``notes``) are present only when ``data`` was collected with
    ``for_participant=False``.
    """
    j = _Json()
    full = not data.for_participant
    p = data.profile

    def with_note(row: dict, note: str | None) -> dict:
        if full:
            row["note"] = note or ""
        return row

    def enrollment(e: EnrollmentData) -> dict:
        row = {
            "id": e.id,
            "program": e.program,
            "cohort": e.cohort,
            "status": j.enum(EnrollmentStatus, e.status),
            "enrolled_on": _iso(e.enrolled_on),
            "labour_status_at_entry": j.enum(LabourStatus, e.labour_status_at_entry),
            "unemployed_months_at_entry": e.unemployed_months_at_entry,
            "income_at_entry": j.enum(IncomeSource, e.income_at_entry),
            "goal": e.goal,
            "coach": e.coach,
            "steps": [
                with_note({
                    "position": s.position, "name": s.name,
                    "kind": j.enum(StepKind, s.kind), "status": j.enum(StepStatus, s.status),
                    "started_on": _iso(s.started_on), "completed_on": _iso(s.completed_on),
                }, s.note)
                for s in e.steps
            ],
            "plan_items": [
                {"title": i.title, "owner": j.enum(PlanOwner, i.owner),
                 "due_on": _iso(i.due_on), "done_on": _iso(i.done_on)}
                for i in e.plan_items
            ],
            "activities": [
                with_note({
                    "kind": j.enum(ActivityKind, a.kind), "date": _iso(a.date),
                    "time": a.time.strftime("%H:%M") if a.time else None,
                    "duration_minutes": a.duration_minutes,
                    "attendance": j.enum(Attendance, a.attendance),
                    "group_session": a.group_session_title or None,
                }, a.note)
                for a in e.activities
            ],
            "assessments": [
                {"taken_on": _iso(a.taken_on), "phase": j.enum(AssessmentPhase, a.phase),
                 "scores": [{"area": j.enum(AssessmentArea, area), "score": score}
                            for area, score in a.scores]}
                for a in e.assessments
            ],
            "exit_outcome": None,
            "follow_ups": [
                {"months_after": f.months_after, "due_on": _iso(f.due_on),
                 "recorded_on": _iso(f.recorded_on),
                 "status": j.enum(FollowUpStatus, f.status),
                 "source": j.enum(FollowUpSource, f.source)}
                for f in e.follow_ups
            ],
        }
        if e.outcome is not None:
            o = e.outcome
            row["exit_outcome"] = with_note({
                "outcome": j.enum(Outcome, o.outcome), "exited_on": _iso(o.exited_on),
                "neutral_reason": j.enum(NeutralReason, o.neutral_reason),
                "qualification_gained": o.qualification_gained,
                "employer": o.employer, "occupation": o.occupation,
                "hours_per_week": o.hours_per_week,
            }, o.note)
        if full:
            row["notes"] = [
                {"created_at": _instant(n.created_at), "author": n.author, "body": n.body}
                for n in (e.notes or [])
            ]
        return row

    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "scope": "participant" if data.for_participant else "full",
        "generated_at": _instant(data.generated_at),
        "organization": data.organization,
        "profile": {
            "first_name": p.first_name,
            "last_name": p.last_name,
            "id_kind": j.enum(IdKind, p.id_kind),
            "national_id_masked": p.national_id_masked or None,
            "birth_date": _iso(p.birth_date),
            "gender": j.enum(Gender, p.gender),
            "birth_region": j.enum(BirthRegion, p.birth_region),
            "arrival_year": p.arrival_year,
            "district": p.district,
            "education_level": j.enum(EducationLevel, p.education_level),
            "swedish_level": j.enum(SwedishLevel, p.swedish_level),
            "phone": p.phone,
            "email": p.email,
            "protected_identity": p.protected_identity,
            "created_at": _instant(p.created_at),
            "anonymized_at": _instant(p.anonymized_at),
        },
        "enrollments": [enrollment(e) for e in data.enrollments],
    }
