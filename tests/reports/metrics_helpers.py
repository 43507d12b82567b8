"""Builders for the report-number tests: enrollments plus outcome rows written directly."""

from datetime import date

from journey.activities.models import Activity
from journey.enums import (
    ActivityKind,
    AssessmentArea,
    AssessmentPhase,
    Attendance,
    EnrollmentStatus,
    FollowUpSource,
    FollowUpStatus,
    NeutralReason,
    Outcome,
    Role,
)
from journey.extensions import db
from journey.journeys.models import Assessment, AssessmentScore
from journey.outcomes.models import ExitOutcome, FollowUp
from tests import factories


def org_setup(starts_on: date = date(2025, 1, 1), cost_sek: int | None = None):
    """An organisation with a coach, a manager, a programme and one cohort."""
    o = factories.org()
    coach = factories.user(Role.coach, o, name="Coach R")
    manager = factories.user(Role.manager, o, name="Chef R")
    prog = factories.program(o, "Propellern")
    coh = factories.cohort(prog, "Propellern 2016", starts_on=starts_on)
    coh.cost_sek = cost_sek
    db.session.flush()
    return {"org": o, "coach": coach, "manager": manager, "program": prog, "cohort": coh}


def add(coh, coach, enrolled_on: date, *, months: int | None = None, **participant):
    enr = factories.enrollment(coach, coh, enrolled_on=enrolled_on, **participant)
    enr.unemployed_months_at_entry = months
    db.session.flush()
    return enr


def exit_(enr, exited_on: date, outcome: str, *, qualification_gained: bool = False):
    row = ExitOutcome(
        enrollment_id=enr.id, exited_on=exited_on, outcome=Outcome(outcome),
        neutral_reason=NeutralReason.moved if outcome == "neutral" else None,
        qualification_gained=qualification_gained,
    )
    enr.status = EnrollmentStatus.exited
    db.session.add(row)
    db.session.flush()
    return row


def follow_up(enr, months_after: int, due_on: date, *, recorded_on: date | None = None,
              status: str | None = None):
    row = FollowUp(enrollment_id=enr.id, months_after=months_after, due_on=due_on,
                   recorded_on=recorded_on,
                   status=FollowUpStatus(status) if status else None,
                   source=FollowUpSource.register if recorded_on else None)
    db.session.add(row)
    db.session.flush()
    return row


def activity(enr, on: date, attendance: str):
    row = Activity(enrollment=enr, kind=ActivityKind.coaching, date=on, duration_minutes=60,
                   attendance=Attendance(attendance))
    db.session.add(row)
    db.session.flush()
    return row


def assessment(enr, taken_on: date, **scores):
    a = Assessment(enrollment=enr, taken_on=taken_on, phase=AssessmentPhase.midway)
    db.session.add(a)
    db.session.flush()
    for area, score in scores.items():
        db.session.add(AssessmentScore(assessment_id=a.id, area=AssessmentArea(area),
                                       score=score))
    db.session.flush()
    return a


AS_OF = date(2025, 12, 31)
ENROLLED_ON = date(2025, 1, 10)
# (outcome, exited_on, qualification, birth_date, months, gender, region, education, district)
SMALL = [
    ("job_unsubsidized", date(2025, 2, 9), True, date(2007, 1, 10), 7, "woman",
     "outside_europe", "pre_upper_secondary", "Bäckby"),
    ("job_subsidized", date(2025, 3, 11), False, date(2007, 1, 11), 13, "man", "europe",
     "upper_secondary", "Bäckby"),
    ("self_employed", date(2025, 4, 10), False, date(1995, 1, 11), 6, "woman", "sweden",
     "post_secondary", "Råby"),
    ("studies", date(2025, 5, 10), True, date(1995, 1, 10), 7, "woman", "outside_europe",
     "doctoral", ""),
    ("training", date(2025, 6, 9), False, date(1970, 1, 10), None, "non_binary", "unknown",
     "unknown", "Råby"),
    ("job_seeking", date(2025, 3, 11), False, None, 8, "man", "outside_europe",
     "upper_secondary_short", "Bäckby"),
    ("neutral", date(2025, 4, 10), False, date(1990, 5, 5), 0, "woman", "outside_europe",
     "pre_upper_secondary_short", "Bäckby"),
    ("dropout_unknown", date(2025, 2, 9), False, date(1980, 5, 5), 24, "man", "sweden",
     "post_secondary_short", ""),
    # Still active on AS_OF.
    (None, None, False, date(2000, 1, 1), 10, "woman", "europe", "unknown", "Skiljebo"),
    # Exits after AS_OF: still active on AS_OF.
    ("job_unsubsidized", date(2026, 1, 15), False, date(2001, 1, 11), 12, "unknown",
     "sweden", "upper_secondary", "Skiljebo"),
]


def small_cohort(cost_sek: int | None = None):
    """Ten enrollments on 2025-01-10 with every outcome code (see SMALL), plus one
    enrolled after AS_OF; steps, activities, follow-ups and assessments as in the tests."""
    from journey.enums import StepStatus

    s = org_setup(cost_sek=cost_sek)
    coh, coach = s["cohort"], s["coach"]
    enrs = []
    for (outcome, exited_on, qualified, birth, months, gender, region, education,
         district) in SMALL:
        enr = add(coh, coach, ENROLLED_ON, months=months, birth_date=birth, gender=gender,
                  birth_region=region, education_level=education, district=district)
        if outcome:
            exit_(enr, exited_on, outcome, qualification_gained=qualified)
        enrs.append(enr)
    late = add(coh, coach, date(2026, 1, 5), months=20, birth_date=date(1990, 1, 1),
               gender="man")
    exit_(late, date(2026, 2, 1), "job_unsubsidized")
    # Funnel: position 1 done by all ten; position 2 in progress for 5, done for 3;
    # position 3 skipped by 2; the late enrollment's steps are all done (not counted).
    for i, enr in enumerate(enrs):
        steps = {st.position: st for st in enr.steps}
        steps[1].status = StepStatus.done
        if i < 5:
            steps[2].status = StepStatus.in_progress
        elif i < 8:
            steps[2].status = StepStatus.done
        if i < 2:
            steps[3].status = StepStatus.skipped
        if i == 9:
            steps[4].name = "Annat namn"
    for st in late.steps:
        st.status = StepStatus.done
    # Attendance: 2 attended and 1 no-show count; planned, cancelled and later ones do not.
    first = enrs[0]
    activity(first, date(2025, 1, 15), "attended")
    activity(first, date(2025, 1, 20), "attended")
    activity(first, date(2025, 1, 25), "no_show")
    activity(first, date(2025, 2, 1), "planned")
    activity(first, date(2025, 2, 2), "cancelled")
    activity(first, date(2026, 1, 2), "attended")
    activity(late, date(2026, 1, 6), "attended")
    # Six-month follow-ups.
    follow_up(enrs[0], 6, date(2025, 8, 9), recorded_on=date(2025, 8, 10), status="employed")
    follow_up(enrs[1], 6, date(2025, 9, 11), recorded_on=date(2025, 9, 15), status="studies")
    follow_up(enrs[2], 6, date(2025, 10, 10), recorded_on=date(2025, 10, 12), status="unknown")
    follow_up(enrs[3], 6, date(2025, 11, 10))
    follow_up(enrs[4], 6, date(2025, 12, 9), recorded_on=date(2026, 1, 3),
              status="job_seeking")
    follow_up(enrs[5], 6, date(2025, 9, 11), recorded_on=date(2025, 9, 11),
              status="job_seeking")
    follow_up(enrs[6], 3, date(2025, 7, 10), recorded_on=date(2025, 7, 10), status="employed")
    follow_up(enrs[9], 6, date(2026, 7, 15))
    # Assessments.
    assessment(enrs[0], date(2025, 1, 12), job_skills=3, motivation=5)
    assessment(enrs[0], date(2025, 1, 25), job_skills=4)
    assessment(enrs[0], date(2025, 2, 8), job_skills=6, motivation=5)
    assessment(enrs[1], date(2025, 1, 12), job_skills=4, language=2)
    assessment(enrs[1], date(2026, 1, 10), job_skills=9)
    assessment(enrs[2], date(2025, 1, 12), job_skills=5, language=2)
    assessment(enrs[2], date(2025, 4, 1), job_skills=6, language=5)
    db.session.commit()
    return {**s, "enrs": enrs, "late": late}
