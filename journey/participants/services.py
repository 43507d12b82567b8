"""Participants: intake (create and edit the record) and enrollment in cohorts.

Services validate domain rules, flush and record the audit event; views (and
the CLI and the importer) commit.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from journey.audit.services import record
from journey.auth.models import User
from journey.cohorts.models import Cohort
from journey.enums import (
    AuditAction,
    BirthRegion,
    EducationLevel,
    EnrollmentStatus,
    Gender,
    IdKind,
    IncomeSource,
    LabourStatus,
    Role,
    SwedishLevel,
)
from journey.extensions import db
from journey.i18n import gettext as _
from journey.journeys.models import JourneyStep
from journey.participants import personnummer
from journey.participants.crypto import national_id_hash
from journey.participants.models import Enrollment, Participant
from journey.participants.queries import ci_equals
from journey.programs.models import StepTemplate

# The profile fields of the intake form, in form order (DOMAIN.md: Participant).
PROFILE_FIELDS = (
    "first_name", "last_name", "id_kind", "national_id", "birth_date", "gender",
    "birth_region", "arrival_year", "district", "education_level", "swedish_level",
    "phone", "email", "protected_identity",
)
EARLIEST_ARRIVAL_YEAR = 1900
# How far from today / from the cohort's start an enrollment date may lie.
ENROLL_AHEAD_DAYS = 30
ENROLL_BEFORE_START_DAYS = 30
MAX_UNEMPLOYED_MONTHS = 600
EDITABLE_ENROLLMENT_STATUSES = (EnrollmentStatus.active, EnrollmentStatus.paused)
_PROFILE_ENUMS = (
    ("id_kind", IdKind, IdKind.none),
    ("gender", Gender, Gender.unknown),
    ("birth_region", BirthRegion, BirthRegion.unknown),
    ("education_level", EducationLevel, EducationLevel.unknown),
    ("swedish_level", SwedishLevel, SwedishLevel.unknown),
)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class EnrollmentError(ValueError):
    pass


class ParticipantError(ValueError):
    """Invalid profile data; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class DuplicateParticipantError(ValueError):
    """The person already has a record in the organisation (``existing``)."""

    def __init__(self, existing: Participant, by_national_id: bool):
        super().__init__("duplicate participant")
        self.existing = existing
        self.by_national_id = by_national_id


class VersionConflict(Exception):
    """Somebody saved the record after the form was opened: nothing was saved."""


class EnrollmentRuleError(EnrollmentError):
    """Enrollment refused; ``errors`` maps form field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# -- profile -------------------------------------------------------------------------


def validate_profile(data: dict, *, today: date | None = None) -> tuple[dict, dict[str, str]]:
    """Check a participant profile and return it normalised, with errors per field.

    The number is parsed and stored as 12 digits; an empty date of birth is
    filled from it. Cross-field rules: the kind of number, the date of birth and
    a woman/man gender must agree with the number; the arrival year lies between
    1900 and this year and not before the year of birth.

    :param data: field name -> value (as from the intake form).
    :param today: reference date (defaults to today).
    """
    today = today or date.today()
    clean = {name: data.get(name) for name in PROFILE_FIELDS}
    errors: dict[str, str] = {}
    for name in ("first_name", "last_name", "district", "phone", "email"):
        clean[name] = (clean[name] or "").strip()
    if not clean["first_name"]:
        errors["first_name"] = _("Enter the first name.")
    if not clean["last_name"]:
        errors["last_name"] = _("Enter the last name.")
    clean["protected_identity"] = bool(clean["protected_identity"])
    for name, enum_cls, default in _PROFILE_ENUMS:
        try:
            clean[name] = enum_cls(clean[name] or default)
        except ValueError:
            errors[name] = _("Choose one of the options.")
            clean[name] = default
    kind = clean["id_kind"]
    number = (clean["national_id"] or "").strip()
    parsed = None
    if kind == IdKind.none:
        if number:
            errors["national_id"] = _(
                "Choose the kind of ID number, or leave the number empty."
            )
        clean["national_id"] = None
    elif not number:
        errors["national_id"] = _(
            "Enter the number, or choose “None” as the kind of ID number."
        )
    else:
        try:
            parsed = personnummer.parse(number, today=today)
        except personnummer.PersonnummerError as exc:
            errors["national_id"] = exc.message
        else:
            if kind == IdKind.personnummer and parsed.is_coordination:
                errors["id_kind"] = _(
                    "The number is a coordination number (day of birth + 60). "
                    "Choose “Coordination number” as the kind."
                )
            elif kind == IdKind.samordningsnummer and not parsed.is_coordination:
                errors["id_kind"] = _(
                    "The number is a personal identity number, not a coordination number "
                    "(those have the day of birth + 60). Choose the right kind."
                )
            clean["national_id"] = parsed.digits12
    birth_date = clean["birth_date"]
    if birth_date is not None and birth_date > today:
        errors["birth_date"] = _("The date of birth cannot be in the future.")
    elif parsed is not None:
        if birth_date is None:
            clean["birth_date"] = parsed.birth_date
        elif birth_date != parsed.birth_date:
            errors["birth_date"] = _(
                "Does not match the date of birth in the ID number (%(date)s).",
                date=parsed.birth_date.isoformat(),
            )
    gender = clean["gender"]
    if parsed is not None and gender in (Gender.woman, Gender.man) and gender != parsed.gender_hint:
        if parsed.gender_hint == Gender.man:
            errors["gender"] = _(
                "The ID number is a man’s (the second-to-last digit is odd). "
                "Check the gender or the number."
            )
        else:
            errors["gender"] = _(
                "The ID number is a woman’s (the second-to-last digit is even). "
                "Check the gender or the number."
            )
    year = clean["arrival_year"]
    if year is not None:
        if not EARLIEST_ARRIVAL_YEAR <= year <= today.year:
            errors["arrival_year"] = _(
                "Enter a year between %(first)s and %(last)s.",
                first=EARLIEST_ARRIVAL_YEAR, last=today.year,
            )
        elif clean["birth_date"] is not None and year < clean["birth_date"].year:
            errors["arrival_year"] = _("The year of arrival cannot be before the year of birth.")
    if clean["email"] and not _EMAIL_RE.match(clean["email"]):
        errors["email"] = _("Enter a valid email address, e.g. namn@example.se.")
    return clean, errors


def find_duplicate(
    organization_id: int,
    *,
    national_id: str | None,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    exclude_id: int | None = None,
) -> tuple[Participant, bool] | None:
    """An existing record of the same person in the organisation, if any.

    Same number; or the same first and last name (any case) and date of birth,
    unless both records carry different numbers (then they are two people).
    Returns the record and whether the number matched.
    """
    conditions = []
    if national_id:
        # By the keyed hash: the number itself is only stored encrypted.
        conditions.append(Participant.national_id_matches(national_id))
    if birth_date is not None and first_name and last_name:
        same_person = sa.and_(
            Participant.birth_date == birth_date,
            ci_equals(Participant.first_name, first_name),
            ci_equals(Participant.last_name, last_name),
        )
        if national_id:
            same_person = sa.and_(
                same_person,
                sa.or_(Participant.national_id_hash.is_(None),
                      Participant.national_id_matches(national_id)),
            )
        conditions.append(same_person)
    if not conditions:
        return None
    stmt = sa.select(Participant).where(
        Participant.organization_id == organization_id, sa.or_(*conditions)
    )
    if exclude_id is not None:
        stmt = stmt.where(Participant.id != exclude_id)
    matches = db.session.scalars(stmt.order_by(Participant.id)).all()
    if not matches:
        return None
    number_hash = national_id_hash(national_id) if national_id else None
    for match in matches:
        if national_id and match.national_id_hash == number_hash:
            return match, True
    return matches[0], False


def create_participant(organization, data: dict, *, created_by: User | None,
                       today: date | None = None) -> Participant:
    """Register a participant (the intake) unless the person is already registered.

    :param organization: the caller's organisation.
    :param data: profile fields (see ``PROFILE_FIELDS``).
    :param created_by: the registering user (a coach sees their own intakes).
    :raises ParticipantError: invalid data.
    :raises DuplicateParticipantError: the person already has a record.
    """
    clean, errors = validate_profile(data, today=today)
    if errors:
        raise ParticipantError(errors)
    duplicate = find_duplicate(
        organization.id, national_id=clean["national_id"], first_name=clean["first_name"],
        last_name=clean["last_name"], birth_date=clean["birth_date"],
    )
    if duplicate is not None:
        raise DuplicateParticipantError(*duplicate)
    participant = Participant(organization=organization, created_by=created_by, **clean)
    db.session.add(participant)
    db.session.flush()
    record(
        AuditAction.create,
        object_type="participant",
        object_id=participant.id,
        participant_id=participant.id,
        organization_id=organization.id,
    )
    return participant


def update_participant(participant: Participant, data: dict, *, expected_version: int | None,
                       today: date | None = None) -> list[str]:
    """Save an edited profile if nobody saved it since the form was opened.

    :param participant: the record, already authorised for the caller.
    :param data: profile fields (see ``PROFILE_FIELDS``).
    :param expected_version: the version the form was opened with.
    :returns: names of the fields that changed (empty: nothing to save).
    :raises VersionConflict: the record changed in the meantime; nothing saved.
    :raises ParticipantError: invalid data.
    :raises DuplicateParticipantError: another record has the same number.
    """
    if expected_version != participant.version:
        raise VersionConflict()
    clean, errors = validate_profile(data, today=today)
    if errors:
        raise ParticipantError(errors)
    # Only the number must stay unique here: a corrected name or date of birth may
    # legitimately equal someone else's (two people), which the intake asks about.
    if clean["national_id"] and clean["national_id"] != participant.national_id:
        duplicate = find_duplicate(
            participant.organization_id, national_id=clean["national_id"], first_name="",
            last_name="", birth_date=None, exclude_id=participant.id,
        )
        if duplicate is not None:
            raise DuplicateParticipantError(*duplicate)
    changed = [name for name in PROFILE_FIELDS if getattr(participant, name) != clean[name]]
    if not changed:
        return []
    for name in changed:
        setattr(participant, name, clean[name])
    try:
        # The UPDATE carries "WHERE version = <read version>": a save that slipped
        # in between reading and writing makes it match no row.
        db.session.flush()
    except StaleDataError:
        raise VersionConflict() from None
    record(
        AuditAction.update,
        object_type="participant",
        object_id=participant.id,
        participant_id=participant.id,
        # Field names only: values (the ID number above all) stay out of the trail.
        detail="changed: " + ", ".join(changed),
    )
    return changed


# -- enrollment ----------------------------------------------------------------------


def enroll(
    participant: Participant,
    cohort: Cohort,
    *,
    coach=None,
    enrolled_on: date | None = None,
    labour_status_at_entry: LabourStatus = LabourStatus.unemployed,
    unemployed_months_at_entry: int | None = None,
    income_at_entry: IncomeSource = IncomeSource.unknown,
) -> Enrollment:
    """Enroll a participant and copy the programme's current step templates.

    The steps are copies, so later template edits never rewrite this journey.

    :param participant: must belong to the cohort's organisation.
    :param coach: a coach of the same organisation, or ``None``.
    """
    org_id = cohort.program.organization_id
    if participant.organization_id != org_id:
        raise EnrollmentError("The participant belongs to another organisation.")
    if coach is not None and coach.organization_id != org_id:
        raise EnrollmentError("The coach belongs to another organisation.")
    enrollment = Enrollment(
        participant=participant,
        cohort=cohort,
        coach=coach,
        status=EnrollmentStatus.active,
        enrolled_on=enrolled_on or date.today(),
        labour_status_at_entry=labour_status_at_entry,
        unemployed_months_at_entry=unemployed_months_at_entry,
        income_at_entry=income_at_entry,
    )
    db.session.add(enrollment)
    templates = db.session.scalars(
        sa.select(StepTemplate)
        .where(StepTemplate.program_id == cohort.program_id, StepTemplate.is_retired.is_(False))
        .order_by(StepTemplate.position)
    ).all()
    for position, template in enumerate(templates, start=1):
        db.session.add(
            JourneyStep(
                enrollment=enrollment, name=template.name, kind=template.kind, position=position
            )
        )
    db.session.flush()
    record(
        AuditAction.create,
        object_type="enrollment",
        object_id=enrollment.id,
        participant_id=participant.id,
        organization_id=org_id,
    )
    return enrollment


def _coach_error(coach: User | None, organization_id: int) -> str | None:
    if coach is None:
        return None
    if (coach.organization_id != organization_id or coach.role != Role.coach
            or not coach.is_active):
        return _("Choose an active coach of your organisation.")
    return None


def _months_error(months: int | None) -> str | None:
    if months is not None and not 0 <= months <= MAX_UNEMPLOYED_MONTHS:
        return _("Enter a number of months between 0 and %(max)s.", max=MAX_UNEMPLOYED_MONTHS)
    return None


def check_enrollment(participant: Participant, cohort: Cohort, *, coach: User | None,
                     enrolled_on: date, unemployed_months_at_entry: int | None,
                     today: date | None = None) -> dict[str, str]:
    """The reasons (per form field) why this enrollment may not be made; empty if none.

    Rules: the programme is active; the participant has no active or paused
    enrollment in the same cohort; the date lies at most 30 days ahead of
    today, at most 30 days before the cohort starts, not after the cohort has
    ended and not before the participant was born; the coach is an active
    coach of the organisation; 0–600 months of unemployment.
    """
    today = today or date.today()
    errors: dict[str, str] = {}
    if not cohort.program.is_active:
        errors["cohort_id"] = _("The programme is no longer active.")
    already = db.session.scalar(
        sa.select(sa.func.count(Enrollment.id)).where(
            Enrollment.participant_id == participant.id,
            Enrollment.cohort_id == cohort.id,
            Enrollment.status.in_(EDITABLE_ENROLLMENT_STATUSES),
        )
    )
    if already:
        errors["cohort_id"] = _("The participant is already enrolled in this cohort.")
    earliest = cohort.starts_on - timedelta(days=ENROLL_BEFORE_START_DAYS)
    latest = today + timedelta(days=ENROLL_AHEAD_DAYS)
    if enrolled_on > latest:
        errors["enrolled_on"] = _(
            "The enrollment date can be at most %(days)s days ahead (until %(date)s).",
            days=ENROLL_AHEAD_DAYS, date=latest.isoformat(),
        )
    elif enrolled_on < earliest:
        errors["enrolled_on"] = _(
            "The enrollment date can be at most %(days)s days before the cohort starts "
            "(%(start)s).",
            days=ENROLL_BEFORE_START_DAYS, start=cohort.starts_on.isoformat(),
        )
    elif cohort.ends_on is not None and enrolled_on > cohort.ends_on:
        errors["enrolled_on"] = _(
            "The cohort ended on %(end)s: choose a date on or before it, or another cohort.",
            end=cohort.ends_on.isoformat(),
        )
    elif participant.birth_date is not None and enrolled_on < participant.birth_date:
        errors["enrolled_on"] = _("The enrollment date is before the date of birth.")
    coach_error = _coach_error(coach, cohort.program.organization_id)
    if coach_error:
        errors["coach_id"] = coach_error
    months_error = _months_error(unemployed_months_at_entry)
    if months_error:
        errors["unemployed_months_at_entry"] = months_error
    return errors


def enroll_participant(participant: Participant, cohort: Cohort, *, coach: User | None,
                       enrolled_on: date, labour_status_at_entry: LabourStatus,
                       unemployed_months_at_entry: int | None,
                       income_at_entry: IncomeSource, today: date | None = None) -> Enrollment:
    """Enroll after checking the rules of ``check_enrollment``.

    :raises EnrollmentRuleError: with the reasons per form field; nothing written.
    """
    errors = check_enrollment(
        participant, cohort, coach=coach, enrolled_on=enrolled_on,
        unemployed_months_at_entry=unemployed_months_at_entry, today=today,
    )
    if errors:
        raise EnrollmentRuleError(errors)
    return enroll(
        participant, cohort, coach=coach, enrolled_on=enrolled_on,
        labour_status_at_entry=LabourStatus(labour_status_at_entry),
        unemployed_months_at_entry=unemployed_months_at_entry,
        income_at_entry=IncomeSource(income_at_entry),
    )


@dataclass(frozen=True)
class EnrollmentChanges:
    coach: User | None
    status: EnrollmentStatus
    labour_status_at_entry: LabourStatus
    unemployed_months_at_entry: int | None
    income_at_entry: IncomeSource
    goal: str = ""


def update_enrollment(enrollment: Enrollment, changes: EnrollmentChanges, *,
                      expected_version: int | None) -> list[str]:
    """Reassign the coach, change the entry fields or pause/resume an enrollment.

    Exits are recorded elsewhere, so an exited enrollment is not changed here
    and ``status`` may only be active or paused.

    :param enrollment: already authorised for the caller.
    :param expected_version: the version the form was opened with.
    :returns: human-readable changes, as written to the audit trail.
    :raises VersionConflict: the enrollment changed in the meantime.
    :raises EnrollmentRuleError: a rule was broken; nothing saved.
    """
    if expected_version != enrollment.version:
        raise VersionConflict()
    errors: dict[str, str] = {}
    if enrollment.status not in EDITABLE_ENROLLMENT_STATUSES:
        errors["status"] = _("The enrollment has ended and can no longer be changed here.")
    elif EnrollmentStatus(changes.status) not in EDITABLE_ENROLLMENT_STATUSES:
        errors["status"] = _("Choose active or paused. Exits are recorded in the exit section.")
    coach_error = _coach_error(changes.coach, enrollment.participant.organization_id)
    if coach_error:
        errors["coach_id"] = coach_error
    months_error = _months_error(changes.unemployed_months_at_entry)
    if months_error:
        errors["unemployed_months_at_entry"] = months_error
    if len(changes.goal) > 300:
        errors["goal"] = _("At most %(max)d characters.", max=300)
    if errors:
        raise EnrollmentRuleError(errors)
    details = []
    old_coach = enrollment.coach
    if (old_coach.id if old_coach else None) != (changes.coach.id if changes.coach else None):
        details.append(
            f"coach {old_coach.name if old_coach else '-'} -> "
            f"{changes.coach.name if changes.coach else '-'}"
        )
        enrollment.coach = changes.coach
    for name in ("status", "goal", "labour_status_at_entry", "unemployed_months_at_entry",
                 "income_at_entry"):
        old, new = getattr(enrollment, name), getattr(changes, name)
        if old != new:
            # The goal is free text about the person: the trail says it changed, not to what.
            details.append("goal changed" if name == "goal"
                           else f"{name} {_plain(old)} -> {_plain(new)}")
            setattr(enrollment, name, new)
    if not details:
        return []
    try:
        db.session.flush()
    except StaleDataError:
        raise VersionConflict() from None
    record(
        AuditAction.update,
        object_type="enrollment",
        object_id=enrollment.id,
        participant_id=enrollment.participant_id,
        detail="; ".join(details),
    )
    return details


def _plain(value) -> str:
    if value is None:
        return "-"
    return str(getattr(value, "value", value))
