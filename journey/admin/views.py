import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user

from journey.auth.access import roles_required
from journey.auth.models import User
from journey.enums import Role
from journey.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@roles_required(Role.admin)
def users():
    """Users of the admin's organisation."""
    rows = db.session.scalars(
        sa.select(User)
        .where(User.organization_id == current_user.organization_id)
        .order_by(User.role, User.name)
    ).all()
    return render_template("admin/users.html", users=rows)
