"""`flask journey retention`: anonymise participants by their organisation's retention rule."""

from datetime import UTC, date, datetime

import click
import sqlalchemy as sa

from journey.auth.models import Organization
from journey.extensions import db
from journey.gdpr import queries, services
from journey.participants.models import Participant

# A batch is one transaction: on SQLite it holds the write lock while it runs
# (about 30 ms for 100 records), so web requests that write wait no longer than that.
BATCH_SIZE = 100
MAX_BATCH_SIZE = 5000


@click.command("retention")
@click.option("--dry-run", "dry_run", is_flag=True,
              help="Only count who would be anonymised; change nothing.")
@click.option("--apply", "apply_", is_flag=True, help="Anonymise them (a commit per batch).")
@click.option("--org", "org_id", type=int, default=None, help="Only this organisation (id).")
@click.option("--months", type=click.IntRange(min=1), default=None,
              help="With --org: set the organisation's rule to N months after exit.")
@click.option("--clear", is_flag=True, help="With --org: remove the organisation's rule.")
@click.option("--batch-size", type=click.IntRange(min=1, max=MAX_BATCH_SIZE), default=BATCH_SIZE,
              show_default=True, help="Participants anonymised and committed together.")
def retention_command(dry_run, apply_, org_id, months, clear, batch_size):
    """Anonymise participants N months after their last exit, per organisation."""
    if months is not None or clear:
        _set_rule(org_id, months, clear)
        if not (dry_run or apply_):
            return
    if dry_run == apply_:
        raise click.UsageError("Give exactly one of --dry-run and --apply.")
    organizations = queries.retention_organizations(org_id)
    if org_id is not None and not organizations:
        raise click.ClickException(f"Organisation {org_id} has no retention rule (or no such id).")
    if not organizations:
        click.echo("No organisation has a retention rule.")
        return
    today = date.today()
    total = 0
    for organization in organizations:
        org_name, org_months = organization.name, organization.retention_months_after_exit
        ids = queries.due_for_anonymisation(organization, today)
        total += len(ids)
        verb = "would be anonymised" if dry_run else "anonymised"
        if apply_:
            _apply(ids, org_months, batch_size)
        click.echo(f"{org_name} (id {organization.id}, {org_months} months after exit): "
                   f"{len(ids)} participant(s) {verb}")
    click.echo(f"Total: {total} participant(s) {'would be ' if dry_run else ''}anonymised"
               + (" (dry run: nothing changed)" if dry_run else ""))


def _set_rule(org_id, months, clear) -> None:
    if org_id is None:
        raise click.UsageError("--months and --clear need --org.")
    if months is not None and clear:
        raise click.UsageError("Give --months or --clear, not both.")
    organization = db.session.get(Organization, org_id)
    if organization is None:
        raise click.ClickException(f"No organisation with id {org_id}.")
    organization.retention_months_after_exit = None if clear else months
    from journey.audit.services import record
    from journey.enums import AuditAction

    record(AuditAction.update, object_type="organization", object_id=organization.id,
           organization_id=organization.id,
           detail=f"retention_months_after_exit -> {'-' if clear else months}")
    db.session.commit()
    click.echo(f"{organization.name}: "
               + ("no retention rule" if clear else f"anonymise {months} months after exit"))


def _apply(ids: list[int], months: int, batch_size: int) -> None:
    reason = f"retention rule: {months} months after exit"
    for start in range(0, len(ids), batch_size):
        batch = ids[start:start + batch_size]
        participants = db.session.scalars(
            sa.select(Participant).where(Participant.id.in_(batch)).order_by(Participant.id)
        ).all()
        services.anonymize_participants(participants, by=None, reason=reason,
                                        now=datetime.now(UTC))
        db.session.commit()
        click.echo(f"  batch: {len(participants)} anonymised")
