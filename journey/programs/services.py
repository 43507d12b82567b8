"""Programmes and their step templates: create, edit, reorder, retire.

Step templates are only a pattern: ``participants.services.enroll`` copies them
into each new enrollment's ``JourneyStep`` rows. Nothing here touches those
copies, so editing a programme never rewrites a participant's history.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from journey.audit.services import record
from journey.enums import AuditAction, StepKind
from journey.extensions import db
from journey.i18n import gettext as _
from journey.programs.models import Program, StepTemplate


class ProgramError(ValueError):
    """A domain rule was broken; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class ProgramData:
    name: str
    description: str = ""
    is_active: bool = True
    # The target as entered: a percentage 0–100 (``None`` when there is none).
    outcome_target_percent: Decimal | None = None


SHARE_STEP = Decimal("0.001")  # Program.outcome_target is Numeric(4, 3)


def percent_to_share(percent: Decimal | int | float | None) -> Decimal | None:
    """50 -> Decimal('0.500'); ``None`` stays ``None``.

    :param percent: a percentage between 0 and 100 with at most one decimal.
    :raises ProgramError: outside 0–100 or finer than the column can store.
    """
    if percent is None:
        return None
    value = Decimal(str(percent))
    if not value.is_finite() or value < 0 or value > 100:
        raise ProgramError(_("The target must be between 0 and 100 per cent."), "outcome_target")
    share = value / 100
    if share.quantize(SHARE_STEP, rounding=ROUND_HALF_UP) != share:
        raise ProgramError(_("Give the target with at most one decimal."), "outcome_target")
    return share.quantize(SHARE_STEP)


def share_to_percent(share: Decimal | None) -> Decimal | None:
    """Decimal('0.625') -> Decimal('62.5'); the form shows the target as a percentage."""
    if share is None:
        return None
    return (Decimal(share) * 100).quantize(Decimal("0.1")).normalize()


def _clean_name(name: str, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ProgramError(_("Enter a name."), field)
    if len(name) > 200:
        raise ProgramError(_("The name can be at most 200 characters."), field)
    return name


def _check_unique_name(organization_id: int, name: str, exclude_id: int | None = None) -> None:
    # Case-insensitive, so "jobbpunkt" and "Jobbpunkt" cannot both exist. SQLite's
    # lower() folds ASCII only, so an exact match is checked too ("Ängen" twice).
    stmt = sa.select(Program.id).where(
        Program.organization_id == organization_id,
        sa.or_(Program.name == name, sa.func.lower(Program.name) == name.lower()),
    )
    if exclude_id is not None:
        stmt = stmt.where(Program.id != exclude_id)
    if db.session.scalars(stmt.limit(1)).first() is not None:
        raise ProgramError(
            _("The organisation already has a programme called “%(name)s”.", name=name), "name"
        )


def create_program(organization_id: int, data: ProgramData) -> Program:
    """Create a programme (without step templates) in an organisation.

    :param organization_id: the caller's organisation.
    :param data: the form's values; the target as a percentage.
    :raises ProgramError: empty or taken name, target out of range.
    """
    name = _clean_name(data.name)
    target = percent_to_share(data.outcome_target_percent)
    _check_unique_name(organization_id, name)
    program = Program(
        organization_id=organization_id,
        name=name,
        description=(data.description or "").strip(),
        is_active=bool(data.is_active),
        outcome_target=target,
    )
    db.session.add(program)
    db.session.flush()
    record(AuditAction.create, object_type="program", object_id=program.id,
           organization_id=organization_id, detail=f"name={name}")
    return program


def update_program(program: Program, data: ProgramData) -> list[str]:
    """Change a programme's name, description, active flag and target.

    :param program: already authorised for the caller.
    :returns: the names of the fields that changed (empty: nothing written).
    :raises ProgramError: empty or taken name, target out of range.
    """
    name = _clean_name(data.name)
    target = percent_to_share(data.outcome_target_percent)
    if name != program.name:
        _check_unique_name(program.organization_id, name, exclude_id=program.id)
    new = {
        "name": name,
        "description": (data.description or "").strip(),
        "is_active": bool(data.is_active),
        "outcome_target": target,
    }
    changed = [key for key, value in new.items() if getattr(program, key) != value]
    if not changed:
        return []
    for key in changed:
        setattr(program, key, new[key])
    db.session.flush()
    record(AuditAction.update, object_type="program", object_id=program.id,
           organization_id=program.organization_id, detail="changed: " + ", ".join(changed))
    return changed


def templates_of(program: Program) -> list[StepTemplate]:
    """The programme's step templates in order, retired ones included."""
    return list(
        db.session.scalars(
            sa.select(StepTemplate)
            .where(StepTemplate.program_id == program.id)
            .order_by(StepTemplate.position, StepTemplate.id)
        )
    )


def add_step_template(program: Program, name: str, kind: StepKind | str) -> StepTemplate:
    """Append a step template at the end of the programme's steps.

    :param program: already authorised for the caller.
    :param name: shown to coaches and participants.
    :param kind: a ``StepKind`` value.
    """
    name = _clean_name(name)
    try:
        kind = StepKind(kind)
    except ValueError:
        raise ProgramError(_("Choose a kind of step."), "kind") from None
    last = db.session.scalar(
        sa.select(sa.func.max(StepTemplate.position)).where(StepTemplate.program_id == program.id)
    )
    template = StepTemplate(program_id=program.id, position=(last or 0) + 1, name=name,
                            kind=kind, is_retired=False)
    db.session.add(template)
    db.session.flush()
    record(AuditAction.create, object_type="step_template", object_id=template.id,
           organization_id=program.organization_id,
           detail=f"program={program.id} position={template.position} name={name}")
    return template


def rename_step_template(template: StepTemplate, name: str) -> bool:
    """Rename a template; enrollments that already copied it keep the old name.

    :returns: whether anything changed.
    """
    name = _clean_name(name)
    if name == template.name:
        return False
    old = template.name
    template.name = name
    db.session.flush()
    record(AuditAction.update, object_type="step_template", object_id=template.id,
           organization_id=template.program.organization_id,
           detail=f"name {old} -> {name}")
    return True


def set_step_template_retired(template: StepTemplate, retired: bool) -> bool:
    """Retire a template (new enrollments skip it) or bring it back.

    :returns: whether anything changed.
    """
    retired = bool(retired)
    if template.is_retired == retired:
        return False
    template.is_retired = retired
    db.session.flush()
    record(AuditAction.update, object_type="step_template", object_id=template.id,
           organization_id=template.program.organization_id,
           detail="retired" if retired else "reinstated")
    return True


def move_step_template(template: StepTemplate, direction: str) -> bool:
    """Move a template one place up or down among all the programme's templates.

    Positions end up as 1..n (gaps left by older data are closed on the way).

    :param direction: ``"up"`` or ``"down"``.
    :returns: whether the order changed (moving the first one up does nothing).
    """
    if direction not in ("up", "down"):
        raise ProgramError(_("Unknown direction."), "direction")
    ordered = templates_of(template.program)
    index = next(i for i, t in enumerate(ordered) if t.id == template.id)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(ordered)
    return True


def _renumber(ordered: list[StepTemplate]) -> None:
    """Give the templates positions 1..n in list order without breaking UNIQUE on the way.

    The constraint (program_id, position) is checked row by row on PostgreSQL
    and SQLite, so a plain swap would collide mid-flush. Every row that moves
    first parks at a negative position (never used by a real one), then takes
    its final place once all the old places are free.
    """
    moving = [(t, pos) for pos, t in enumerate(ordered, start=1) if t.position != pos]
    if not moving:
        return
    old = {t.id: t.position for t, _pos in moving}
    for t, pos in moving:
        t.position = -pos
    db.session.flush()
    for t, pos in moving:
        t.position = pos
    db.session.flush()
    for t, pos in moving:
        record(AuditAction.update, object_type="step_template", object_id=t.id,
               organization_id=t.program.organization_id,
               detail=f"position {old[t.id]} -> {pos}")
