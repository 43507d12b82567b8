import sqlalchemy as sa
from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from journey.auth import services
from journey.auth.access import roles_required
from journey.auth.forms import UserEditForm
from journey.auth.models import User
from journey.enums import Role
from journey.extensions import db
from journey.i18n import gettext as _
from journey.web.htmx_helpers import render_partial_or_page, wants_partial

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


def _get_user_or_404(user_id: int) -> User:
    """A user of the admin's own organisation; any other id is 404."""
    user = db.session.scalars(
        sa.select(User).where(
            User.id == user_id, User.organization_id == current_user.organization_id
        )
    ).first()
    if user is None:
        abort(404)
    return user


def _role_choices(form: UserEditForm, user: User) -> None:
    # Portal accounts stay portal accounts and staff stay staff (see services.update_user).
    if user.role == Role.participant:
        form.role.choices = [c for c in form.role.choices if c.value == Role.participant.value]
    else:
        form.role.choices = [c for c in form.role.choices if c.value != Role.participant.value]


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.admin)
def edit_user(user_id: int):
    """Change a user's name, role or active flag; takes effect on their next request."""
    user = _get_user_or_404(user_id)
    form = UserEditForm(obj=user)
    _role_choices(form, user)
    if form.validate_on_submit():
        try:
            services.update_user(user, actor=current_user._get_current_object(),
                                 name=form.name.data, role=form.role.data,
                                 is_active=form.is_active.data)
        except services.AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field or "name").errors.extend(exc.messages)
        else:
            db.session.commit()
            flash(_("The changes to %(name)s are saved.", name=user.name), "success")
            target = url_for("admin.users")
            if wants_partial():
                # The saved user belongs in the list, which is another page.
                response = make_response("", 204)
                response.headers["HX-Redirect"] = target
                return response
            return redirect(target)
    status = 422 if form.errors else 200
    html = render_partial_or_page("admin/user_edit.html", "admin/_user_form.html",
                                  form=form, user=user)
    return html, status
