"""Data-subject export and manual anonymisation, for managers of the organisation."""

import json
from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from journey.audit.services import record
from journey.auth.access import get_participant_or_404, roles_required
from journey.enums import AuditAction, Role
from journey.extensions import db
from journey.gdpr import services
from journey.gdpr.forms import CONFIRM_WORD, AnonymiseForm
from journey.i18n import gettext as _
from journey.portal import subject_data
from journey.reports.pdf import pdf_download, render_pdf

bp = Blueprint("gdpr", __name__)


def _filename(participant_id: int, extension: str) -> str:
    # No name and no ID number: the file may be mailed or stored elsewhere.
    return f"registerutdrag-{participant_id}-{date.today().isoformat()}.{extension}"


def _has_full_number(participant) -> bool:
    return bool(participant.national_id_prefix)  # no need to decrypt to know


@bp.route("/participants/<int:participant_id>/subject-export.json")
@roles_required(Role.manager)
def export_json(participant_id: int):
    """Everything stored about the participant, coach notes included, as JSON."""
    participant = get_participant_or_404(participant_id)
    payload = subject_data.to_json(subject_data.collect(participant, for_participant=False))
    payload["national_id_note"] = (
        _("The full ID number is stored and can be shown on request.")
        if _has_full_number(participant) else None
    )
    body = json.dumps(payload, ensure_ascii=False, indent=2)
    record(AuditAction.export, object_type="participant", object_id=participant.id,
           participant_id=participant.id, detail="subject access export json")
    db.session.commit()
    response = make_response(body)
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_filename(participant_id, "json")}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/participants/<int:participant_id>/subject-export.pdf")
@roles_required(Role.manager)
def export_pdf(participant_id: int):
    """The same data as a printable PDF."""
    participant = get_participant_or_404(participant_id)
    data = subject_data.collect(participant, for_participant=False)
    html = render_template("gdpr/pdf/subject.html", data=data,
                           has_full_number=_has_full_number(participant))
    pdf = render_pdf(html, request.url_root)
    record(AuditAction.export, object_type="participant", object_id=participant.id,
           participant_id=participant.id, detail="subject access export pdf")
    db.session.commit()
    return pdf_download(pdf, _filename(participant_id, "pdf"))


@bp.route("/participants/<int:participant_id>/anonymize", methods=["GET", "POST"])
@roles_required(Role.manager)
def anonymize(participant_id: int):
    """Confirm, then remove what identifies the participant (cannot be undone)."""
    participant = get_participant_or_404(participant_id)
    if participant.anonymized_at is not None:
        if request.method == "POST":
            abort(409)
        return render_template("gdpr/anonymize.html", participant=participant, form=None,
                               confirm_word=CONFIRM_WORD)
    form = AnonymiseForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            if form.confirms(participant.last_name):
                services.anonymize_participant(
                    participant, by=current_user._get_current_object(),
                    reason=form.reason.data.strip(), now=datetime.now(UTC))
                db.session.commit()
                flash(_("The participant has been anonymised."), "success")
                return redirect(url_for("participants.show", participant_id=participant_id),
                                code=303)
            form.confirm.errors = [
                _("Type %(word)s or the participant's last name exactly.", word=CONFIRM_WORD)
            ]
    else:
        record(AuditAction.view, object_type="participant", object_id=participant.id,
               participant_id=participant.id, detail="anonymise form")
    html = render_template("gdpr/anonymize.html", participant=participant, form=form,
                           confirm_word=CONFIRM_WORD)
    db.session.commit()
    return html, status
