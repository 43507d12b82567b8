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


@click.command("rotate-keys")
@click.option("--rehash", is_flag=True,
              help="Also recompute the search hashes: JOURNEY_HASH_KEY changed and the "
                   "old key is in JOURNEY_OLD_HASH_KEY.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=500, show_default=True,
              help="Rows per transaction.")
def rotate_keys_command(rehash, batch_size):
    """Re-encrypt every personnummer with the first key of JOURNEY_DATA_KEYS.

    Safe to run again after an interruption: rows already done are skipped.
    See SECURITY.md, "Key rotation".
    """
    import os

    from journey.enums import AuditAction
    from journey.participants import crypto, rotation

    old_hash_key = None
    if rehash:
        old_hash_key = (os.environ.get("JOURNEY_OLD_HASH_KEY")
                        or current_app.config.get("JOURNEY_OLD_HASH_KEY"))
        if not old_hash_key:
            raise click.ClickException(
                "--rehash needs the previous hash key in JOURNEY_OLD_HASH_KEY.")
    try:
        current = crypto.cipher().current_id
        click.echo(f"Re-encrypting personnummer with key {current!r} …")
        result = rotation.rotate_keys(
            old_hash_key=old_hash_key, batch_size=batch_size,
            progress=lambda r: click.echo(
                f"  {r.reencrypted} re-encrypted, {r.rehashed} rehashed …"))
    except (crypto.KeyConfigError, rotation.RotationError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Re-encrypted: {result.reencrypted}; already on key {current!r}: "
               f"{result.already_current}.")
    if rehash:
        click.echo(f"Rehashed: {result.rehashed}; hash already current: "
                   f"{result.hash_current}.")
    _audit(AuditAction.update, (
        f"personnummer key rotation to key {current}: {result.reencrypted} re-encrypted, "
        f"{result.rehashed} rehashed"))
    click.echo("Done. Once every server has the new keys, remove the old key.")


from journey.gdpr.cli import retention_command  # noqa: E402

commands: list = [check_deploy, backup_command, restore_command, retention_command,
                  rotate_keys_command]
