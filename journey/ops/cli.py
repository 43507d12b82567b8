"""`flask journey` commands for operations, added to the group by journey.cli."""

import click
from flask import current_app

from journey.extensions import db
from journey.ops import backup as backups
from journey.ops.checks import FAIL, WARN, check_migrations, run_checks

LEVEL_TAGS = {"ok": "OK  ", "warn": "WARN", "fail": "FAIL"}


@click.command("check-deploy")
def check_deploy():
    """Check that configuration and database are safe for production; exit 1 if not."""
    findings = run_checks(current_app)
    for finding in findings:
        click.echo(f"{LEVEL_TAGS[finding.level]}  {finding.message}")
    problems = sum(1 for f in findings if f.level == FAIL)
    warnings = sum(1 for f in findings if f.level == WARN)
    if problems:
        click.echo(f"Not safe to deploy: {problems} problem(s), {warnings} warning(s).")
        raise SystemExit(1)
    click.echo(f"OK: safe to deploy ({warnings} warning(s)).")


def _echo_counts(counts: dict[str, int]) -> None:
    width = max((len(name) for name in counts), default=5)
    for name, count in counts.items():
        click.echo(f"  {name:<{width}}  {count:>9}")
    click.echo(f"  {'total':<{width}}  {sum(counts.values()):>9}")


def _audit(action, detail: str) -> None:
    from journey.audit.services import record

    record(action, object_type="database", detail=detail)
    db.session.commit()


@click.command("backup")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False),
              help="Backup file (default: instance/backups/journey-<UTC time>.*).")
def backup_command(output):
    """Back up the whole database into a private (0600) file."""
    from journey.enums import AuditAction

    click.echo(f"Backing up {backups.describe_database()} …")
    try:
        result = backups.backup(output)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    # A backup is an export of everyone's personal data: it goes in the audit trail.
    _audit(AuditAction.export, f"database backup {click.format_filename(result.path)}")
    click.echo(f"Backup written to {result.path} (mode 0600). Rows per table:")
    _echo_counts(result.counts)


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Confirm that every row in the database is replaced.")
def restore_command(backup_file, yes):
    """Replace the whole database with a backup made by `flask journey backup`."""
    from journey.enums import AuditAction

    target = backups.describe_database()
    if not yes:
        raise click.ClickException(
            f"Restoring replaces every row in {target} with the backup. "
            "Stop the app, then run again with --yes to confirm.")
    click.echo(f"Restoring {backup_file} into {target} …")
    try:
        counts = backups.restore(backup_file)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("Restore done. Rows per table:")
    _echo_counts(counts)
    for finding in check_migrations(current_app):
        if finding.level == FAIL:
            click.echo(f"WARN  {finding.message}")
    _audit(AuditAction.update, f"database restored from {click.format_filename(backup_file)}")


commands: list = [check_deploy, backup_command, restore_command]
