"""Cohort report downloads: the report as CSV/XLSX and the ESF+ indicators.

Managers only, like the JSON and the PDF (``journey.reports.views``). Each
download is an export in the audit log; file names carry ids and dates only.
"""

from datetime import date

from flask import Blueprint, make_response, request

from journey.audit.services import record
from journey.auth.access import get_cohort_or_404, roles_required
from journey.enums import AuditAction, Role
from journey.extensions import db
from journey.i18n import gettext as _
from journey.reports import esf, exports
from journey.reports.views import InvalidDate, parse_as_of

bp = Blueprint("report_exports", __name__)

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _as_of() -> date | None:
    try:
        return parse_as_of(request.args.get("as_of"))
    except InvalidDate:
        return None


def _bad_date():
    response = make_response(_("Enter the report date as YYYY-MM-DD, e.g. 2026-06-30."), 400)
    response.mimetype = "text/plain"
    return response


def _download(body: bytes, fmt: str, filename: str):
    response = make_response(body)
    response.headers["Content-Type"] = MIMETYPES[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Aggregated, but still about named cohorts: keep it out of shared caches.
    response.headers["Cache-Control"] = "no-store"
    return response


def _write(tables, fmt: str, sheet_title: str) -> bytes:
    return exports.to_csv(tables) if fmt == "csv" else exports.to_xlsx(tables, sheet_title)


@bp.route("/cohorts/<int:cohort_id>/report.<any(csv, xlsx):fmt>")
@roles_required(Role.manager)
def report_file(cohort_id: int, fmt: str):
    """The cohort report as CSV or XLSX (``?as_of=YYYY-MM-DD``, default today)."""
    from journey.reports.pages import load_report

    cohort = get_cohort_or_404(cohort_id)
    as_of = _as_of()
    if as_of is None:
        return _bad_date()
    body = _write(exports.report_tables(load_report(cohort, as_of)), fmt, _("Cohort report"))
    record(AuditAction.export, object_type="cohort", object_id=cohort.id,
           detail=f"report.{fmt} as_of {as_of.isoformat()}")
    db.session.commit()
    # Ids and dates only: a cohort name could carry a person's name.
    return _download(body, fmt, f"kullrapport-{cohort.id}-{as_of.isoformat()}.{fmt}")


@bp.route("/cohorts/<int:cohort_id>/esf.<any(csv, xlsx):fmt>")
@roles_required(Role.manager)
def esf_file(cohort_id: int, fmt: str):
    """The cohort's ESF+ common indicators as CSV or XLSX (``?as_of=``)."""
    cohort = get_cohort_or_404(cohort_id)
    as_of = _as_of()
    if as_of is None:
        return _bad_date()
    tables = esf.esf_tables(esf.esf_report(cohort.id, as_of))
    body = _write(tables, fmt, "ESF+")
    record(AuditAction.export, object_type="cohort", object_id=cohort.id,
           detail=f"esf.{fmt} as_of {as_of.isoformat()}")
    db.session.commit()
    return _download(body, fmt, f"esf-{cohort.id}-{as_of.isoformat()}.{fmt}")
