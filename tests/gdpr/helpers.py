"""A cohort with varied data for the GDPR tests (rows built directly, dates fixed)."""

from datetime import date, timedelta

from journey.activities.models import Activity
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
    NeutralReason,
    Outcome,
    PlanOwner,
    StepStatus,
)
from journey.extensions import db
from journey.journeys.models import Assessment, AssessmentScore, Note, PlanItem
from journey.outcomes.models import ExitOutcome, FollowUp
from journey.outcomes.services import add_months
from tests import factories


def personnummer(born: date, serial: int) -> str:
    """A valid 12-digit personnummer (Luhn check digit) for ``born``."""
    nine = f"{born:%y%m%d}{serial:03d}"
    total = 0
    for i, ch in enumerate(nine):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return f"{born:%Y%m%d}{serial:03d}{(10 - total % 10) % 10}"


# (first, last, birth_date, enrolled_on, gender, region, education, district,
#  unemployed months, outcome or None (still active), exited_on)
PEOPLE = [
    # 17 at enrollment, 18 two days later: the quarter's first day would make them 18.
    ("Sara", "Ahmed", date(2006, 2, 12), date(2024, 2, 10), Gender.woman,
     BirthRegion.outside_europe, EducationLevel.pre_upper_secondary, "Bäckby", 8,
     Outcome.studies, date(2024, 9, 1)),
    # 54 at enrollment; the quarter's first day would make them 55.
    ("Omar", "Hassan", date(1969, 3, 20), date(2024, 3, 1), Gender.man,
     BirthRegion.outside_europe, EducationLevel.upper_secondary, "Bäckby", 24,
     Outcome.job_unsubsidized, date(2024, 10, 15)),
    # 24 at enrollment with 9 months unemployed: long-term only because under 25.
    ("Lina", "Bergqvist", date(1999, 5, 17), date(2024, 5, 1), Gender.woman,
     BirthRegion.sweden, EducationLevel.upper_secondary_short, "Skiljebo", 9,
     Outcome.job_subsidized, date(2024, 12, 20)),
    # 29 → 30 edge.
    ("Ali", "Yusuf", date(1994, 8, 30), date(2024, 8, 20), Gender.man,
     BirthRegion.europe, EducationLevel.post_secondary, "Bäckby", 3,
     Outcome.neutral, date(2025, 1, 10)),
    ("Maria", "Lind", date(1985, 11, 2), date(2024, 2, 15), Gender.woman,
     BirthRegion.sweden, EducationLevel.post_secondary_short, "Råby", 14,
     Outcome.dropout_unknown, date(2024, 6, 30)),
    ("Fatima", "Noor", date(1990, 1, 1), date(2024, 3, 10), Gender.woman,
     BirthRegion.outside_europe, EducationLevel.unknown, "", None,
     Outcome.job_seeking, date(2025, 2, 1)),
    ("Jonas", "Ekström", None, date(2024, 4, 4), Gender.man,
     BirthRegion.unknown, EducationLevel.doctoral, "Skiljebo", 12,
     Outcome.self_employed, date(2024, 11, 30)),
    ("Hodan", "Warsame", date(1999, 6, 30), date(2024, 6, 29), Gender.woman,
     BirthRegion.outside_europe, EducationLevel.pre_upper_secondary_short, "Bäckby", 30,
     Outcome.training, date(2025, 3, 3)),
    ("Erik", "Sund", date(1965, 12, 31), date(2024, 1, 20), Gender.man,
     BirthRegion.sweden, EducationLevel.upper_secondary, "Råby", 40,
     Outcome.job_unsubsidized, date(2024, 8, 8)),
    ("Amal", "Said", date(2003, 9, 15), date(2024, 9, 14), Gender.non_binary,
     BirthRegion.outside_europe, EducationLevel.upper_secondary, "Bäckby", 7,
     Outcome.studies, date(2025, 4, 1)),
    # Still active: not touched by the retention rule.
    ("Nils", "Holm", date(1980, 7, 7), date(2024, 10, 1), Gender.man,
     BirthRegion.sweden, EducationLevel.upper_secondary, "Skiljebo", 5, None, None),
    ("Dina", "Rashid", date(1995, 4, 1), date(2024, 11, 1), Gender.woman,
     BirthRegion.outside_europe, EducationLevel.post_secondary, "Bäckby", 20, None, None),
]


def varied_cohort(organization, coach, *, people=PEOPLE):
    """A cohort of ``people`` with steps, activities, notes, plans, assessments, exits."""
    prog = factories.program(organization, "Etableringsspåret")
    coh = factories.cohort(prog, "Jobbpunkt 2024", starts_on=date(2024, 1, 1))
    enrollments = []
    for i, (first, last, born, enrolled_on, gender, region, education, district, months,
            outcome, exited_on) in enumerate(people):
        part = factories.participant(
            organization, first, last, birth_date=born, gender=gender, birth_region=region,
            education_level=education, district=district, arrival_year=2015 if i % 2 else None,
            id_kind=IdKind.personnummer if born else IdKind.none,
            national_id=personnummer(born, 100 + i * 2) if born else None,
            phone=f"070-555 00 {i:02d}", email=f"{first.lower()}.{last.lower()}@example.se",
        )
        enr = factories.enrollment(coach, coh, part=part, enrolled_on=enrolled_on)
        enr.unemployed_months_at_entry = months
        enr.goal = f"Mål för {first} {last}"
        for step in enr.steps[: 1 + i % 3]:
            step.status = StepStatus.done if i % 2 else StepStatus.in_progress
            step.note = f"Stegnotering om {first}"
        for k in range(1 + i % 3):
            db.session.add(Activity(
                enrollment=enr, kind=ActivityKind.coaching,
                date=enrolled_on + timedelta(days=7 * (k + 1)), duration_minutes=45,
                attendance=Attendance.no_show if (i + k) % 4 == 0 else Attendance.attended,
                note=f"Aktivitetsnotering om {first} {last}"))
        db.session.add(Note(enrollment=enr, author_id=coach.id,
                            body=f"Anteckning: {first} {last} ringde"))
        db.session.add(PlanItem(enrollment=enr, title=f"Ring {first}s hyresvärd",
                                owner=PlanOwner.participant, created_by_id=coach.id))
        for n, (phase, offset) in enumerate(((AssessmentPhase.intake, 1),
                                            (AssessmentPhase.midway, 60))):
            a = Assessment(enrollment=enr, taken_on=enrolled_on + timedelta(days=offset),
                           phase=phase)
            db.session.add(a)
            db.session.flush()
            for area in AssessmentArea:
                db.session.add(AssessmentScore(assessment_id=a.id, area=area,
                                               score=min(10, 3 + n * (i % 4) + len(area) % 3)))
        if outcome is not None:
            db.session.add(ExitOutcome(
                enrollment_id=enr.id, exited_on=exited_on, outcome=outcome,
                neutral_reason=NeutralReason.moved if outcome == Outcome.neutral else None,
                qualification_gained=i % 3 == 0,
                employer=f"{last}s Bygg AB" if outcome.value.startswith("job") else "",
                occupation="Undersköterska" if outcome.value.startswith("job") else "",
                hours_per_week=30 if outcome.value.startswith("job") else None,
                note=f"Avslutsnotering om {first} {last}"))
            enr.status = EnrollmentStatus.exited
            for m in (3, 6, 12):
                recorded = m == 6 and i % 2 == 0
                db.session.add(FollowUp(
                    enrollment_id=enr.id, months_after=m, due_on=add_months(exited_on, m),
                    recorded_on=add_months(exited_on, m) if recorded else None,
                    status=(FollowUpStatus.employed if i % 4 == 0 else FollowUpStatus.unknown)
                    if recorded else None,
                    source=FollowUpSource.self_report if recorded else None))
        enrollments.append(enr)
    db.session.flush()
    return coh, enrollments
