"""Anonymisation of a participant's record (manual or by the retention rule).

What goes and what stays is chosen so that every report number stays the
same (the report dimensions are kept, identities and free text are removed):

- removed: first and last name (replaced by ``ANONYMISED_FIRST``/``_LAST``),
  the ID number (``id_kind`` becomes ``none``), phone, email, the coach's notes
  (deleted), the free-text notes on steps, activities and the exit outcome,
  the employer, the enrollment goal, plan item titles, portal invites; the portal
  account is deactivated and loses its name, email and password.
- kept: gender, birth region, arrival year, district, education and Swedish
  level (report dimensions, not identifying on their own), the occupation (a
  job title such as "undersköterska" says what kind of work, not who), dates,
  statuses, outcomes, assessments, follow-ups, attendance.
- the birth date is coarsened to the first day of its quarter, unless that
  would change the person's age in whole years at one of their enrollments
  (reports band the age at enrollment): then it is the earliest day of the
  quarter that keeps every such age (at worst the birth date itself).
- existing audit events stay: they hold ids and field names, not values.
"""

from datetime import date, datetime

import sqlalchemy as sa

from journey.activities.models import Activity
from journey.audit.services import record
from journey.auth.models import User
from journey.enums import AuditAction, IdKind
from journey.extensions import db
from journey.journeys.models import JourneyStep, Note, PlanItem
from journey.outcomes.models import ExitOutcome
from journey.participants.models import Enrollment, Participant
from journey.portal.models import PortalInvite

ANONYMISED_FIRST = "Avidentifierad"
ANONYMISED_LAST = "deltagare"
REMOVED_TITLE = "(borttaget)"
MAX_REASON = 500


class AnonymisationError(Exception):
    """The record cannot be anonymised (already done)."""


def _ymd(d: date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def age_at(birth_date: date, on: date) -> int:
    """Whole years at ``on``, computed as the reports do: (YYYYMMDD − YYYYMMDD) // 10000."""
    return (_ymd(on) - _ymd(birth_date)) // 10000


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def coarsened_birth_date(birth_date: date | None, enrolled_on: list[date]) -> date | None:
    """The birth date kept after anonymisation: year and quarter, ages at enrollment intact.

    :param birth_date: the real birth date (None stays None).
    :param enrolled_on: the dates of every enrollment of the person.
    """
    if birth_date is None:
        return None
    ages = [age_at(birth_date, on) for on in enrolled_on]
    day = quarter_start(birth_date)
    # Walk forward from the quarter's first day: the birth date itself always qualifies.
    while day < birth_date:
        if all(age_at(day, on) == age for on, age in zip(enrolled_on, ages, strict=True)):
            return day
        day = date.fromordinal(day.toordinal() + 1)
    return birth_date


def anonymize_participant(participant: Participant, *, by: User | None, reason: str,
                          now: datetime) -> None:
    """Remove what identifies ``participant``, keeping every report number unchanged.

    :param participant: the record; must not be anonymised already.
    :param by: the acting manager, or None for the retention job.
    :param reason: why (stored in the audit event; no personal data).
    :param now: the instant stored in ``anonymized_at``.
    """
    if participant.anonymized_at is not None:
        raise AnonymisationError()
    enrollment_ids = sa.select(Enrollment.id).where(Enrollment.participant_id == participant.id)
    enrolled_on = list(db.session.scalars(
        sa.select(Enrollment.enrolled_on).where(Enrollment.participant_id == participant.id)
    ))
    participant.first_name = ANONYMISED_FIRST
    participant.last_name = ANONYMISED_LAST
    participant.national_id = None
    participant.id_kind = IdKind.none
    participant.phone = ""
    participant.email = ""
    participant.birth_date = coarsened_birth_date(participant.birth_date, enrolled_on)
    participant.anonymized_at = now

    db.session.execute(sa.delete(Note).where(Note.enrollment_id.in_(enrollment_ids)),
                       execution_options={"synchronize_session": False})
    for model in (Activity, JourneyStep):
        db.session.execute(
            sa.update(model).where(model.enrollment_id.in_(enrollment_ids)).values(note=""),
            execution_options={"synchronize_session": False},
        )
    db.session.execute(
        sa.update(ExitOutcome).where(ExitOutcome.enrollment_id.in_(enrollment_ids))
        .values(note="", employer=""),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        sa.update(PlanItem).where(PlanItem.enrollment_id.in_(enrollment_ids))
        .values(title=REMOVED_TITLE),
        execution_options={"synchronize_session": False},
    )
    # Enrollments are versioned: change them through the ORM so the version moves on.
    for enrollment in db.session.scalars(
        sa.select(Enrollment).where(Enrollment.participant_id == participant.id)
    ):
        if enrollment.goal:
            enrollment.goal = ""
    db.session.execute(
        sa.delete(PortalInvite).where(PortalInvite.participant_id == participant.id),
        execution_options={"synchronize_session": False},
    )
    if participant.portal_user_id is not None:
        account = db.session.get(User, participant.portal_user_id)
        if account is not None:
            account.is_active = False
            account.name = ANONYMISED_FIRST
            account.email = f"anon-{account.id}@invalid"
            account.password_hash = None
            account.rotate_session_token()  # any open session ends now
    db.session.flush()
    # Objects loaded before the bulk statements would show stale text: reload on access.
    db.session.expire_all()
    record(
        AuditAction.anonymize,
        object_type="participant",
        object_id=participant.id,
        participant_id=participant.id,
        detail=reason[:MAX_REASON],
        user=by,
        organization_id=participant.organization_id,
    )
