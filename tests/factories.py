"""Small factory helpers that build valid objects through the models and services."""

import itertools
from datetime import date, timedelta

from werkzeug.security import generate_password_hash

from journey.activities.models import Activity
from journey.auth.models import Organization, User
from journey.cohorts.models import Cohort
from journey.enums import (
    ActivityKind,
    Attendance,
    Gender,
    IdKind,
    Role,
    StepKind,
)
from journey.extensions import db
from journey.participants.models import Participant
from journey.participants.services import enroll
from journey.programs.models import Program, StepTemplate

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)
# scrypt is slow on purpose; hash the shared test password once per run.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt")

DEFAULT_STEPS = (
    ("Profilanalys", StepKind.profile_analysis),
    ("Coachning", StepKind.coaching),
    ("Nätverk", StepKind.networking),
    ("Praktik", StepKind.internship),
)


def org(name: str | None = None) -> Organization:
    o = Organization(name=name or f"Organisation {next(_seq)}")
    db.session.add(o)
    db.session.flush()
    return o


def user(role: Role | str = Role.coach, organization: Organization | None = None,
         email: str | None = None, password: str = PASSWORD, name: str | None = None,
         **kwargs) -> User:
    n = next(_seq)
    u = User(
        organization=organization or org(),
        email=email or f"{role}{n}@test.example",
        name=name or f"{str(role).title()} {n}",
        role=Role(role),
        **kwargs,
    )
    if password == PASSWORD:
        u.password_hash = _PASSWORD_HASH
    else:
        u.set_password(password)
    db.session.add(u)
    db.session.flush()
    return u


def program(organization: Organization, name: str | None = None,
            steps=DEFAULT_STEPS) -> Program:
    p = Program(organization=organization, name=name or f"Program {next(_seq)}",
                description="", outcome_target=None)
    db.session.add(p)
    for position, (step_name, kind) in enumerate(steps, start=1):
        db.session.add(StepTemplate(program=p, position=position, name=step_name, kind=kind))
    db.session.flush()
    return p


def cohort(prog: Program, name: str | None = None, starts_on: date | None = None) -> Cohort:
    c = Cohort(program=prog, name=name or f"Kull {next(_seq)}",
               starts_on=starts_on or date.today() - timedelta(days=90))
    db.session.add(c)
    db.session.flush()
    return c


def participant(organization: Organization, first_name: str | None = None,
                last_name: str | None = None, **kwargs) -> Participant:
    n = next(_seq)
    p = Participant(
        organization=organization,
        first_name=first_name or f"Förnamn{n}",
        last_name=last_name or f"Efternamn{n}",
        id_kind=kwargs.pop("id_kind", IdKind.none),
        gender=kwargs.pop("gender", Gender.woman),
        **kwargs,
    )
    db.session.add(p)
    db.session.flush()
    return p


def enrollment(coach: User, coh: Cohort | None = None, part: Participant | None = None,
               enrolled_on: date | None = None, **kwargs):
    organization = coach.organization
    if coh is None:
        coh = cohort(program(organization))
    part = part or participant(organization, **kwargs)
    return enroll(part, coh, coach=coach,
                  enrolled_on=enrolled_on or coh.starts_on + timedelta(days=3))


def activity(enr, *, on: date | None = None, attendance: Attendance = Attendance.attended,
             kind: ActivityKind = ActivityKind.coaching, note: str = "") -> Activity:
    a = Activity(enrollment=enr, kind=kind, date=on or date.today(), duration_minutes=60,
                 attendance=attendance, note=note)
    db.session.add(a)
    db.session.flush()
    return a


def caseload_world():
    """Two organisations; coach A and B in org 1, coach C in org 2, a manager per org."""
    o1, o2 = org("Kommun Ett"), org("Bostadsbolag Två")
    coach_a = user(Role.coach, o1, name="Coach A")
    coach_b = user(Role.coach, o1, name="Coach B")
    coach_c = user(Role.coach, o2, name="Coach C")
    manager1 = user(Role.manager, o1)
    manager2 = user(Role.manager, o2)
    admin1 = user(Role.admin, o1)
    prog1 = program(o1, "Jobbpunkt")
    prog2 = program(o2, "Miljövärdar")
    coh1 = cohort(prog1, "Jobbpunkt HT")
    coh2 = cohort(prog2, "Miljövärdar 1")
    enr_a = enrollment(coach_a, coh1, first_name="Amina", last_name="Ali")
    enr_b = enrollment(coach_b, coh1, first_name="Bo", last_name="Berg")
    enr_c = enrollment(coach_c, coh2, first_name="Cecilia", last_name="Cruz")
    portal_user = user(Role.participant, o1, name="Amina Ali")
    enr_a.participant.portal_user = portal_user
    other_portal = user(Role.participant, o1, name="Bo Berg")
    enr_b.participant.portal_user = other_portal
    db.session.flush()
    return {
        "orgs": (o1, o2), "coach_a": coach_a, "coach_b": coach_b, "coach_c": coach_c,
        "manager1": manager1, "manager2": manager2, "admin1": admin1,
        "enr_a": enr_a, "enr_b": enr_b, "enr_c": enr_c,
        "portal_a": portal_user, "portal_b": other_portal,
    }
