from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from journey.auth import services, throttle
from journey.auth.forms import LocaleForm, LoginForm, PasswordChangeForm
from journey.enums import Locale
from journey.extensions import db
from journey.i18n import gettext as _
from journey.i18n import ngettext

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data
        throttled = throttle.check_and_count(email)
        if throttled:
            # Same answer whether or not the account exists; the password is not checked.
            services.record_throttled_login(email)
            db.session.commit()
            flash(ngettext(
                "Too many login attempts. Wait %(num)d minute and try again.",
                "Too many login attempts. Wait %(num)d minutes and try again.",
                throttled.wait_minutes), "error")
            response = make_response(render_template("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(throttled.wait_seconds)
            return response
        user = services.authenticate(email, form.password.data)
        if user is None:
            throttle.count_failure(email)
            db.session.commit()  # keep the login_failed audit event
            flash(_("Wrong email or password."), "error")
            return render_template("auth/login.html", form=form), 200
        throttle.clear_failures(email)
        # A fresh session: nothing from before login survives (fixation). login_user
        # starts the idle and absolute clocks (journey/auth/session.py).
        session.clear()
        login_user(user)
        session.permanent = True
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")) or url_for("web.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out and invalidate every copy of the session cookie."""
    from journey.audit.services import record
    from journey.enums import AuditAction

    user = current_user._get_current_object()
    services.log_out_everywhere(user)
    record(AuditAction.logout, object_type="user", object_id=user.id, user=user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; other sessions are logged out."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current.data, form.new.data)
        except services.AccountError as exc:
            getattr(form, exc.field or "new").errors.extend(exc.messages)
        else:
            db.session.commit()
            # The token changed: re-issue this browser's session with the new one.
            session.clear()
            login_user(user)
            session.permanent = True
            flash(_("Your password has been changed. Other sessions are logged out."), "success")
            return redirect(url_for("web.home"))
    return render_template("auth/password.html", form=form)


@bp.route("/locale", methods=["POST"])
def set_locale():
    """Switch the interface language (remembered on the user)."""
    form = LocaleForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            current_user.locale = Locale(form.locale.data)
            db.session.commit()
        else:
            session["locale"] = form.locale.data
    return redirect(_safe_next(request.form.get("next")) or url_for("web.home"))
