"""Flask-Login wiring: the session carries ``<user id>:<session token>``."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from journey.extensions import db, login_manager


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    # Flask-Login's "session protection" would log users out on IP changes
    # behind proxies; the rotating token below is what invalidates sessions.
    login_manager.session_protection = None

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
