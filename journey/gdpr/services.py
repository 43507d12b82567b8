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

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa

from journey.activities.models import Activity
from journey.audit.services import record_many
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
    anonymize_participants([participant], by=by, reason=reason, now=now)


def anonymize_participants(participants: Sequence[Participant], *, by: User | None,
                           reason: str, now: datetime) -> None:
    """Anonymise several records at once: what ``anonymize_participant`` does to each.

    The same dozen statements whatever the number of records (the retention job
    anonymises tens of thousands when a rule is first set; one by one that took
    3 ms a record on SQLite). Callers keep batches to a few hundred records: each
    id is a bound parameter, and SQLite takes at most 32 766 per statement.

    :param participants: the records; none may be anonymised already.
    :param by: the acting manager, or None for the retention job.
    :param reason: why (stored in each audit event; no personal data).
    :param now: the instant stored in ``anonymized_at``.
    """
    if not participants:
        return
    if any(participant.anonymized_at is not None for participant in participants):
        raise AnonymisationError()
    ids = [participant.id for participant in participants]
    enrolled_on: dict[int, list[date]] = defaultdict(list)
    for participant_id, day in db.session.execute(
        sa.select(Enrollment.participant_id, Enrollment.enrolled_on)
        .where(Enrollment.participant_id.in_(ids))
    ):
        enrolled_on[participant_id].append(day)
    births = [{"b_id": participant.id,
               "b_born": coarsened_birth_date(participant.birth_date,
                                              enrolled_on[participant.id])}
              for participant in participants if participant.birth_date is not None]
    events = [{"object_type": "participant", "object_id": participant.id,
               "participant_id": participant.id, "detail": reason[:MAX_REASON],
               "organization_id": participant.organization_id}
              for participant in participants]
    portal_user_ids = [participant.portal_user_id for participant in participants
                       if participant.portal_user_id is not None]

    # Participants and enrollments are versioned: the version moves on, so an edit
    # form opened before this is refused rather than writing the old data back.
    people = Participant.__table__
    changed = db.session.execute(
        sa.update(people)
        .where(people.c.id.in_(ids), people.c.anonymized_at.is_(None))
        .values(first_name=ANONYMISED_FIRST, last_name=ANONYMISED_LAST, id_kind=IdKind.none,
                national_id_encrypted=None, national_id_hash=None, national_id_prefix=None,
                phone="", email="", anonymized_at=now, version=people.c.version + 1)
    ).rowcount
    if changed != len(ids):  # anonymised meanwhile by another request
        raise AnonymisationError()
    if births:
        db.session.execute(
            sa.update(people).where(people.c.id == sa.bindparam("b_id"))
            .values(birth_date=sa.bindparam("b_born")),
            births,
        )
    enrollment_ids = sa.select(Enrollment.id).where(Enrollment.participant_id.in_(ids))
    bulk = {"synchronize_session": False}
    db.session.execute(sa.delete(Note).where(Note.enrollment_id.in_(enrollment_ids)),
                       execution_options=bulk)
    # Only rows with text to remove are rewritten (most activities have no note).
    for model in (Activity, JourneyStep):
        db.session.execute(
            sa.update(model).where(model.enrollment_id.in_(enrollment_ids), model.note != "")
            .values(note=""),
            execution_options=bulk,
        )
    db.session.execute(
        sa.update(ExitOutcome)
        .where(ExitOutcome.enrollment_id.in_(enrollment_ids),
               sa.or_(ExitOutcome.note != "", ExitOutcome.employer != ""))
        .values(note="", employer=""),
        execution_options=bulk,
    )
    db.session.execute(
        sa.update(PlanItem).where(PlanItem.enrollment_id.in_(enrollment_ids))
        .values(title=REMOVED_TITLE),
        execution_options=bulk,
    )
    enrollments = Enrollment.__table__
    db.session.execute(
        sa.update(enrollments)
        .where(enrollments.c.participant_id.in_(ids), enrollments.c.goal != "")
        .values(goal="", version=enrollments.c.version + 1)
    )
    db.session.execute(
        sa.delete(PortalInvite).where(PortalInvite.participant_id.in_(ids)),
        execution_options=bulk,
    )
    if portal_user_ids:
        for account in db.session.scalars(sa.select(User).where(User.id.in_(portal_user_ids))):
            account.is_active = False
            account.name = ANONYMISED_FIRST
            account.email = f"anon-{account.id}@invalid"
            account.password_hash = None
            account.rotate_session_token()  # any open session ends now
    db.session.flush()
    # Objects loaded before the bulk statements would show stale data: reload on access.
    db.session.expire_all()
    record_many(AuditAction.anonymize, events, user=by)
