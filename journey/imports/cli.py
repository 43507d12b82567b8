"""``flask journey import`` (see shared/DOMAIN.md, spreadsheet import)."""

import os

import click
import sqlalchemy as sa

from journey.extensions import db


class ProgramLookupError(click.ClickException):
    pass


def find_program(program_name: str, org_name: str | None):
    """The programme called ``program_name`` (any case), in ``--org`` when given.

    :raises ProgramLookupError: no such programme, or several organisations have one.
    """
    from journey.auth.models import Organization
    from journey.programs.models import Program

    stmt = (sa.select(Program).join(Organization, Program.organization_id == Organization.id)
            .where(sa.func.lower(Program.name) == program_name.strip().lower()))
    if org_name:
        stmt = stmt.where(sa.func.lower(Organization.name) == org_name.strip().lower())
    programs = db.session.scalars(stmt).all()
    if not programs:
        where = f" in organisation {org_name!r}" if org_name else ""
        raise ProgramLookupError(f"No programme called {program_name!r}{where}.")
    if len(programs) > 1:
        names = ", ".join(sorted(p.organization.name for p in programs))
        raise ProgramLookupError(
            f"Several organisations have a programme called {program_name!r} ({names}): "
            "choose one with --org NAME.")
    return programs[0]


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--program", "program_name", required=True)
@click.option("--cohort", "cohort_name", required=True)
@click.option("--org", "org_name", default=None)
def import_command(file, program_name, cohort_name, org_name):
    """Import past enrollments of a cohort from CSV or XLSX (all or nothing)."""
    from journey.imports import services
    from journey.imports.parsing import MAX_FILE_BYTES

    program = find_program(program_name, org_name)
    if os.path.getsize(file) > MAX_FILE_BYTES:
        raise click.ClickException(
            f"The file is too large: at most {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    with open(file, "rb") as handle:
        data = handle.read()
    try:
        result = services.import_rows(data, os.path.basename(file), program=program,
                                      cohort_name=cohort_name, user=None)
    except services.ImportFileError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    except services.ImportRowsError as exc:
        db.session.rollback()
        click.echo(f"{len(exc.errors)} error(s) in {exc.row_count} row(s); nothing was "
                   "imported.", err=True)
        click.echo(f"{'row':>6}  {'column':<28}  message", err=True)
        for error in exc.errors:
            click.echo(f"{error.row:>6}  {error.column:<28}  {error.message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"Imported {result.row_count} rows into cohort {result.cohort.name!r} "
               f"(cohort id {result.cohort.id}); {result.participants_created} new "
               "participants.")
