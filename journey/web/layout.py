"""What the page layout needs on every request, looked up once per app.

The layout links ten stylesheets, two scripts and the menu's pages: a ``url_for`` each
(a route build), about a fifth of the layout's 0.8 ms on every page. Their URLs
are the same on every request that shares a script root (the path prefix a proxy may
set), so they are remembered per app and script root.
"""

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from journey.i18n import lazy_gettext as _l

_CACHE = "journey_layout_urls"

# The menu: (endpoint, label, roles); an entry whose endpoint the app lacks is left out.
_MENU = (
    ("caseload.caseload", _l("My caseload"), ("coach",)),
    ("participants.index", _l("Participants"), ("coach", "manager")),
    ("activities.group_sessions", _l("Group sessions"), ("coach", "manager")),
    ("programs.overview", _l("Programmes and cohorts"), ("manager", "admin")),
    ("program_reports.overview", _l("Reports"), ("manager",)),
    ("admin.users", _l("Users"), ("admin",)),
    ("audit.index", _l("Audit trail"), ("admin",)),
    ("portal.plan", _l("My plan"), ("participant",)),
    ("portal_data.index", _l("My data"), ("participant",)),
)
# Blueprint names or full endpoint names whose pages belong under a menu entry.
_SECTION_OF = {
    "caseload.caseload": ("caseload.attention", "journeys", "outcomes", "activities.edit",
                          "activities.delete", "activities.row", "activities.earlier"),
    "programs.overview": ("programs", "cohorts"),
    "program_reports.overview": ("program_reports", "report_pages", "report_exports",
                                 "reports"),
    "activities.group_sessions": ("activities.new_group_session", "activities.group_session"),
    "audit.index": ("audit",),
    "admin.users": ("admin",),
    "portal.plan": ("portal",),
    "participants.index": ("participants", "portal_invites"),
    "portal_data.index": ("portal_data",),
}


def static_url(filename: str) -> str:
    """``url_for("static", filename=filename)``, remembered."""
    return _remembered(("static", filename))


def page_url(endpoint: str) -> str:
    """``url_for(endpoint)`` of a page that takes no arguments, remembered."""
    return _remembered((endpoint, None))


def _remembered(key: tuple[str, str | None]) -> str:
    urls = current_app.extensions[_CACHE]
    full_key = (request.script_root, *key)
    url = urls.get(full_key)
    if url is None:
        endpoint, filename = key
        url = url_for(endpoint, filename=filename) if filename else url_for(endpoint)
        urls[full_key] = url
    return url


def menu() -> list[tuple[str, str, bool]]:
    """The signed-in user's menu: (URL, label, whether the current page is under it)."""
    endpoint = request.endpoint or ""
    blueprint = endpoint.split(".")[0]
    role = current_user.role
    entries = []
    for ep, text, roles in _MENU:
        if role not in roles or ep not in current_app.view_functions:
            continue
        section = _SECTION_OF.get(ep, ())
        current = endpoint == ep or endpoint in section or blueprint in section
        entries.append((page_url(ep), str(text), current))
    return entries


def init_app(app: Flask) -> None:
    app.extensions[_CACHE] = {}
    app.jinja_env.globals.update(static_url=static_url, page_url=page_url, menu=menu)
