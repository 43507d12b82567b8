"""Flask-Login wiring: the session carries ``<user id>:<session token>``.

Sessions also end on time: after ``IDLE_TIMEOUT`` without a request and
``ABSOLUTE_TIMEOUT`` after login whatever the activity. Both instants live in
the signed session cookie, so a copied cookie expires with the original. The
cookie is sent again only when the session changes (``SESSION_REFRESH_EACH_REQUEST``
is off; the absolute limit ends a session anyway), and the last-seen instant
changes at most once a minute.
"""

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user, user_logged_in

from journey.extensions import db, htmx, login_manager
from journey.i18n import gettext as _
from journey.i18n import lazy_gettext as _l

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
# The last-seen instant is written back at most this often (seconds). Writing it on
# every request re-signed and re-sent the session cookie each time (0.2 ms of a
# 2 ms page). A session can so end up to this much *before* the idle limit after
# its last request, never after it.
SEEN_AT_RESOLUTION = 60


def stamp_login(sender=None, user=None, **_extra) -> None:
    """Start both session clocks; runs on every ``login_user`` (login form, portal invite)."""
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def _expired_reason(now: int) -> str | None:
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT, login_at)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        # A logged-in session without clocks was not issued by this code: end it.
        return "no session clock"
    if now - login_at > current_app.config["ABSOLUTE_TIMEOUT"].total_seconds():
        return "absolute timeout"
    if now - seen_at > current_app.config["IDLE_TIMEOUT"].total_seconds():
        return "idle timeout"
    return None


def _expiry_message(reason: str) -> str:
    if reason == "idle timeout":
        minutes = int(current_app.config["IDLE_TIMEOUT"].total_seconds() // 60)
        return _("You have been logged out because you were inactive for %(n)d minutes.",
                 n=minutes)
    if reason == "absolute timeout":
        hours = int(current_app.config["ABSOLUTE_TIMEOUT"].total_seconds() // 3600)
        return _("You have been logged out after %(n)d hours. Please log in again.", n=hours)
    return str(login_manager.login_message)


def enforce_session_timeouts():
    """Log out sessions past the idle or absolute limit; otherwise note the activity."""
    if request.endpoint == "static" or "_user_id" not in session:
        return None
    now = int(time.time())
    reason = _expired_reason(now)
    if reason is None:
        if now - session.get(SEEN_AT, 0) >= SEEN_AT_RESOLUTION:
            session[SEEN_AT] = now
        return None

    # In the user's language, so before the logout below.
    message = _expiry_message(reason)
    if current_user.is_authenticated:
        from journey.auth.services import record_session_expired

        record_session_expired(current_user._get_current_object(), reason)
        db.session.commit()
    logout_user()
    session.clear()
    flash(message, "info")
    come_back = request.method == "GET" and not htmx and request.endpoint != "auth.login"
    login_url = url_for("auth.login", next=request.full_path.rstrip("?") if come_back else None)
    if htmx:
        # A swap would put the login page inside the current page: load it instead.
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = login_url
        return response
    return redirect(login_url)


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    # Flask-Login's "session protection" would log users out on IP changes
    # behind proxies; the rotating token below is what invalidates sessions.
    login_manager.session_protection = None
    user_logged_in.connect(stamp_login, app)
    app.before_request(enforce_session_timeouts)

    @login_manager.user_loader
    def load_user(session_id: str):
        from journey.auth.models import User

        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.is_active or user.session_token != token:
            return None
        return user
