from flask import Blueprint, render_template
from flask_login import current_user

from journey.auth.access import roles_required
from journey.caseload.queries import caseload as caseload_query
from journey.enums import Role

bp = Blueprint("caseload", __name__)


@bp.route("/caseload")
@roles_required(Role.coach)
def caseload():
    """The coach's active enrollments."""
    rows = caseload_query(current_user.id)
    return render_template("caseload/caseload.html", rows=rows)
