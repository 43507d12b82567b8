"""Programme report (cohorts side by side) and organisation overview, for managers.

Aggregates only: no participant's personal data appears on these pages. Rates
are over whole cohorts or programmes (top-line numbers, not suppressed: see
shared/DOMAIN.md), always shown with their n and 95 % interval.
"""

from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user

from journey.auth.access import get_program_or_404, roles_required
from journey.enums import Role
from journey.i18n import gettext as _
from journey.reports import charts
from journey.reports.pages import parse_as_of
from journey.reports.program_queries import organization_overview, program_comparison
from journey.web.htmx_helpers import render_partial_or_page

bp = Blueprint("program_reports", __name__)


# Longer names would run past the chart's label column; the table has them in full.
LABEL_MAX = 26


def short_label(name: str) -> str:
    return name if len(name) <= LABEL_MAX else name[:LABEL_MAX - 1].rstrip() + "…"


def _chart_row(label: str, rate) -> dict:
    return {"key": short_label(label), "rate": rate.value, "ci_low": rate.ci_low,
            "ci_high": rate.ci_high, "denominator": rate.denominator}


def comparison_chart(comparison):
    rows = [_chart_row(c.name, c.job_or_studies) for c in comparison.cohorts]
    if comparison.cohorts:
        rows.append(_chart_row(_("All cohorts"), comparison.total.job_or_studies))
    return charts.rate_chart(
        rows, title=_("Job or studies per cohort, with 95 % intervals"),
        target=comparison.target)


def overview_chart(programs):
    rows = [_chart_row(p.name, p.job_or_studies) for p in programs]
    return charts.rate_chart(rows, title=_("Job or studies per programme, with 95 % intervals"))


def _invalid(template: str, partial: str, **context):
    html = render_partial_or_page(
        template, partial, error=_("Enter the report date as YYYY-MM-DD, e.g. 2026-06-30."),
        as_of_raw=request.args.get("as_of", ""), **context)
    return html, 400


@bp.route("/programs/<int:program_id>/report")
@roles_required(Role.manager)
def program_report(program_id: int):
    """All cohorts of a programme side by side, against the programme's target."""
    program = get_program_or_404(program_id)
    as_of, error = parse_as_of(request.args.get("as_of"))
    if error:
        return _invalid("reports/program/page.html", "reports/program/_body.html",
                        program=program)
    comparison = program_comparison(program, as_of)
    return render_partial_or_page(
        "reports/program/page.html", "reports/program/_body.html",
        program=program, comparison=comparison, as_of=as_of, as_of_raw=as_of.isoformat(),
        error=None, chart=comparison_chart(comparison), pct_range=charts.pct_range)


@bp.route("/programs/<int:program_id>/report.pdf")
@roles_required(Role.manager)
def program_report_pdf(program_id: int):
    """The programme comparison as a PDF for boards (an export: recorded in the audit log)."""
    from journey.audit.services import record
    from journey.enums import AuditAction
    from journey.extensions import db
    from journey.reports.pdf import pdf_download, render_pdf

    program = get_program_or_404(program_id)
    as_of, error = parse_as_of(request.args.get("as_of"))
    if error:
        return error, 400
    comparison = program_comparison(program, as_of)
    html = render_template(
        "reports/program/pdf.html", program=program, comparison=comparison, as_of=as_of,
        error=None, chart=comparison_chart(comparison), pct_range=charts.pct_range)
    pdf = render_pdf(html, request.url_root)
    record(AuditAction.export, object_type="program", object_id=program.id,
           detail=f"programme report pdf as_of {as_of.isoformat()}")
    db.session.commit()
    return pdf_download(pdf, f"programrapport-{program.id}-{as_of.isoformat()}.pdf")


@bp.route("/reports")
@roles_required(Role.manager)
def overview():
    """Every programme of the organisation: outcome rate against its target."""
    as_of, error = parse_as_of(request.args.get("as_of"))
    if error:
        return _invalid("reports/program/overview.html", "reports/program/_overview_body.html")
    programs = organization_overview(current_user.organization_id, as_of)
    return render_partial_or_page(
        "reports/program/overview.html", "reports/program/_overview_body.html",
        programs=programs, as_of=as_of, as_of_raw=as_of.isoformat(), error=None,
        chart=overview_chart(programs) if programs else None, pct_range=charts.pct_range,
        today=date.today())
