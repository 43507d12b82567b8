from flask import Blueprint, render_template
from flask_login import current_user

from journey.auth.access import roles_required
from journey.enums import Role
from journey.participants.queries import caseload as caseload_query

bp = Blueprint("participants", __name__)


@bp.route("/caseload")
@roles_required(Role.coach)
def caseload():
    """The coach's active enrollments."""
    rows = caseload_query(current_user.id)
    return render_template("caseload/caseload.html", rows=rows)
