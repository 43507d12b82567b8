"""``flask journey report`` (see shared/DOMAIN.md, CLI)."""

import click


@click.command("report")
@click.argument("cohort_id", type=int)
@click.option("--as-of", "as_of", default=None, help="Report date, YYYY-MM-DD (default today).")
@click.option("--format", "fmt", type=click.Choice(["json", "pdf"]), default="json")
@click.option("-o", "output", type=click.Path(dir_okay=False, writable=True), default=None)
def report_command(cohort_id, as_of, fmt, output):
    """Print or write the cohort report."""
    raise click.ClickException("The cohort report is not available yet.")
