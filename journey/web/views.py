from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required

from journey.enums import Role

bp = Blueprint("web", __name__)

START_PAGES = {
    Role.coach: "caseload.caseload",
    Role.manager: "programs.overview",
    Role.admin: "admin.users",
    Role.participant: "portal.plan",
}


@bp.route("/")
@login_required
def home():
    """Send each role to its own start page."""
    return redirect(url_for(START_PAGES[current_user.role]))


@bp.route("/healthz")
def healthz():
    """Liveness probe for load balancers (no database access)."""
    return {"status": "ok"}
