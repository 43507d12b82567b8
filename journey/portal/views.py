import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from journey.audit.services import record
from journey.auth.access import roles_required
from journey.cohorts.models import Cohort
from journey.enums import AuditAction, Role
from journey.extensions import db
from journey.participants.models import Enrollment, Participant

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.route("/")
@roles_required(Role.participant)
def plan():
    """The participant's own plan: journey steps and plan items."""
    participant = db.session.scalars(
        sa.select(Participant)
        .where(Participant.portal_user_id == current_user.id)
        .options(
            selectinload(Participant.enrollments).options(
                joinedload(Enrollment.cohort).joinedload(Cohort.program),
                selectinload(Enrollment.steps),
                selectinload(Enrollment.plan_items),
            )
        )
    ).first()
    html = render_template("portal/plan.html", participant=participant)
    if participant is not None:
        record(AuditAction.view, object_type="participant", object_id=participant.id,
               participant_id=participant.id, detail="portal")
        db.session.commit()
    return html
