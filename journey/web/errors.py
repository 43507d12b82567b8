"""Error pages; htmx requests get a small fragment the page can show."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from journey.extensions import db
from journey.i18n import gettext as _
from journey.web.htmx_helpers import wants_partial


def _render(code: int, title: str, message: str):
    template = "errors/_error.html" if wants_partial() else "errors/error.html"
    return render_template(template, code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(404)
    def not_found(_e):
        return _render(
            404, _("Page not found"), _("The page does not exist or you lack access to it.")
        )

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return _render(
            400,
            _("The form has expired"),
            _("Reload the page and try again. Nothing was saved."),
        )

    @app.errorhandler(400)
    def bad_request(_e):
        return _render(400, _("Bad request"), _("The request could not be understood."))

    @app.errorhandler(405)
    def not_allowed(_e):
        return _render(405, _("Not allowed"), _("That action is not possible here."))

    @app.errorhandler(500)
    def server_error(_e):
        db.session.rollback()
        return _render(
            500,
            _("Something went wrong"),
            _("The error has been logged. Nothing was saved; please try again."),
        )
