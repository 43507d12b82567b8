"""A large synthetic data set for benchmarks, written with bulk inserts.

``seed_synthetic(participants=N)`` builds organisations, staff, programmes with
step templates, cohorts (about one per 50 participants, plus one cohort of
5 000 enrollments when N >= 20 000) and, per participant, one enrollment with
its steps, ~30 activities, plan items, assessments, an exit outcome and
follow-ups when it has ended, and a few audit events.

The distributions (origins, gender, age, education, Swedish level, ID kinds,
outcomes, attendance, follow-up statuses) are the demo's (journey/demo.py), so
reports over the synthetic data look like reports over the demo data, only
bigger. Everything is drawn from ``random.Random(seed)``, so the same seed,
size and day give the same data.

Rows go to the database in bulk, a few thousand enrollments' worth at a time,
with explicit primary keys: the small tables through SQLAlchemy Core
``insert()``, the large ones through ``journey.bulk.insert_rows``; no ORM unit
of work per object. PostgreSQL sequences are moved past the inserted ids at the
end. Personal data is made up: personnummer use 98x/99x birth numbers with a
valid check digit, phone numbers come from PTS's range for fiction and e-mail
addresses end in example.com.
"""

from __future__ import annotations

import math
import random
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from journey import bulk
from journey import demo as _demo
from journey.enums import (
    OUTCOME_GROUP,
    AssessmentArea,
    AssessmentPhase,
    Attendance,
    AuditAction,
    EnrollmentStatus,
    FollowUpSource,
    FollowUpStatus,
    Gender,
    IdKind,
    NeutralReason,
    Outcome,
    PlanOwner,
    Role,
    StepKind,
    StepStatus,
    SwedishLevel,
)
from journey.extensions import db
from journey.models import (
    Activity,
    Assessment,
    AssessmentScore,
    AuditEvent,
    Cohort,
    Enrollment,
    ExitOutcome,
    FollowUp,
    JourneyStep,
    Organization,
    Participant,
    PlanItem,
    Program,
    StepTemplate,
    User,
)
from journey.participants import crypto
from journey.participants.personnummer import luhn_digit

DEFAULT_PASSWORD = _demo.DEMO_PASSWORD
BENCH_MANAGER_EMAIL = "bench.manager@journey.example"
BENCH_COACH_EMAIL = "bench.coach@journey.example"
BENCH_CASELOAD = 60          # active enrollments of the bench coach
BIG_COHORT_SIZE = 5_000
BIG_COHORT_MIN_PARTICIPANTS = 20_000
PARTICIPANTS_PER_COHORT = 50
ACTIVITIES_PER_ENROLLMENT = 30
CHUNK_ENROLLMENTS = 2_000    # enrollments generated before their rows are written
BATCH_ROWS = 10_000          # rows per executemany

# Insert order (parents before children), so foreign keys hold at every batch.
_TABLES = (Participant, Enrollment, JourneyStep, ExitOutcome, FollowUp, Activity, PlanItem,
           Assessment, AssessmentScore, AuditEvent)




class SyntheticDataRefused(RuntimeError):
    """The database is not empty (and --append was not given)."""


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    organization_ids: list[int] = field(default_factory=list)
    big_cohort_id: int | None = None
    bench_coach_email: str = BENCH_COACH_EMAIL
    bench_manager_email: str = BENCH_MANAGER_EMAIL
    bench_coach_active: int = 0
    bench_enrollment_id: int | None = None


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass
class _Cohort:
    id: int
    org_index: int
    program: _Program
    starts_on: date
    ends_on: date | None
    size: int
    running: bool


@dataclass
class _Program:
    id: int
    org_index: int
    spec: object   # journey.demo._ProgramSpec
    templates: list[tuple[str, StepKind]]


class _Ids:
    """Next free primary key per table (explicit keys make parent/child rows cheap)."""

    def __init__(self, connection):
        self.next: dict[str, int] = {}
        for model in (Organization, User, Program, StepTemplate, Cohort, *_TABLES):
            table = model.__table__
            top = connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
            self.next[table.name] = top + 1

    def take(self, model, n: int = 1) -> int:
        name = model.__table__.name
        first = self.next[name]
        self.next[name] = first + n
        return first


class _Writer:
    """Buffers rows per table and writes them in batches.

    The large tables skip SQLAlchemy's per-row parameter processing (most of the
    time of a Core executemany): they go straight to the driver through
    ``journey.bulk.insert_rows`` (executemany on SQLite, COPY on PostgreSQL).
    """

    def __init__(self, connection, echo: Callable[[str], None]):
        self.connection = connection
        self.rows: dict[str, list[dict]] = {m.__table__.name: [] for m in _TABLES}
        self.counts: dict[str, int] = {}
        self.echo = echo

    def add(self, model, row: dict) -> None:
        self.rows[model.__table__.name].append(row)

    def insert_now(self, model, rows: list[dict]) -> None:
        """Through Core (the small tables: programmes, users, cohorts)."""
        table = model.__table__
        for start in range(0, len(rows), BATCH_ROWS):
            self.connection.execute(table.insert(), rows[start:start + BATCH_ROWS])
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def insert_raw(self, model, rows: list[dict]) -> None:
        table = model.__table__
        bulk.insert_rows(self.connection, table, rows, batch_rows=BATCH_ROWS)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def flush(self) -> None:
        for model in _TABLES:
            name = model.__table__.name
            if self.rows[name]:
                self.insert_raw(model, self.rows[name])
                self.rows[name] = []


class _Seeder:
    def __init__(self, connection, *, participants: int, organizations: int, coaches: int,
                 seed: int, password: str, today: date, echo: Callable[[str], None]):
        self.conn = connection
        self.n = participants
        self.n_orgs = organizations
        self.n_coaches = coaches
        self.rng = random.Random(seed)  # noqa: S311  # nosec B311 # reproducible test data
        self.password = password
        self.today = today
        self.echo = echo
        self.now = datetime.now(UTC)
        self.ids = _Ids(connection)
        self.out = _Writer(connection, echo)
        self.used_ids: set[str] = set()
        self.phone_seq = 0
        self.result = SeedResult()
        self.coaches: list[list[int]] = []    # per organisation
        self.managers: list[int] = []
        self.bench_coach: int | None = None
        self.enrollments_done = 0

    # ------------------------------------------------------------------ top level

    def run(self) -> SeedResult:
        started = _time.perf_counter()
        self._organizations_and_staff()
        programs = self._programs()
        cohorts = self._cohorts(programs)
        pending = 0
        for cohort in cohorts:
            self._fill(cohort)
            pending += cohort.size
            if pending >= CHUNK_ENROLLMENTS:
                self.out.flush()
                pending = 0
                self.echo(f"  {self.enrollments_done:>9,} / {self.n:,} enrollments written")
        self.out.flush()
        self._fix_sequences()
        self.result.counts = dict(self.out.counts)
        self.result.seconds = _time.perf_counter() - started
        return self.result

    def _row(self, **values) -> dict:
        values.setdefault("created_at", self.now)
        values.setdefault("updated_at", self.now)
        return values

    # ------------------------------------------------------------------ staff

    def _organizations_and_staff(self) -> None:
        existing = set(self.conn.execute(sa.select(Organization.name)).scalars())
        names = []
        k = 1
        while len(names) < self.n_orgs:
            name = f"Syntetisk kommun {k}"
            if name not in existing:
                names.append(name)
            k += 1
        org_rows = []
        for name in names:
            org_id = self.ids.take(Organization)
            org_rows.append(self._row(id=org_id, name=name, attention_no_contact_days=14,
                                      attention_no_show_streak=2, attention_no_step_days=30,
                                      attention_follow_up_days=7))
            self.result.organization_ids.append(org_id)
        self.out.insert_now(Organization, org_rows)

        password_hash = generate_password_hash(self.password, method="scrypt")
        taken = set(self.conn.execute(sa.select(User.email)).scalars())
        user_rows = []

        def user(org_index: int, role: Role, email: str, name: str) -> int | None:
            if email in taken:
                return None
            taken.add(email)
            user_id = self.ids.take(User)
            user_rows.append(self._row(
                id=user_id, organization_id=self.result.organization_ids[org_index],
                email=email, name=name, role=role, password_hash=password_hash, locale="sv",
                is_active=True, session_token=f"synthetic-{user_id}-{self.rng.getrandbits(64):x}",
                last_login_at=None))
            return user_id

        self.bench_coach = user(0, Role.coach, BENCH_COACH_EMAIL, "Bench Coach")
        bench_manager = user(0, Role.manager, BENCH_MANAGER_EMAIL, "Bench Manager")
        first_names = [n for o in _demo._ORIGINS.values() for n in o.women + o.men]
        last_names = [n for o in _demo._ORIGINS.values() for n in o.last]
        serial = self.ids.next["user_account"]
        for i in range(self.n_orgs):
            org_coaches = []
            if i == 0 and self.bench_coach:
                org_coaches.append(self.bench_coach)
            wanted = max(1, self.n_coaches // self.n_orgs)
            while len(org_coaches) < wanted:
                serial += 1
                name = f"{self.rng.choice(first_names)} {self.rng.choice(last_names)}"
                uid = user(i, Role.coach, f"coach{serial}.org{i + 1}@synthetic.example", name)
                if uid:
                    org_coaches.append(uid)
            self.coaches.append(org_coaches)
            manager = user(i, Role.manager, f"manager{serial}.org{i + 1}@synthetic.example",
                           "Syntetisk chef")
            self.managers.append(manager or bench_manager)
            user(i, Role.admin, f"admin{serial}.org{i + 1}@synthetic.example", "Syntetisk admin")
        if bench_manager:
            self.managers[0] = bench_manager
        self.out.insert_now(User, user_rows)

    # ------------------------------------------------------------------ programmes, cohorts

    def _programs(self) -> list[list[_Program]]:
        per_org = []
        program_rows, template_rows = [], []
        specs = _demo._PROGRAMS
        for i, org_id in enumerate(self.result.organization_ids):
            n_cohorts = max(1, round(self._org_participants(i) / PARTICIPANTS_PER_COHORT))
            n_programs = max(len(specs), round(n_cohorts / 40))
            programs = []
            for p in range(n_programs):
                spec = specs[p % len(specs)]
                name = spec.name if p < len(specs) else f"{spec.name} {p // len(specs) + 1}"
                program_id = self.ids.take(Program)
                program_rows.append(self._row(
                    id=program_id, organization_id=org_id, name=name,
                    description=spec.description, is_active=True,
                    outcome_target=spec.target))
                templates = list(spec.steps)
                for position, (step_name, kind) in enumerate(templates, start=1):
                    template_rows.append(self._row(
                        id=self.ids.take(StepTemplate), program_id=program_id,
                        position=position, name=step_name, kind=kind, is_retired=False))
                programs.append(_Program(program_id, i, spec, templates))
            per_org.append(programs)
        self.out.insert_now(Program, program_rows)
        self.out.insert_now(StepTemplate, template_rows)
        return per_org

    def _org_participants(self, i: int) -> int:
        base, extra = divmod(self.n, self.n_orgs)
        return base + (1 if i < extra else 0)

    def _cohorts(self, programs: list[list[_Program]]) -> list[_Cohort]:
        rng, today = self.rng, self.today
        cohorts: list[_Cohort] = []
        rows = []
        names: set[tuple[int, str]] = set()

        def add(org_index, program, starts_on, ends_on, size, name) -> _Cohort:
            base, k = name, 2
            while (program.id, name) in names:
                name, k = f"{base} ({k})", k + 1
            names.add((program.id, name))
            cohort_id = self.ids.take(Cohort)
            running = ends_on is None or ends_on >= today
            cost = None
            if not running and rng.random() < 0.7:
                cost = size * rng.randint(60, 140) * 1000
            rows.append(self._row(id=cohort_id, program_id=program.id, name=name,
                                  starts_on=starts_on, ends_on=ends_on, cost_sek=cost))
            cohort = _Cohort(cohort_id, org_index, program, starts_on, ends_on, size, running)
            cohorts.append(cohort)
            return cohort

        for i in range(self.n_orgs):
            remaining = self._org_participants(i)
            if i == 0 and self.n >= BIG_COHORT_MIN_PARTICIPANTS:
                # Finished two months ago: leavers, outcomes and 3-month follow-ups are in.
                starts_on = _demo.add_months(today, -26).replace(day=1)
                ends_on = _demo.add_months(today, -2)
                size = min(BIG_COHORT_SIZE, remaining)
                big = add(0, programs[0][0], starts_on, ends_on, size,
                          "Jobbpunkt storkull (syntetisk)")
                self.result.big_cohort_id = big.id
                remaining -= size
            sizes = []
            while remaining > 0:
                size = rng.randint(30, 70)
                if remaining - size < 30:
                    size = remaining
                sizes.append(size)
                remaining -= size
            # The bench coach's caseload comes from the first running cohorts: make sure
            # the first organisation has some whatever the seed.
            for n, size in enumerate(sizes):
                program = rng.choice(programs[i])
                if i == 0 and n < 3:
                    start_months = -rng.randint(2, 5)
                else:
                    start_months = -rng.randint(1, 96)
                starts_on = _demo.add_months(today, start_months).replace(day=1)
                if start_months > -12 and rng.random() < 0.05:
                    ends_on = None
                else:
                    ends_on = _demo.add_months(starts_on, rng.randint(6, 18)) - timedelta(days=1)
                label = _demo._term(starts_on)
                add(i, program, starts_on, ends_on, size, f"{program.spec.name} {label} #{n + 1}")
        self.out.insert_now(Cohort, rows)
        # Finished cohorts first (like the demo), then the running ones.
        cohorts.sort(key=lambda c: (c.running, c.starts_on))
        return cohorts

    # ------------------------------------------------------------------ enrollments

    def _fill(self, cohort: _Cohort) -> None:
        org_index = cohort.org_index
        districts = dict(_demo.DISTRICTS)
        district = self.rng.choice(list(districts))
        districts[district] *= 4
        for _ in range(cohort.size):
            enrolled_on = self._enrolled_on(cohort)
            participant_id, profile = self._participant(cohort, enrolled_on, districts)
            self._enroll(cohort, org_index, participant_id, profile, enrolled_on)

    def _enrolled_on(self, cohort: _Cohort) -> date:
        rng = self.rng
        if cohort.running:
            last = min(self.today - timedelta(days=7), cohort.ends_on or self.today)
            span = max((last - cohort.starts_on).days, 0)
            return cohort.starts_on + timedelta(days=rng.randint(0, span))
        span = (cohort.ends_on - cohort.starts_on).days
        return cohort.starts_on + timedelta(days=rng.randint(0, int(span * 0.35)))

    def _participant(self, cohort: _Cohort, enrolled_on: date, districts: dict):
        rng = self.rng
        profile = cohort.program.spec.profile
        person = _demo.draw_person(rng, profile, enrolled_on)
        gender, first, last, id_kind = person.gender, person.first, person.last, person.id_kind
        region, birth_date, arrival_year = person.region, person.birth_date, person.arrival_year
        education, swedish = person.education, person.swedish
        national_id = None
        if id_kind != IdKind.none:
            national_id, birth_date = self._national_id(birth_date, gender, id_kind)
        elif rng.random() < 0.4:
            birth_date = None
        protected = rng.random() < 0.015
        phone = ""
        if not protected and rng.random() >= 0.12:
            phone = f"070-174 06 {5 + self.phone_seq % 95:02d}"
            self.phone_seq += 7
        email = ""
        roll = rng.random()
        if not protected and roll < 0.8:
            domain = "example.com" if roll < 0.62 else "example.se"
            email = f"{_demo._slug(first)}.{_demo._slug(last)}{rng.randint(1, 999)}@{domain}"
        participant_id = self.ids.take(Participant)
        self.out.add(Participant, self._row(
            id=participant_id, organization_id=self.result.organization_ids[cohort.org_index],
            first_name=first, last_name=last, id_kind=id_kind, **crypto.stored_columns(national_id),
            birth_date=birth_date, gender=gender, birth_region=region,
            arrival_year=arrival_year, district=_weighted(rng, districts),
            education_level=education, swedish_level=swedish, phone=phone, email=email,
            portal_user_id=None, protected_identity=protected, created_by_id=None,
            anonymized_at=None, version=1))
        return participant_id, swedish

    def _national_id(self, birth: date, gender: Gender, kind: IdKind) -> tuple[str, date]:
        """A unique valid 12-digit number with a 98x/99x birth number (test-like range)."""
        rng = self.rng
        if gender == Gender.man:
            parity = 1
        elif gender == Gender.woman:
            parity = 0
        else:
            parity = rng.randint(0, 1)
        for attempt in range(400):
            if attempt and attempt % 20 == 0:  # every serial of that day taken: next day
                birth -= timedelta(days=1)
            day = birth.day + (60 if kind == IdKind.samordningsnummer else 0)
            serial = 980 + 2 * rng.randint(0, 9) + parity
            nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
            number = f"{birth.year:04d}{nine[2:]}{luhn_digit(nine)}"
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number, birth
        raise AssertionError("could not draw a unique national id")

    def _coach(self, org_index: int, active: bool) -> int:
        if (active and org_index == 0 and self.bench_coach
                and self.result.bench_coach_active < BENCH_CASELOAD):
            self.result.bench_coach_active += 1
            return self.bench_coach
        coaches = self.coaches[org_index]
        if active and org_index == 0 and self.bench_coach and len(coaches) > 1:
            # The bench coach's caseload is exactly BENCH_CASELOAD; past ones are shared.
            return self.rng.choice(coaches[1:])
        return self.rng.choice(coaches)

    def _enroll(self, cohort: _Cohort, org_index: int, participant_id: int,
                swedish: SwedishLevel, enrolled_on: date) -> None:
        rng, spec = self.rng, cohort.program.spec
        labour, income, months = _demo.draw_entry_situation(rng, spec.profile)

        enrollment_id = self.ids.take(Enrollment)
        outcome, exited_on, status = self._exit(cohort, enrollment_id, enrolled_on)
        coach_id = self._coach(org_index, status != EnrollmentStatus.exited)
        if coach_id == self.bench_coach and self.result.bench_enrollment_id is None:
            self.result.bench_enrollment_id = enrollment_id
        self.out.add(Enrollment, self._row(
            id=enrollment_id, participant_id=participant_id, cohort_id=cohort.id,
            coach_id=coach_id, status=status, enrolled_on=enrolled_on,
            labour_status_at_entry=labour, unemployed_months_at_entry=months,
            income_at_entry=income, goal="", version=1))
        end = exited_on or self.today
        self._steps(cohort, enrollment_id, enrolled_on, end, outcome)
        self._activities(cohort, enrollment_id, enrolled_on, end, outcome, status)
        self._plan(cohort, enrollment_id, enrolled_on, end, exited_on, coach_id)
        self._assessments(cohort, enrollment_id, enrolled_on, end, outcome, exited_on,
                          swedish, coach_id)
        if exited_on:
            self._follow_ups(enrollment_id, outcome, exited_on)
        self._audit(org_index, enrollment_id, participant_id, coach_id, enrolled_on)
        self.enrollments_done += 1

    def _exit(self, cohort: _Cohort, enrollment_id: int, enrolled_on: date):
        """(outcome, exited_on, status), and the ExitOutcome row when it has ended."""
        rng, spec = self.rng, cohort.program.spec
        if cohort.running:
            elapsed = (self.today - enrolled_on).days
            share = min(spec.running_exit_share, 0.1 + elapsed / spec.typical_days * 0.6)
            if elapsed < 45 or rng.random() >= share:
                status = (EnrollmentStatus.paused if rng.random() < 0.06
                          else EnrollmentStatus.active)
                return None, None, status
            outcome = _weighted(rng, spec.outcomes)
            exited_on = enrolled_on + timedelta(days=rng.randint(30, elapsed - 3))
        else:
            outcome = _weighted(rng, spec.outcomes)
            span = (cohort.ends_on - enrolled_on).days
            if outcome in (Outcome.neutral, Outcome.dropout_unknown):
                days = rng.randint(21, max(22, int(span * 0.6)))
            elif outcome == Outcome.job_seeking or spec.exits_late:
                days = span - rng.randint(0, min(60, span // 4))
            else:
                days = rng.randint(int(span * 0.3), span)
            exited_on = enrolled_on + timedelta(days=min(days, span))
        group = OUTCOME_GROUP[outcome]
        employer = occupation = note = ""
        hours = neutral_reason = None
        if group == "job":
            employer, occupation = rng.choice(_demo._JOB_OUTCOMES[outcome])
            hours = (rng.choice((40, 45, 30, None)) if outcome == Outcome.self_employed
                     else rng.choice((40, 40, 40, 35, 30, 25, 20)))
        elif group == "studies":
            note = rng.choice(_demo._STUDY_NOTES[outcome]) + "."
        elif outcome == Outcome.neutral:
            neutral_reason = _weighted(rng, {NeutralReason.moved: 35,
                                             NeutralReason.parental_leave: 30,
                                             NeutralReason.illness: 25,
                                             NeutralReason.other: 10})
            note = _demo._NEUTRAL_NOTES[neutral_reason]
        qualification = rng.random() < (0.35 if group in ("job", "studies") else 0.08)
        self.out.add(ExitOutcome, self._row(
            id=self.ids.take(ExitOutcome), enrollment_id=enrollment_id, exited_on=exited_on,
            outcome=outcome, neutral_reason=neutral_reason, qualification_gained=qualification,
            employer=employer, occupation=occupation, hours_per_week=hours, note=note))
        return outcome, exited_on, EnrollmentStatus.exited

    def _steps(self, cohort, enrollment_id, enrolled_on, end, outcome) -> None:
        rng = self.rng
        templates = cohort.program.templates
        n = len(templates)
        elapsed = max((end - enrolled_on).days, 1)
        progress = elapsed / cohort.program.spec.typical_days
        good = outcome is not None and OUTCOME_GROUP[outcome] in ("job", "studies")
        if outcome is not None:
            done = (min(n, max(2, round(progress * n) + 1)) if good
                    else min(n, max(1, int(progress * n))))
            in_progress = 0
        else:
            done, in_progress = min(n - 1, int(progress * n)), 1
        slot = elapsed / max(done + in_progress, 1)
        first_id = self.ids.take(JourneyStep, n)
        for i, (name, kind) in enumerate(templates):
            status, started, completed, note = StepStatus.not_started, None, None, ""
            if i < done:
                status = StepStatus.done
                started = enrolled_on + timedelta(days=int(i * slot))
                finish = int((i + 1) * slot) - rng.randint(0, int(slot / 4))
                completed = max(started, enrolled_on + timedelta(days=finish))
            elif i == done and in_progress:
                status = StepStatus.in_progress
                started = enrolled_on + timedelta(days=int(i * slot))
            elif outcome is not None:
                status = StepStatus.skipped
            if kind == StepKind.profile_analysis and status == StepStatus.done:
                note = "Profilanalys genomförd, mål och hinder kartlagda."
            self.out.add(JourneyStep, self._row(
                id=first_id + i, enrollment_id=enrollment_id, name=name, kind=kind,
                position=i + 1, status=status, started_on=started, completed_on=completed,
                note=note))

    def _activities(self, cohort, enrollment_id, enrolled_on, end, outcome, status) -> None:
        rng, spec = self.rng, cohort.program.spec
        elapsed = max((end - enrolled_on).days, 1)
        # ~30 on average over the data set: a contact every week or so while enrolled.
        total = max(4, min(90, round(elapsed / 7.5) + rng.randint(-3, 3)))
        future = 0
        if outcome is None and status == EnrollmentStatus.active:
            future = rng.randint(1, 3)
        weights = ({Attendance.attended: 55, Attendance.no_show: 30, Attendance.cancelled: 15}
                   if outcome == Outcome.dropout_unknown else
                   {Attendance.attended: 78, Attendance.no_show: 12, Attendance.cancelled: 10})
        last_past = min(end, self.today - timedelta(days=1))
        past_span = max((last_past - enrolled_on).days, 0)
        past = total - future
        days = sorted(rng.randint(0, past_span) for _ in range(past))
        kinds = rng.choices(list(spec.activity_kinds), weights=list(spec.activity_kinds.values()),
                            k=total)
        attendance = rng.choices(list(weights), weights=list(weights.values()), k=past)
        first_id = self.ids.take(Activity, total)
        for j in range(total):
            kind = kinds[j]
            if j < past:
                when = enrolled_on + timedelta(days=days[j])
                att = attendance[j]
                note = "" if rng.random() < 0.5 else rng.choice(_demo._ACTIVITY_NOTES[kind])
            else:
                when = self.today + timedelta(days=rng.randint(1, 28))
                att, note = Attendance.planned, ""
            self.out.add(Activity, self._row(
                id=first_id + j, enrollment_id=enrollment_id, kind=kind, date=when,
                time=rng.choice(_demo._TIMES), duration_minutes=rng.choice(_demo._DURATIONS[kind]),
                attendance=att, note=note, group_session_id=None))

    def _plan(self, cohort, enrollment_id, enrolled_on, end, exited_on, coach_id) -> None:
        rng = self.rng
        owners = {title: owner for title, owner in _demo._COMMON_PLAN}
        owners.update({title: PlanOwner.participant for title in cohort.program.spec.plan_titles})
        titles = rng.sample(list(owners), rng.randint(2, 5))
        horizon = end if exited_on else self.today + timedelta(days=45)
        span = max((horizon - enrolled_on).days - 7, 1)
        for title in titles:
            due = enrolled_on + timedelta(days=7 + rng.randint(0, span))
            due_on = None if rng.random() < 0.1 else due
            done_p = 0.8 if exited_on else (0.65 if due <= self.today else 0.15)
            done_on = None
            if rng.random() < done_p:
                latest = min(due + timedelta(days=7), end, self.today)
                earliest = min(max(enrolled_on, due - timedelta(days=14)), latest)
                done_on = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
            self.out.add(PlanItem, self._row(
                id=self.ids.take(PlanItem), enrollment_id=enrollment_id, title=title,
                due_on=due_on, owner=owners[title], done_on=done_on, created_by_id=coach_id))

    def _assessments(self, cohort, enrollment_id, enrolled_on, end, outcome, exited_on,
                     swedish, coach_id) -> None:
        rng = self.rng
        network = (1, 4) if cohort.program.spec.profile == "newly_arrived" else (2, 6)
        scores = {
            AssessmentArea.job_skills: rng.randint(2, 6),
            AssessmentArea.motivation: rng.randint(4, 8),
            AssessmentArea.job_search: rng.randint(2, 5),
            AssessmentArea.language: rng.randint(*_demo._LANGUAGE_SCORE[swedish]),
            AssessmentArea.stability: rng.randint(3, 7),
            AssessmentArea.health: rng.randint(3, 8),
            AssessmentArea.social_network: rng.randint(*network),
        }
        elapsed = (end - enrolled_on).days
        phases = [(AssessmentPhase.intake,
                   min(enrolled_on + timedelta(days=rng.randint(0, 10)), end))]
        good = outcome is None or OUTCOME_GROUP[outcome] in ("job", "studies")
        if elapsed >= 100 and rng.random() < 0.85:
            phases.append((AssessmentPhase.midway,
                           enrolled_on + timedelta(days=elapsed // 2 + rng.randint(-10, 10))))
        if exited_on and outcome != Outcome.dropout_unknown and rng.random() < 0.85:
            phases.append((AssessmentPhase.exit, exited_on))
        gains = (-1, 0, 1, 1, 2, 2, 3) if good else (-1, -1, 0, 0, 1, 1, 2)
        for n, (phase, taken_on) in enumerate(phases):
            if n:
                scores = {area: max(1, min(10, value + rng.choice(gains)))
                          for area, value in scores.items()}
            assessment_id = self.ids.take(Assessment)
            self.out.add(Assessment, self._row(
                id=assessment_id, enrollment_id=enrollment_id, taken_on=taken_on, phase=phase,
                created_by_id=coach_id))
            first = self.ids.take(AssessmentScore, len(scores))
            for k, (area, value) in enumerate(scores.items()):
                self.out.add(AssessmentScore, {"id": first + k, "assessment_id": assessment_id,
                                               "area": area, "score": value})

    def _follow_ups(self, enrollment_id: int, outcome: Outcome, exited_on: date) -> None:
        rng = self.rng
        group = OUTCOME_GROUP[outcome]
        S = FollowUpStatus
        if outcome == Outcome.self_employed:
            weights = {S.self_employed: 80, S.employed: 10, S.job_seeking: 10}
        elif group == "job":
            weights = {S.employed: 80, S.job_seeking: 10, S.studies: 4, S.other: 3, S.unknown: 3}
        elif group == "studies":
            weights = {S.studies: 70, S.employed: 15, S.job_seeking: 10, S.unknown: 5}
        elif outcome == Outcome.job_seeking:
            weights = {S.job_seeking: 50, S.employed: 25, S.studies: 10, S.other: 5,
                       S.unknown: 10}
        elif outcome == Outcome.neutral:
            weights = {S.other: 40, S.job_seeking: 20, S.employed: 15, S.unknown: 25}
        else:
            weights = {S.unknown: 45, S.job_seeking: 30, S.employed: 15, S.other: 10}
        for months, record_p in ((3, 0.9), (6, 0.85), (12, 0.8)):
            due_on = _demo.add_months(exited_on, months)
            status = source = recorded_on = None
            if due_on <= self.today and rng.random() < record_p:
                status = _weighted(rng, weights)
                if status == S.unknown:
                    source = FollowUpSource.register
                elif status in (S.employed, S.self_employed):
                    source = _weighted(rng, {FollowUpSource.self_report: 50,
                                             FollowUpSource.employer: 35,
                                             FollowUpSource.register: 15})
                else:
                    source = _weighted(rng, {FollowUpSource.self_report: 80,
                                             FollowUpSource.register: 20})
                recorded_on = min(due_on + timedelta(days=rng.randint(0, 20)), self.today)
            self.out.add(FollowUp, self._row(
                id=self.ids.take(FollowUp), enrollment_id=enrollment_id, months_after=months,
                due_on=due_on, recorded_on=recorded_on, status=status, source=source))

    def _audit(self, org_index, enrollment_id, participant_id, coach_id, enrolled_on) -> None:
        """The creation of every enrollment, and a coach's view of one in ten."""
        org_id = self.result.organization_ids[org_index]
        at = datetime.combine(enrolled_on, time(9, 0), tzinfo=UTC)
        self.out.add(AuditEvent, {
            "id": self.ids.take(AuditEvent), "at": at, "organization_id": org_id,
            "user_id": coach_id, "action": AuditAction.create, "object_type": "enrollment",
            "object_id": enrollment_id, "participant_id": participant_id, "ip": "127.0.0.1",
            "detail": "seed-synthetic"})
        if self.rng.random() < 0.1:
            self.out.add(AuditEvent, {
                "id": self.ids.take(AuditEvent), "at": at + timedelta(days=1),
                "organization_id": org_id, "user_id": coach_id, "action": AuditAction.view,
                "object_type": "enrollment", "object_id": enrollment_id,
                "participant_id": participant_id, "ip": "127.0.0.1", "detail": ""})

    def _fix_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the explicit ids written here."""
        if self.conn.dialect.name != "postgresql":
            return
        for model in (Organization, User, Program, StepTemplate, Cohort, *_TABLES):
            table = model.__table__.name
            self.conn.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))  # nosec B608 # models


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(Organization.id))) == 0


def default_coaches(participants: int) -> int:
    """About 400 participants per coach over the years: ~60 active enrollments each."""
    return max(2, math.ceil(participants / 400))


def seed_synthetic(participants: int, *, organizations: int = 1, coaches: int | None = None,
                   seed: int = 2026, password: str = DEFAULT_PASSWORD,
                   today: date | None = None, append: bool = False,
                   echo: Callable[[str], None] = lambda _msg: None) -> SeedResult:
    """Write the synthetic data set and commit it.

    :param participants: number of participants (one enrollment each).
    :param organizations: organisations to spread them over (the bench users are in the first).
    :param coaches: coaches in all (default: one per 400 participants).
    :param seed: seed of the random generator (same seed, same data).
    :param append: add to a database that already has data.
    :raises SyntheticDataRefused: the database has data and ``append`` is false.
    """
    if participants < 1 or organizations < 1:
        raise ValueError("participants and organizations must be at least 1")
    if not append and not database_is_empty():
        raise SyntheticDataRefused(
            "The database already has data; use --append to add to it. Nothing was changed.")
    db.session.rollback()
    with db.engine.begin() as connection:
        seeder = _Seeder(connection, participants=participants, organizations=organizations,
                         coaches=coaches or default_coaches(participants), seed=seed,
                         password=password, today=today or date.today(), echo=echo)
        result = seeder.run()
    # Fresh planner statistics, as autovacuum would gather after such a load. (SQLite
    # gathers none by itself, and a deployment seldom runs ANALYZE: left as it is.)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                sa.text("ANALYZE"))
    return result
