"""Security headers on every response.

The policy is strict on purpose: scripts, styles, fonts and images come only
from the app itself (``static/``), no inline script, no inline style, no eval.
htmx runs with ``allowEval`` off (see the htmx-config meta in base.html) and the
little behaviour the pages need lives in ``static/js/app.js``.
"""

from flask import Flask, request, session

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
))

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Page URLs carry record ids and search terms (names): other sites get no
    # referrer at all, not even the origin; links inside the app keep theirs.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

HSTS = "max-age=31536000; includeSubDomains"

# Flask-Login keeps the logged-in user's id under this session key. Reading it
# (rather than current_user) never costs a query.
_SESSION_USER_KEY = "_user_id"


def _is_static() -> bool:
    return request.endpoint == "static" or (request.blueprint is not None
                                            and (request.endpoint or "").endswith(".static"))


def _may_carry_personal_data(response) -> bool:
    """Responses to a logged-in user, and every HTML page, must not be stored by caches."""
    return _SESSION_USER_KEY in session or response.mimetype == "text/html"


def init_app(app: Flask) -> None:
    production = app.config.get("ENV_NAME") == "production"

    @app.after_request
    def _security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if production:
            # Browsers ignore it over plain HTTP; behind the TLS proxy it pins HTTPS.
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if not _is_static() and _may_carry_personal_data(response):
            # no-store is the strictest directive: a view that already asked for
            # it (e.g. "private, no-store" on a PDF) keeps its own header.
            if not response.cache_control.no_store:
                response.headers["Cache-Control"] = "no-store"
        return response
