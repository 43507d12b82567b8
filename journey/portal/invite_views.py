"""Portal access: invites created by the coach, accepted by the participant."""

import segno
from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from markupsafe import Markup

from journey.audit.services import record
from journey.auth.access import CASEWORK_ROLES, get_participant_or_404, roles_required
from journey.enums import AuditAction
from journey.extensions import db
from journey.i18n import gettext as _
from journey.journeys.services import InvalidChange
from journey.portal import invites
from journey.portal.invite_forms import InviteForm, LetterForm, SetPasswordForm
from journey.reports.pdf import pdf_download, render_pdf

bp = Blueprint("portal_invites", __name__)

SESSION_KEY = "portal_invite_token"


def _no_store(html, status=200):
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _qr_svg(link: str) -> Markup:
    # Vector QR code, drawn with attributes only (no inline styles), so it is
    # allowed by the page's CSP and prints sharply in the PDF.
    svg = segno.make(link, error="m").svg_inline(scale=1, omitsize=True, border=2)
    # segno writes only numbers and path data; the link is our own URL-safe token.
    return Markup(svg)  # noqa: S704  # nosec B704


def _attach_errors(form, errors: dict) -> None:
    for name, message in errors.items():
        messages = message if isinstance(message, list) else [message]
        getattr(form, name).errors = [str(m) for m in messages]


def _access_page(participant, form, status=200):
    html = render_template("portal/access.html", participant=participant,
                           status=invites.access_status(participant), form=form)
    record(AuditAction.view, object_type="participant", object_id=participant.id,
           participant_id=participant.id, detail="portal access")
    db.session.commit()
    return _no_store(html, status)


@bp.route("/participants/<int:participant_id>/portal")
@roles_required(*CASEWORK_ROLES)
def access(participant_id: int):
    """The participant's portal access: status, invite, revoke."""
    participant = get_participant_or_404(participant_id)
    user = participant.portal_user
    form = InviteForm(formdata=None, email=user.email if user else participant.email)
    return _access_page(participant, form)


@bp.route("/participants/<int:participant_id>/portal/invite", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def invite(participant_id: int):
    """Create a one-time link; it is shown once, with a QR code and a printable letter."""
    participant = get_participant_or_404(participant_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            issued = invites.create_invite(participant, email=form.email.data,
                                           created_by=current_user)
        except InvalidChange as exc:
            _attach_errors(form, exc.errors)
        else:
            link = url_for("portal_invites.open_invite", token=issued.token, _external=True)
            html = render_template(
                "portal/invite_created.html", participant=participant, link=link,
                invite=issued.invite, qr=_qr_svg(link),
                letter_form=LetterForm(formdata=None, token=issued.token))
            db.session.commit()
            return _no_store(html)
    return _access_page(participant, form, 422)


@bp.route("/participants/<int:participant_id>/portal/letter", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def letter(participant_id: int):
    """The printable invite letter (PDF) for a live invite whose token the coach holds."""
    participant = get_participant_or_404(participant_id)
    form = LetterForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        invite_row = invites.find_usable_invite(form.token.data)
    except invites.InviteUnusable:
        invite_row = None
    if invite_row is None or invite_row.participant_id != participant.id:
        flash(_("That invitation is no longer valid. Create a new one."), "error")
        return redirect(url_for("portal_invites.access", participant_id=participant.id))
    link = url_for("portal_invites.open_invite", token=form.token.data, _external=True)
    html = render_template(
        "portal/pdf/letter.html", participant=participant, invite=invite_row, link=link,
        qr=_qr_svg(link), coach=current_user,
        login_url=url_for("auth.login", _external=True))
    pdf = render_pdf(html, base_url=url_for("web.home", _external=True))
    record(AuditAction.export, object_type="portal_invite", object_id=invite_row.id,
           participant_id=participant.id, detail="invite letter")
    db.session.commit()
    return pdf_download(pdf, "inbjudan-journey.pdf")


@bp.route("/participants/<int:participant_id>/portal/revoke", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def revoke(participant_id: int):
    """Close the participant's portal access at once."""
    participant = get_participant_or_404(participant_id)
    if not FlaskForm().validate_on_submit():  # only the CSRF token is checked
        abort(400)
    if invites.revoke_access(participant, by=current_user):
        db.session.commit()
        flash(_("Portal access has been revoked. The participant can no longer log in."),
              "success")
    return redirect(url_for("portal_invites.access", participant_id=participant.id))


@bp.route("/portal/invite/<token>")
def open_invite(token: str):
    """The link from the letter: keep the token in the session, then drop it from the URL."""
    session[SESSION_KEY] = token[:200]
    return redirect(url_for("portal_invites.welcome"))


@bp.route("/portal/welcome", methods=["GET", "POST"])
def welcome():
    """First visit: the participant chooses a password and is logged in."""
    try:
        invite_row = invites.find_usable_invite(session.get(SESSION_KEY, ""))
    except invites.InviteUnusable:
        return _no_store(render_template("portal/invite_unusable.html"), 410)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = invites.accept_invite(invite_row, password=form.password.data)
        except InvalidChange as exc:
            _attach_errors(form, exc.errors)
        except invites.InviteUnusable:
            db.session.rollback()
            return _no_store(render_template("portal/invite_unusable.html"), 410)
        else:
            record(AuditAction.login, object_type="user", object_id=user.id, user=user,
                   detail="first login from invite")
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            session.clear()  # a fresh session for the new account (fixation)
            login_user(user)
            session.permanent = True
            flash(_("Welcome! Your password is saved. Here is your plan."), "success")
            return redirect(url_for("portal.plan"))
    status = 422 if form.errors else 200
    return _no_store(render_template("portal/welcome.html", form=form,
                                     user=invite_row.user, invite=invite_row), status)
