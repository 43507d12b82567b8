"""``flask journey report`` (see shared/DOMAIN.md, CLI)."""

import json

import click

from journey.extensions import db
from journey.i18n import gettext as _


@click.command("report")
@click.argument("cohort_id", type=int)
@click.option("--as-of", "as_of", default=None, help="Report date, YYYY-MM-DD (default today).")
@click.option("--format", "fmt", type=click.Choice(["json", "pdf"]), default="json")
@click.option("-o", "output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
def report_command(cohort_id, as_of, fmt, output):
    """Print or write the cohort report."""
    from journey.audit.services import record
    from journey.cohorts.models import Cohort
    from journey.enums import AuditAction
    from journey.reports.queries import cohort_report, report_to_json
    from journey.reports.views import InvalidDate, parse_as_of

    try:
        report_date = parse_as_of(as_of)
    except InvalidDate as exc:
        raise click.ClickException(
            _("Enter the report date as YYYY-MM-DD, e.g. 2026-06-30.")) from exc
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(_("There is no cohort with id %(id)s.", id=cohort_id))
    renderer = _pdf_renderer() if fmt == "pdf" else None
    report = cohort_report(cohort, report_date)
    if fmt == "pdf":
        payload = renderer(report)
    else:
        payload = (json.dumps(report_to_json(report), indent=2, ensure_ascii=False)
                   + "\n").encode("utf-8")
    record(AuditAction.export, object_type="cohort", object_id=cohort.id,
           organization_id=cohort.program.organization_id,
           detail=f"cli report {fmt} as_of {report_date.isoformat()}")
    db.session.commit()
    if output:
        with open(output, "wb") as fh:
            fh.write(payload)
        click.echo(_("Report written to %(path)s.", path=output), err=True)
    else:
        click.echo(payload, nl=False)  # bytes go to the binary stream as they are


def _pdf_renderer():
    # The PDF is built in journey/reports/pdf.py; until it offers
    # render_cohort_pdf(report) -> bytes, say so rather than fail obscurely.
    try:
        from journey.reports.pdf import render_cohort_pdf
    except ImportError:
        render_cohort_pdf = None
    if render_cohort_pdf is None:
        raise click.ClickException(_("PDF is coming later: use --format json for now."))
    return render_cohort_pdf
