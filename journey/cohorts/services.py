"""Cohorts of a programme: create and edit (name, dates, cost)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from journey.audit.services import record
from journey.cohorts.models import Cohort
from journey.enums import AuditAction
from journey.extensions import db
from journey.i18n import gettext as _
from journey.programs.models import Program


class CohortError(ValueError):
    """A domain rule was broken; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class CohortData:
    name: str
    starts_on: date
    ends_on: date | None = None
    cost_sek: int | None = None


def _validated(program: Program, data: CohortData, exclude_id: int | None = None) -> dict:
    name = " ".join((data.name or "").split())
    if not name:
        raise CohortError(_("Enter a name."), "name")
    if len(name) > 200:
        raise CohortError(_("The name can be at most 200 characters."), "name")
    if data.starts_on is None:
        raise CohortError(_("Enter the start date."), "starts_on")
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise CohortError(_("The end date cannot be before the start date."), "ends_on")
    if data.cost_sek is not None and data.cost_sek < 0:
        raise CohortError(_("The cost cannot be negative."), "cost_sek")
    # Case-insensitive, so "Vår 2026" and "vår 2026" cannot both exist.
    stmt = sa.select(Cohort.id).where(
        Cohort.program_id == program.id,
        # Exact match too: SQLite's lower() folds ASCII only.
        sa.or_(Cohort.name == name, sa.func.lower(Cohort.name) == name.lower())
    )
    if exclude_id is not None:
        stmt = stmt.where(Cohort.id != exclude_id)
    if db.session.scalars(stmt.limit(1)).first() is not None:
        raise CohortError(
            _("The programme already has a cohort called “%(name)s”.", name=name), "name"
        )
    return {"name": name, "starts_on": data.starts_on, "ends_on": data.ends_on,
            "cost_sek": data.cost_sek}


def create_cohort(program: Program, data: CohortData) -> Cohort:
    """Create a cohort in a programme.

    :param program: already authorised for the caller.
    :param data: name (unique in the programme), dates, cost in whole kronor.
    :raises CohortError: empty or taken name, dates in the wrong order, negative cost.
    """
    values = _validated(program, data)
    cohort = Cohort(program_id=program.id, **values)
    db.session.add(cohort)
    db.session.flush()
    record(AuditAction.create, object_type="cohort", object_id=cohort.id,
           organization_id=program.organization_id,
           detail=f"program={program.id} name={values['name']}")
    return cohort


def update_cohort(cohort: Cohort, data: CohortData) -> list[str]:
    """Change a cohort's name, dates and cost.

    :param cohort: already authorised for the caller.
    :returns: the names of the fields that changed (empty: nothing written).
    :raises CohortError: as for ``create_cohort``.
    """
    values = _validated(cohort.program, data, exclude_id=cohort.id)
    changed = [key for key, value in values.items() if getattr(cohort, key) != value]
    if not changed:
        return []
    for key in changed:
        setattr(cohort, key, values[key])
    db.session.flush()
    record(AuditAction.update, object_type="cohort", object_id=cohort.id,
           organization_id=cohort.program.organization_id,
           detail="changed: " + ", ".join(changed))
    return changed
