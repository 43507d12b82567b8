"""``flask --app wsgi journey …`` commands; they call the same services as the web."""

import sys

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from journey.extensions import db

journey_cli = AppGroup("journey", help="Journey administration commands.")


def _register_feature_commands() -> None:
    # Commands that live with their feature package.
    from journey.imports.cli import import_command
    from journey.ops.cli import commands as ops_commands
    from journey.reports.cli import report_command
    from journey.synthetic.cli import seed_synthetic_command

    journey_cli.add_command(import_command)
    journey_cli.add_command(report_command)
    journey_cli.add_command(seed_synthetic_command)
    for command in ops_commands:
        journey_cli.add_command(command)


_register_feature_commands()


@journey_cli.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["admin", "manager", "coach",
                                                           "participant"]))
@click.option("--org", "org_name", required=True, help="Organisation (created if missing).")
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, role, org_name, name, password_stdin):
    """Create a user; prompts for the password unless --password-stdin."""
    from journey.auth import services

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        org = services.get_or_create_organization(org_name)
        user = services.create_user(email, role=role, organization=org, name=name,
                                    password=password)
    except services.AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} in {org.name} (id {user.id}).")


def _database_is_empty() -> bool:
    from journey.auth.models import Organization

    return db.session.scalar(sa.select(sa.func.count(Organization.id))) == 0


@journey_cli.command("seed-demo")
@click.option("--force", is_flag=True, help="Seed even when the database has data.")
def seed_demo(force):
    """Fill an empty database with Swedish demo data and print the demo logins."""
    from journey.demo import seed_demo as run_seed

    if not force and not _database_is_empty():
        raise click.ClickException("The database already has data; nothing was changed.")
    logins = run_seed()
    db.session.commit()
    _print_logins(logins)


def _print_logins(logins) -> None:
    click.echo("Demo logins (password for all: see below):")
    for role, email, password in logins:
        click.echo(f"  {role:<12} {email:<32} {password}")


@journey_cli.command("init-db")
@click.option("--no-demo", is_flag=True, help="Do not seed demo data into an empty database.")
def init_db(no_demo):
    """Upgrade the database to the latest migration; seed demo data if it is empty."""
    from flask_migrate import upgrade

    upgrade()
    if not no_demo and _database_is_empty():
        from journey.demo import seed_demo as run_seed

        logins = run_seed()
        db.session.commit()
        click.echo("Empty database: demo data seeded.")
        _print_logins(logins)
    else:
        click.echo("Database is up to date.")
