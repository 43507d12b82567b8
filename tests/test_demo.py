"""The demo data set (``journey.demo.seed_demo``): complete, valid and reproducible."""

from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from journey.demo import DEMO_PASSWORD, DemoDataExists, add_months, seed_demo
from journey.enums import (
    OUTCOME_GROUP,
    Attendance,
    EnrollmentStatus,
    Gender,
    IdKind,
    Outcome,
    Role,
    StepStatus,
)
from journey.models import (
    Activity,
    Assessment,
    Cohort,
    Enrollment,
    ExitOutcome,
    GroupSession,
    Organization,
    Participant,
    Program,
    User,
)

TODAY = date(2026, 3, 16)
ORG = "Västerås stad – Arbetsmarknad"
MIMER = "Bostads AB Mimer"


def _luhn_ok(twelve: str) -> bool:
    """Independent check: Luhn over YYMMDDNNNC (the 10 digits after the century)."""
    total = 0
    for i, ch in enumerate(twelve[2:]):
        value = int(ch) * (2 if i % 2 == 0 else 1)
        total += value // 10 + value % 10
    return total % 10 == 0


def _org(db, name):
    return db.session.scalar(sa.select(Organization).where(Organization.name == name))


def _check_logins_are_real_users_with_the_demo_password(db, seeded):
    assert ("admin", "admin@journey.example", DEMO_PASSWORD) in seeded
    assert ("manager", "chef@journey.example", DEMO_PASSWORD) in seeded
    assert ("participant", "deltagare@journey.example", DEMO_PASSWORD) in seeded
    assert ("manager", "chef@mimer.example", DEMO_PASSWORD) in seeded
    assert Counter(role for role, _e, _p in seeded)["coach"] == 4
    for role, email, password in seeded:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user.role == Role(role)
        assert user.email == email.lower()
        assert user.check_password(password)
    mimer_chef = db.session.scalar(sa.select(User).where(User.email == "chef@mimer.example"))
    assert mimer_chef.organization.name == MIMER


def _check_programmes_cohorts_and_participants(db, seeded):
    org = _org(db, ORG)
    programs = {p.name: p for p in db.session.scalars(
        sa.select(Program).where(Program.organization_id == org.id))}
    assert set(programs) == {"Jobbpunkt", "Propellern", "Miljövärdar"}
    assert float(programs["Jobbpunkt"].outcome_target) == 0.70
    assert float(programs["Propellern"].outcome_target) == 0.50
    assert [t.name for t in programs["Propellern"].step_templates][1:4] == [
        "Acceptera livets nya villkor", "Bygga nätverk", "Lära sig språket"]
    for program in programs.values():
        assert [t.position for t in program.step_templates] == list(
            range(1, len(program.step_templates) + 1))
        cohorts = program.cohorts
        assert any(c.ends_on and c.ends_on < TODAY for c in cohorts)
        assert any(c.ends_on is None or c.ends_on >= TODAY for c in cohorts)

    count = sa.select(sa.func.count(Participant.id))
    assert 140 <= db.session.scalar(count.where(Participant.organization_id == org.id)) <= 160
    mimer = _org(db, MIMER)
    assert 5 <= db.session.scalar(count.where(Participant.organization_id == mimer.id)) <= 12
    twice = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            sa.select(Enrollment.participant_id).group_by(Enrollment.participant_id)
            .having(sa.func.count(Enrollment.id) > 1).subquery()))
    assert twice >= 2


def _check_national_ids_are_valid_and_agree_with_birth_date_and_gender(db, seeded):
    kinds = Counter()
    for p in db.session.scalars(sa.select(Participant)):
        kinds[p.id_kind] += 1
        if p.id_kind == IdKind.none:
            assert p.national_id is None
            continue
        n = p.national_id
        assert len(n) == 12 and n.isdigit() and _luhn_ok(n), n
        day = int(n[6:8]) - (60 if p.id_kind == IdKind.samordningsnummer else 0)
        assert date(int(n[:4]), int(n[4:6]), day) == p.birth_date
        if p.gender in (Gender.man, Gender.woman):
            assert int(n[10]) % 2 == (1 if p.gender == Gender.man else 0)
        assert p.email == "" or p.email.endswith(("@example.com", "@example.se"))
    assert kinds[IdKind.personnummer] > kinds[IdKind.samordningsnummer] > 0
    assert kinds[IdKind.none] > 0


def _check_enrollments_are_consistent(db, seeded):
    enrollments = db.session.scalars(sa.select(Enrollment).options(
        orm.selectinload(Enrollment.cohort).selectinload(Cohort.program)
        .selectinload(Program.step_templates),
        orm.selectinload(Enrollment.coach),
        orm.selectinload(Enrollment.exit_outcome),
        orm.selectinload(Enrollment.steps),
        orm.selectinload(Enrollment.follow_ups),
        orm.selectinload(Enrollment.activities),
        orm.selectinload(Enrollment.plan_items),
        orm.selectinload(Enrollment.assessments).selectinload(Assessment.scores),
    )).all()
    statuses = Counter(e.status for e in enrollments)
    assert statuses[EnrollmentStatus.exited] and statuses[EnrollmentStatus.active]
    for e in enrollments:
        cohort, outcome = e.cohort, e.exit_outcome
        assert cohort.starts_on <= e.enrolled_on <= TODAY
        assert e.coach.organization_id == cohort.program.organization_id
        assert (outcome is not None) == (e.status == EnrollmentStatus.exited)
        if cohort.ends_on and cohort.ends_on < TODAY:
            assert outcome is not None
        assert [s.position for s in e.steps] == [t.position for t in cohort.program.step_templates]
        if outcome:
            assert e.enrolled_on < outcome.exited_on <= TODAY
            assert StepStatus.not_started not in {s.status for s in e.steps}
            assert [(f.months_after, f.due_on) for f in e.follow_ups] == [
                (m, add_months(outcome.exited_on, m)) for m in (3, 6, 12)]
            for f in e.follow_ups:
                assert (f.recorded_on is None) == (f.status is None)
                assert f.recorded_on is None or f.due_on <= f.recorded_on <= TODAY
        else:
            assert [s.status for s in e.steps].count(StepStatus.in_progress) == 1
        own = [a for a in e.activities if a.group_session_id is None]
        assert 3 <= len(own) <= 15
        for a in e.activities:
            assert (a.attendance == Attendance.planned) == (a.date > TODAY)
        assert 2 <= len(e.plan_items) <= 6
        assert e.assessments and all(len(a.scores) == 7 for a in e.assessments)


def _check_outcome_mix_is_realistic(db, seeded):
    outcomes = db.session.scalars(sa.select(ExitOutcome)).all()
    good = sum(OUTCOME_GROUP[o.outcome] in ("job", "studies") for o in outcomes)
    assert 0.55 <= good / len(outcomes) <= 0.8
    assert {o.outcome for o in outcomes} == set(Outcome)
    for o in outcomes:
        assert (o.neutral_reason is not None) == (o.outcome == Outcome.neutral)
        if OUTCOME_GROUP[o.outcome] == "job" and o.outcome != Outcome.self_employed:
            assert o.employer and o.occupation and o.hours_per_week
    assert any(o.qualification_gained for o in outcomes)


def _check_group_sessions_and_portal_participant(db, seeded):
    sessions = db.session.scalars(sa.select(GroupSession)).all()
    assert sessions and all(s.activities for s in sessions)
    attended = db.session.scalar(sa.select(sa.func.count(Activity.id))
                                 .where(Activity.attendance == Attendance.attended))
    assert attended > 500

    portal = db.session.scalar(sa.select(User).where(User.email == "deltagare@journey.example"))
    participant = db.session.scalar(
        sa.select(Participant).where(Participant.portal_user_id == portal.id))
    (enrollment,) = participant.enrollments
    assert enrollment.status == EnrollmentStatus.active
    assert enrollment.coach.email == "anna.coach@journey.example"
    assert participant.organization_id == portal.organization_id
    assert any(a.date > TODAY for a in enrollment.activities)


def test_seed_demo_fills_an_empty_database(db):
    # One seed for all the checks: seeding takes a second or two.
    logins = seed_demo(today=TODAY)
    db.session.commit()  # the check constraints hold
    _check_logins_are_real_users_with_the_demo_password(db, logins)
    _check_programmes_cohorts_and_participants(db, logins)
    _check_national_ids_are_valid_and_agree_with_birth_date_and_gender(db, logins)
    _check_enrollments_are_consistent(db, logins)
    _check_outcome_mix_is_realistic(db, logins)
    _check_group_sessions_and_portal_participant(db, logins)


def test_same_seed_same_data_and_refuses_to_seed_twice(db):
    def fingerprint():
        rows = db.session.execute(
            sa.select(Participant.first_name, Participant.last_name, Participant.national_id_hash,
                      Cohort.name, Enrollment.enrolled_on, ExitOutcome.outcome)
            .join(Enrollment, Enrollment.participant_id == Participant.id)
            .join(Cohort, Cohort.id == Enrollment.cohort_id)
            .outerjoin(ExitOutcome, ExitOutcome.enrollment_id == Enrollment.id)
        ).all()
        return sorted(rows, key=repr)

    seed_demo(seed=7, today=TODAY)
    first = fingerprint()
    db.session.rollback()
    seed_demo(seed=7, today=TODAY)
    assert fingerprint() == first
    db.session.commit()
    with pytest.raises(DemoDataExists):
        seed_demo(seed=7, today=TODAY)
