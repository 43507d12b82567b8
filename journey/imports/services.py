"""Import a past cohort from a spreadsheet: all rows or none, in one transaction.

Decisions (see the report on the issue):

- A row's person is matched to an existing record of the organisation by
  national_id, or by first name + last name (any case) + date of birth when
  the record has no different number; the existing record is not changed.
  Otherwise a participant is created.
- The programme's current step templates are copied as ``not_started``
  steps (the spreadsheet says nothing about them); an exited row gets
  status ``exited``, an ``ExitOutcome`` and follow-ups due at 3, 6 and 12
  months, as the exit form does.
- ``followup_6m_status`` records the 6-month follow-up with ``recorded_on`` =
  its due date and no source (the spreadsheet does not say where it came from).
- Writes go to the driver in bulk (``journey.bulk``: executemany on SQLite, COPY on
  PostgreSQL) under ids reserved beforehand, no per-row queries, so 10 000 rows take
  seconds.
"""

import hashlib
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import has_request_context, request

from journey import bulk
from journey.audit.models import AuditEvent
from journey.audit.services import record
from journey.auth.models import User
from journey.cohorts import services as cohort_services
from journey.cohorts.models import Cohort
from journey.enums import (
    FOLLOW_UP_MONTHS,
    AuditAction,
    EnrollmentStatus,
    IncomeSource,
    Role,
)
from journey.extensions import db
from journey.i18n import gettext as _
from journey.imports.models import ImportBatch
from journey.imports.parsing import ImportFileError, read_sheet
from journey.imports.validation import ImportRow, RowError, validate_sheet
from journey.journeys.models import JourneyStep
from journey.outcomes.models import ExitOutcome, FollowUp
from journey.outcomes.services import add_months
from journey.participants import crypto
from journey.participants.models import Enrollment, Participant
from journey.programs.models import Program, StepTemplate

__all__ = ["ImportFileError", "ImportRowsError", "ImportResult", "import_rows"]


class ImportRowsError(ValueError):
    """Some rows are invalid; ``errors`` lists every (row, column, message)."""

    def __init__(self, errors: list[RowError], row_count: int):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors
        self.row_count = row_count


@dataclass
class ImportResult:
    batch: ImportBatch
    cohort: Cohort
    row_count: int
    participants_created: int
    cohort_created: bool


class _People:
    """The organisation's existing participants, loaded once, for matching rows.

    Numbers are compared by their keyed hash (the stored numbers are encrypted):
    the file's numbers are hashed once each, nothing is decrypted. Names are
    compared only among the records born the same day, casefolded when a row asks
    (an organisation has ~100 000 records; a file needs a few of them).
    """

    def __init__(self, organization_id: int):
        rows = db.session.execute(
            sa.select(Participant.id, Participant.national_id_hash, Participant.first_name,
                      Participant.last_name,
                      # ISO text on SQLite (no date parsing per row), a date on PostgreSQL
                      sa.type_coerce(Participant.birth_date, sa.String))
            .where(Participant.organization_id == organization_id)
        ).tuples().all()
        self.cipher = crypto.cipher()
        self.by_number = {number: pid for pid, number, *_ in rows if number}
        self.by_birth: dict[str, list[tuple]] = {}
        for row in rows:
            if row[4] is not None:
                self.by_birth.setdefault(str(row[4]), []).append(row)

    def match(self, row: ImportRow) -> int | None:
        number = self.cipher.hash(row.national_id) if row.national_id else None
        if number and number in self.by_number:
            return self.by_number[number]
        key = row.name_key
        if key is None:
            return None
        first, last, born = key
        for pid, known, first_name, last_name, _born in self.by_birth.get(born.isoformat(), ()):
            if first_name.casefold() != first or last_name.casefold() != last:
                continue
            # Two different numbers are two people, whatever their names.
            if known is None or number is None or known == number:
                return pid
        return None


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_cohort(program: Program, name: str) -> Cohort | None:
    """The programme's cohort of that name (any case), if any."""
    return db.session.scalars(
        sa.select(Cohort).where(Cohort.program_id == program.id,
                                sa.func.lower(Cohort.name) == name.strip().lower())
    ).first()


def _coaches(organization_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(User.email, User.id).where(
            User.organization_id == organization_id, User.role == Role.coach,
            User.is_active.is_(True))
    ).all()
    return {r.email.lower(): r.id for r in rows}


def import_rows(data: bytes, filename: str, *, program: Program, cohort_name: str,
                user: User | None, today: date | None = None) -> ImportResult:
    """Validate a spreadsheet and, when every row passes, write it in the caller's transaction.

    :param data: the file's bytes (CSV or XLSX).
    :param filename: the uploaded name (kept on the batch; extension decides the format).
    :param program: the target programme, already authorised for the caller.
    :param cohort_name: an existing cohort of the programme, or a new one to create.
    :param user: the acting user (audit author, batch creator); ``None`` from the CLI.
    :param today: reference date (defaults to today).
    :raises ImportFileError: the file is refused as a whole (size, format, header,
        already imported, bad cohort name).
    :raises ImportRowsError: rows are invalid; nothing is written.
    """
    today = today or date.today()
    org_id = program.organization_id
    sha = file_hash(data)
    previous = db.session.scalars(
        sa.select(ImportBatch).where(ImportBatch.organization_id == org_id,
                                     ImportBatch.file_sha256 == sha)
    ).first()
    if previous is not None:
        raise ImportFileError(_(
            "This file was already imported on %(date)s (%(rows)s rows). "
            "Nothing was imported again.",
            date=previous.created_at.date().isoformat(), rows=previous.row_count))
    cohort_name = " ".join((cohort_name or "").split())
    if not cohort_name:
        raise ImportFileError(_("Enter the cohort's name."))

    sheet = read_sheet(data, filename)
    cohort = find_cohort(program, cohort_name)
    people = _People(org_id)
    enrolled: set[int] = set()
    if cohort is not None:
        enrolled = set(db.session.scalars(
            sa.select(Enrollment.participant_id).where(Enrollment.cohort_id == cohort.id)))
    rows, errors = validate_sheet(
        sheet, coaches_by_email=_coaches(org_id), enrolled_participant_ids=enrolled,
        match_participant=people.match,
        cohort_ends_on=cohort.ends_on if cohort is not None else None, today=today)
    if errors:
        raise ImportRowsError(errors, len(sheet.rows))

    cohort_created = cohort is None
    if cohort is None:
        try:
            cohort = cohort_services.create_cohort(program, cohort_services.CohortData(
                name=cohort_name, starts_on=min(r.enrolled_on for r in rows)))
        except cohort_services.CohortError as exc:
            raise ImportFileError(exc.message) from None

    user_id = user.id if user is not None else None
    participant_ids, created = _write_participants(rows, people, org_id, user_id)
    enrollment_ids = _write_enrollments(rows, participant_ids, cohort)
    _write_steps(enrollment_ids, program)
    _write_exits(rows, enrollment_ids)

    batch = ImportBatch(organization_id=org_id, cohort_id=cohort.id, file_sha256=sha,
                        filename=(filename or "")[:255], row_count=len(rows),
                        created_by_id=user_id)
    db.session.add(batch)
    db.session.flush()
    record(AuditAction.create, object_type="import_batch", object_id=batch.id,
           organization_id=org_id, user=user,
           detail=f"cohort={cohort.id} rows={len(rows)} new_participants={len(created)}")
    _write_audit(rows, participant_ids, created, enrollment_ids, org_id, user_id, batch.id)
    return ImportResult(batch=batch, cohort=cohort, row_count=len(rows),
                        participants_created=len(created), cohort_created=cohort_created)


def _insert(model, values: list[dict]) -> None:
    # Straight to the driver in the session's transaction (journey.bulk): a Core
    # executemany spent most of an import in per-row parameter processing.
    bulk.insert_rows(db.session.connection(), model.__table__, values)


def _insert_with_new_ids(model, values: list[dict]) -> list[int]:
    """Inserts the rows under newly reserved ids, returned in the rows' order."""
    connection = db.session.connection()
    ids = bulk.reserve_ids(connection, model.__table__, len(values))
    bulk.insert_rows(connection, model.__table__,
                     [{"id": new_id, **row} for new_id, row in zip(ids, values, strict=True)])
    return ids


def _write_participants(rows, people: _People, org_id: int, user_id):
    ids: list[int | None] = [people.match(r) for r in rows]
    new_rows = [i for i, pid in enumerate(ids) if pid is None]
    values = [
        {
            "organization_id": org_id, "first_name": rows[i].first_name,
            "last_name": rows[i].last_name, "id_kind": rows[i].id_kind,
            **crypto.stored_columns(rows[i].national_id), "birth_date": rows[i].birth_date,
            "gender": rows[i].gender, "birth_region": rows[i].birth_region,
            "district": rows[i].district, "education_level": rows[i].education_level,
            "swedish_level": rows[i].swedish_level, "created_by_id": user_id, "version": 1,
        }
        for i in new_rows
    ]
    new_ids = _insert_with_new_ids(Participant, values)
    for i, pid in zip(new_rows, new_ids, strict=True):
        ids[i] = pid
    return ids, set(new_ids)


def _write_enrollments(rows, participant_ids, cohort: Cohort) -> list[int]:
    values = [
        {
            "participant_id": pid, "cohort_id": cohort.id, "coach_id": row.coach_id,
            "status": EnrollmentStatus.exited if row.outcome else EnrollmentStatus.active,
            "enrolled_on": row.enrolled_on, "labour_status_at_entry": row.labour_status_at_entry,
            "unemployed_months_at_entry": row.unemployed_months_at_entry,
            "income_at_entry": IncomeSource.unknown, "version": 1,
        }
        for row, pid in zip(rows, participant_ids, strict=True)
    ]
    return _insert_with_new_ids(Enrollment, values)


def _write_steps(enrollment_ids: list[int], program: Program) -> None:
    templates = db.session.execute(
        sa.select(StepTemplate.name, StepTemplate.kind)
        .where(StepTemplate.program_id == program.id, StepTemplate.is_retired.is_(False))
        .order_by(StepTemplate.position)
    ).all()
    if not templates:
        return
    values = [
        {"enrollment_id": eid, "name": t.name, "kind": t.kind, "position": position}
        for eid in enrollment_ids
        for position, t in enumerate(templates, start=1)
    ]
    _insert(JourneyStep, values)


def _write_exits(rows, enrollment_ids) -> None:
    exits, follow_ups = [], []
    for row, eid in zip(rows, enrollment_ids, strict=True):
        if row.outcome is None:
            continue
        exits.append({
            "enrollment_id": eid, "exited_on": row.exited_on, "outcome": row.outcome,
            "neutral_reason": row.neutral_reason,
            "qualification_gained": row.qualification_gained, "employer": row.employer,
        })
        for months in FOLLOW_UP_MONTHS:
            due = add_months(row.exited_on, months)
            recorded = months == 6 and row.followup_6m_status is not None
            follow_ups.append({
                "enrollment_id": eid, "months_after": months, "due_on": due,
                "recorded_on": due if recorded else None,
                "status": row.followup_6m_status if recorded else None, "source": None,
            })
    if exits:
        _insert(ExitOutcome, exits)
        _insert(FollowUp, follow_ups)


def _write_audit(rows, participant_ids, created, enrollment_ids, org_id, user_id,
                 batch_id) -> None:
    ip = (request.remote_addr or "")[:45] if has_request_context() else ""
    detail = f"import_batch={batch_id}"
    events = []
    for pid in participant_ids:
        if pid in created:
            events.append({"action": AuditAction.create, "object_type": "participant",
                           "object_id": pid, "participant_id": pid})
    for row, pid, eid in zip(rows, participant_ids, enrollment_ids, strict=True):
        events.append({"action": AuditAction.create, "object_type": "enrollment",
                       "object_id": eid, "participant_id": pid,
                       "detail": f"{detail}, exited" if row.outcome else detail})
    for event in events:
        event.setdefault("detail", detail)
        event.update(organization_id=org_id, user_id=user_id, ip=ip)
    _insert(AuditEvent, events)
