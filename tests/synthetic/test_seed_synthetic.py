"""`flask journey seed-synthetic`: a small run through the CLI on the test database."""

import re
from datetime import date

import sqlalchemy as sa

from journey.enums import OUTCOME_GROUP, EnrollmentStatus, Gender, IdKind, Role
from journey.extensions import db as _db
from journey.models import (
    Activity,
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
    User,
)
from journey.participants import personnummer
from journey.synthetic import seed as seed_module
from tests import factories

PASSWORD = "demo-lösenord-2026"  # noqa: S105  (the synthetic data's published password)


def _seed(app, *args):
    return app.test_cli_runner().invoke(args=["journey", "seed-synthetic", *args])


def _count(model, *where) -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))




def test_builds_a_consistent_realistic_data_set(app, db):
    result = _seed(app, "--participants", "300", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "Bench coach:   bench.coach@journey.example" in result.output

    assert _count(Participant) == 300
    assert _count(Enrollment) == 300
    assert 4 <= _count(Cohort) <= 8  # about one cohort per 50 participants
    # Every enrollment has its programme's steps, in positions 1..n.
    no_steps = _db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment).where(
        ~sa.exists().where(JourneyStep.enrollment_id == Enrollment.id)))
    assert no_steps == 0
    assert _count(JourneyStep) >= 4 * 300
    activities = _count(Activity)
    # ~30 per enrollment at scale; a small set has relatively more recent (short) ones.
    assert 12 * 300 <= activities <= 45 * 300
    assert _count(PlanItem) >= 2 * 300
    assert _count(AssessmentScore) >= 7 * 300
    exited = _count(Enrollment, Enrollment.status == EnrollmentStatus.exited)
    assert _count(ExitOutcome) == exited
    assert _count(FollowUp) == 3 * exited
    assert _count(AuditEvent) >= 300
    # Most have left (as in the demo), some are still active.
    assert 0.6 <= exited / 300 < 1
    assert _count(Enrollment, Enrollment.status == EnrollmentStatus.active) > 0

    # Staff: the bench coach has an active caseload, the bench manager exists.
    coach = _db.session.scalar(sa.select(User).where(User.email == seed_module.BENCH_COACH_EMAIL))
    manager = _db.session.scalar(sa.select(User).where(
        User.email == seed_module.BENCH_MANAGER_EMAIL))
    assert coach.role == Role.coach and manager.role == Role.manager
    assert coach.check_password(PASSWORD)
    caseload = _count(Enrollment, Enrollment.coach_id == coach.id,
                      Enrollment.status == EnrollmentStatus.active)
    assert 1 <= caseload <= seed_module.BENCH_CASELOAD
    assert _count(Enrollment, Enrollment.coach_id == coach.id,
                  Enrollment.status != EnrollmentStatus.exited) <= seed_module.BENCH_CASELOAD

    # Distributions roughly like the demo's.
    people = _db.session.scalars(sa.select(Participant)).all()  # decrypts national_id
    genders = [p.gender for p in people]
    assert genders.count(Gender.woman) + genders.count(Gender.man) >= 0.85 * 300
    assert genders.count(Gender.woman) >= 0.3 * 300 and genders.count(Gender.man) >= 0.3 * 300
    with_number = [p for p in people if p.id_kind != IdKind.none]
    assert len(with_number) >= 0.8 * 300
    for p in with_number:
        parsed = personnummer.parse(p.national_id)  # valid date and check digit
        assert parsed.digits12 == p.national_id
        assert parsed.is_coordination == (p.id_kind == IdKind.samordningsnummer)
        assert parsed.birth_date == p.birth_date
        if p.gender in (Gender.woman, Gender.man):
            assert parsed.gender_hint == p.gender
    outcomes = _db.session.scalars(sa.select(ExitOutcome.outcome)).all()
    good = sum(OUTCOME_GROUP[o] in ("job", "studies") for o in outcomes)
    assert 0.4 <= good / len(outcomes) <= 0.8
    if _db.engine.dialect.name == "sqlite":  # keys written by hand: check them all
        assert _db.session.execute(sa.text("PRAGMA foreign_key_check")).all() == []


def test_same_seed_gives_the_same_data(app, db):
    def fingerprint():
        return _db.session.execute(sa.select(
            Participant.first_name, Participant.last_name, Participant.national_id_hash,
            Participant.district).order_by(Participant.id)).all()

    assert _seed(app, "--participants", "40", "--seed", "11").exit_code == 0
    first = fingerprint()
    _db.session.rollback()
    with _db.engine.begin() as conn:
        for table in reversed(_db.metadata.sorted_tables):
            conn.execute(table.delete())
    assert _seed(app, "--participants", "40", "--seed", "11").exit_code == 0
    assert fingerprint() == first
    assert len(first) == 40


def test_big_cohort_for_the_report_benchmark(app, db, monkeypatch):
    monkeypatch.setattr(seed_module, "BIG_COHORT_MIN_PARTICIPANTS", 200)
    monkeypatch.setattr(seed_module, "BIG_COHORT_SIZE", 120)
    result = _seed(app, "--participants", "300", "--organizations", "2")
    assert result.exit_code == 0, result.output
    cohort_id = int(re.search(r"Big cohort .*: id (\d+)", result.output).group(1))
    assert _count(Enrollment, Enrollment.cohort_id == cohort_id) == 120
    assert _count(Organization) == 2
    assert _count(Participant) == 300


def test_report_json_of_a_synthetic_cohort_is_sensible(app, db, login_as):
    assert _seed(app, "--participants", "150", "--seed", "3").exit_code == 0
    cohort_id, size = _db.session.execute(
        sa.select(Enrollment.cohort_id, sa.func.count()).group_by(Enrollment.cohort_id)
        .order_by(sa.func.count().desc()).limit(1)).one()
    manager = _db.session.scalar(sa.select(User).where(
        User.email == seed_module.BENCH_MANAGER_EMAIL))
    client = login_as(manager, PASSWORD)
    response = client.get(f"/cohorts/{cohort_id}/report.json?as_of={date.today()}")
    assert response.status_code == 200
    report = response.get_json()
    counts = report["counts"]
    assert counts["enrolled"] == size
    assert counts["active"] + counts["leavers"] == size
    assert counts["job"] + counts["studies"] + counts["other"] == counts["leavers"]
    rate = report["rates"]["job_or_studies"]
    if counts["leavers"]:
        assert 0 <= rate["value"] <= 1 and rate["denominator"] == counts["leavers"]
    assert report["attendance"]["attended"] > 0
    assert len(report["funnel"]) >= 4


def test_refuses_a_database_with_data_unless_append(app, db):
    factories.org("Befintlig kommun")
    _db.session.commit()
    result = _seed(app, "--participants", "20")
    assert result.exit_code != 0
    assert "already has data" in result.output
    assert _count(Participant) == 0

    result = _seed(app, "--participants", "20", "--append")
    assert result.exit_code == 0, result.output
    assert _count(Participant) == 20
    assert _count(Organization) == 2
    # A second append adds another organisation, and the bench users are not duplicated.
    result = _seed(app, "--participants", "20", "--append")
    assert result.exit_code == 0, result.output
    assert _count(Participant) == 40
    assert _count(User, User.email == seed_module.BENCH_COACH_EMAIL) == 1


def test_refuses_in_production_unless_forced(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = _seed(app, "--participants", "20")
    assert result.exit_code != 0
    assert "production" in result.output
    assert _count(Organization) == 0

    result = _seed(app, "--participants", "20", "--force", "--password", "ett-eget-lösenord")
    assert result.exit_code == 0, result.output
    coach = _db.session.scalar(sa.select(User).where(User.email == seed_module.BENCH_COACH_EMAIL))
    assert coach.check_password("ett-eget-lösenord")
    assert not coach.check_password(PASSWORD)
