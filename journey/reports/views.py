"""Cohort reports: the JSON of shared/DOMAIN.md "Report JSON".

Only managers produce reports (DOMAIN.md: "Managers … produce cohort
reports"): coaches and participants get 404 like any route outside their
role, and admins too, since they see no participant data at all.
"""

import re
from datetime import date

from flask import Blueprint, jsonify, request

from journey.audit.services import record
from journey.auth.access import get_cohort_or_404, roles_required
from journey.enums import AuditAction, Role
from journey.extensions import db
from journey.i18n import gettext as _
from journey.reports.queries import cohort_report, report_to_json

bp = Blueprint("reports", __name__)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InvalidDate(ValueError):
    pass


def parse_as_of(value: str | None, today: date | None = None) -> date:
    """``YYYY-MM-DD`` (strictly), or today when empty; ``InvalidDate`` otherwise."""
    if value is None or not value.strip():
        return today or date.today()
    value = value.strip()
    if not _ISO_DATE.match(value):
        raise InvalidDate(value)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidDate(value) from exc


@bp.route("/cohorts/<int:cohort_id>/report.json")
@roles_required(Role.manager)
def cohort_report_json(cohort_id: int):
    """The cohort report as JSON (``?as_of=YYYY-MM-DD``, default today)."""
    cohort = get_cohort_or_404(cohort_id)
    try:
        as_of = parse_as_of(request.args.get("as_of"))
    except InvalidDate:
        response = jsonify(error=_("Enter the report date as YYYY-MM-DD, e.g. 2026-06-30."))
        response.status_code = 400
        return response
    data = report_to_json(cohort_report(cohort, as_of))
    record(AuditAction.export, object_type="cohort", object_id=cohort.id,
           detail=f"report.json as_of {as_of.isoformat()}")
    db.session.commit()
    response = jsonify(data)
    # Aggregated, but still about named cohorts: keep it out of shared caches.
    response.headers["Cache-Control"] = "no-store"
    return response
