from itertools import groupby

from flask import Blueprint, render_template
from flask_login import current_user

from journey.auth.access import roles_required
from journey.enums import Role
from journey.programs.queries import cohort_summaries

bp = Blueprint("programs", __name__)


@bp.route("/programs")
@roles_required(Role.manager)
def overview():
    """The manager's start page: every programme and cohort of the organisation."""
    rows = cohort_summaries(current_user.organization_id)
    programs = [(name, list(items)) for name, items in groupby(rows, key=lambda r: r.program_name)]
    return render_template("manager/overview.html", programs=programs)
