"""Spreadsheet import of past cohorts, for managers (shared/DOMAIN.md)."""

import sqlalchemy as sa
from flask import Blueprint, Response, request
from flask_login import current_user

from journey.auth.access import get_program_or_404, roles_required
from journey.cohorts.models import Cohort
from journey.enums import Role
from journey.extensions import db
from journey.i18n import gettext as _
from journey.imports import services
from journey.imports.forms import ImportForm
from journey.imports.parsing import COLUMNS, MAX_FILE_BYTES
from journey.programs.models import Program
from journey.web.htmx_helpers import render_partial_or_page

bp = Blueprint("imports", __name__, url_prefix="/imports")

# The error table shows this many rows; the rest are counted.
MAX_ERRORS_SHOWN = 200
# Multipart framing and the other fields on top of the file itself.
REQUEST_OVERHEAD = 64 * 1024


def _programs() -> list[Program]:
    return db.session.scalars(
        sa.select(Program).where(Program.organization_id == current_user.organization_id)
        .order_by(Program.name)
    ).all()


def _cohort_names(program_ids: list[int]) -> list[str]:
    if not program_ids:
        return []
    return sorted(set(db.session.scalars(
        sa.select(Cohort.name).where(Cohort.program_id.in_(program_ids)))))


def _render(form, status=200, *, programs: list[Program], **context):
    form.program_id.choices = [(p.id, p.name) for p in programs]
    html = render_partial_or_page(
        "imports/new.html", "imports/_import.html", form=form, columns=COLUMNS,
        cohort_names=_cohort_names([p.id for p in programs]),
        max_errors=MAX_ERRORS_SHOWN, **context)
    return html, status


def _uploaded_bytes(form: ImportForm) -> bytes | None:
    """The file's bytes, or ``None`` (with the field's error set) when refused."""
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors = [*form.file.errors, _("Choose a file to import.")]
        return None
    stream = upload.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if size > MAX_FILE_BYTES:
        form.file.errors = [*form.file.errors, _(
            "The file is too large: at most %(mb)s MB.", mb=MAX_FILE_BYTES // (1024 * 1024))]
        return None
    return stream.read()


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.manager)
def new():
    """Upload a spreadsheet of a past cohort; all rows are imported or none."""
    programs = _programs()
    form = ImportForm()
    form.program_id.choices = [(p.id, p.name) for p in programs]
    if request.method == "GET":
        return _render(form, programs=programs)
    # Refuse an oversized upload by its declared length before touching it further.
    if (request.content_length or 0) > MAX_FILE_BYTES + REQUEST_OVERHEAD:
        form.file.errors = [_("The file is too large: at most %(mb)s MB.",
                              mb=MAX_FILE_BYTES // (1024 * 1024))]
        return _render(form, 422, programs=programs)
    if not form.validate_on_submit():
        return _render(form, 400 if form.csrf_token.errors else 422, programs=programs)
    data = _uploaded_bytes(form)
    if data is None:
        return _render(form, 422, programs=programs)
    program = get_program_or_404(form.program_id.data)
    try:
        result = services.import_rows(data, form.file.data.filename, program=program,
                                      cohort_name=form.cohort_name.data, user=current_user)
    except services.ImportFileError as exc:
        db.session.rollback()
        form.file.errors = [exc.message]
        return _render(form, 422, programs=programs)
    except services.ImportRowsError as exc:
        db.session.rollback()
        return _render(form, 422, programs=programs, row_errors=exc.errors,
                       row_count=exc.row_count)
    html = _render(form, 200, programs=programs, result=result)
    db.session.commit()
    return html


@bp.route("/template.csv")
@roles_required(Role.manager)
def template():
    """An empty CSV with the header row (UTF-8 with BOM so Excel reads å, ä, ö)."""
    body = "\ufeff" + ",".join(COLUMNS) + "\r\n"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=journey-import.csv"})
