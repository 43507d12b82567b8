"""The audit trail for admins: who did what, when, to which object (and its CSV export)."""

import csv
import io
from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from journey.audit import queries
from journey.audit.forms import KNOWN_OBJECT_TYPES, AuditFilterForm, user_label
from journey.audit.services import record
from journey.auth.access import roles_required
from journey.enums import AuditAction, Role, label
from journey.extensions import db
from journey.i18n import gettext as _
from journey.reports.exports import neutralise
from journey.web.htmx_helpers import render_partial_or_page, wants_partial

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

PAGE = "audit/index.html"
RESULTS = "audit/_results.html"
# Rows read per query while streaming the export (keyset chunks; tests lower it).
EXPORT_CHUNK = 1000


def _filter_form() -> tuple[AuditFilterForm, bool]:
    form = AuditFilterForm(formdata=request.args)
    form.set_users(queries.organization_users(current_user.organization_id))
    return form, form.validate()


def _context(form: AuditFilterForm, valid: bool, result=None, filters=None) -> dict:
    return {"form": form, "valid": valid, "result": result, "filters": filters,
            "object_types": KNOWN_OBJECT_TYPES, "user_label": user_label}


@bp.route("")
@roles_required(Role.admin)
def index():
    """The organisation's audit events, newest first, filtered and paged on the server."""
    form, valid = _filter_form()
    if not valid:
        html = render_partial_or_page(PAGE, RESULTS, **_context(form, valid))
        return html, 422
    filters = form.filters()
    result = queries.audit_page(
        current_user.organization_id, filters,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config.get("PAGE_SIZE", 50),
    )
    # Reading the trail shows ids only (no participant data), so it is not itself logged;
    # the export, which takes the data out of the app, is.
    response = make_response(render_partial_or_page(
        PAGE, RESULTS, **_context(form, valid, result, filters)))
    if wants_partial():
        # The address bar shows the canonical URL (no empty filter fields).
        page = result.page if result.page > 1 else None
        response.headers["HX-Push-Url"] = url_for(".index", **filters.query_args(page=page))
    return response


def _csv_header() -> list[str]:
    return [_("Time"), _("User"), _("Role"), _("Action"), _("Object type"), _("Object ID"),
            _("Participant ID"), _("IP address"), _("Detail")]


def _csv_line(row: queries.AuditRow) -> list[str]:
    return [
        row.at.strftime("%Y-%m-%d %H:%M:%S"),
        # The role has its own column; a portal account shows by its id (see user_label).
        neutralise(row.user_name if row.user_name is not None
                   else user_label(row.user_id, None, None)),
        label(Role, row.user_role) if row.user_role else "",
        neutralise(label(AuditAction, row.action)),
        neutralise(row.object_type),
        "" if row.object_id is None else str(row.object_id),
        "" if row.participant_id is None else str(row.participant_id),
        neutralise(row.ip),
        neutralise(row.detail),
    ]


def _csv_chunks(organization_id: int, filters: queries.AuditFilters) -> Iterator[bytes]:
    """Semicolon-separated UTF-8 with BOM (Swedish Excel), one chunk of rows at a time."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

    def flush() -> bytes:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text.encode("utf-8")

    writer.writerow(_csv_header())
    yield "\ufeff".encode() + flush()
    for chunk in queries.iter_audit_chunks(organization_id, filters, chunk_size=EXPORT_CHUNK):
        writer.writerows(_csv_line(row) for row in chunk)
        yield flush()


@bp.route("/export.csv")
@roles_required(Role.admin)
def export_csv():
    """The filtered trail as CSV, streamed; the export itself is an audit event."""
    form, valid = _filter_form()
    if not valid:
        return render_template(PAGE, **_context(form, valid)), 422
    filters = form.filters()
    organization_id = current_user.organization_id
    filename = f"audit-{queries.local_today().isoformat()}.csv"
    record(AuditAction.export, object_type="audit_event",
           detail=f"{filename}; {filters.summary()}")
    # Committed before the first byte leaves: if the audit write fails, nothing is exported.
    db.session.commit()
    response = Response(stream_with_context(_csv_chunks(organization_id, filters)),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
