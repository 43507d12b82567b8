"""``flask journey import`` (see shared/DOMAIN.md, spreadsheet import)."""

import click


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--program", "program_name", required=True)
@click.option("--cohort", "cohort_name", required=True)
@click.option("--org", "org_name", default=None)
def import_command(file, program_name, cohort_name, org_name):
    """Import past enrollments of a cohort from CSV or XLSX (all or nothing)."""
    raise click.ClickException("The spreadsheet import is not available yet.")
