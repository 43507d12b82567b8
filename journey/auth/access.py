"""Load-then-authorize helpers: objects outside the caller's scope are 404.

Every view that takes an id goes through one of these, so a coach sees only
their caseload, a participant only their own record and a manager only their
organisation. A 404 (not 403) keeps ids from being probed.
"""

import functools
from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user, login_required
from sqlalchemy.orm import aliased

from journey.cohorts.models import Cohort
from journey.enums import Role
from journey.extensions import db
from journey.participants.models import Enrollment, Participant
from journey.programs.models import Program

# Roles that may read participants' records at all. Admins manage users and
# programmes and see no participant data.
CASEWORK_ROLES = (Role.coach, Role.manager)


def roles_required(*roles: Role):
    """Allow only the given roles; others get 404 so the route stays hidden."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def participant_scope(user) -> sa.ColumnElement[bool]:
    """SQL condition limiting ``Participant`` rows to what ``user`` may see."""
    if user.role == Role.manager:
        return Participant.organization_id == user.organization_id
    if user.role == Role.coach:
        # Their caseload, plus their own intakes that are not enrolled anywhere yet,
        # as a set of ids found from the coach's side (the enrollment and creator
        # indexes); the organisation is checked inside it, so the database starts
        # from those few hundred ids rather than testing every participant of the
        # organisation (140-460 ms a list page at 100 000 participants).
        member = aliased(Participant)
        caseload = (
            sa.select(Enrollment.participant_id)
            .join(member, member.id == Enrollment.participant_id)
            .where(Enrollment.coach_id == user.id,
                   member.organization_id == user.organization_id)
        )
        own_intakes = sa.select(member.id).where(
            member.created_by_id == user.id,
            member.organization_id == user.organization_id,
            ~sa.select(Enrollment.id).where(Enrollment.participant_id == member.id).exists(),
        )
        return Participant.id.in_(sa.union(caseload, own_intakes))
    if user.role == Role.participant:
        return Participant.portal_user_id == user.id
    return sa.false()


def get_enrollment_or_404(enrollment_id: int, *options) -> Enrollment:
    """The enrollment if the current user may see it, with the loader ``options``.

    Pass options built once (a module-level tuple): the statement is built once per
    role and set of options and reused, its values bound; building it and its cache
    key on each call was half the cost of loading the enrollment.
    """
    user = current_user
    stmt = _enrollment_statement(user.role, options)
    # What the role's scope compares with: the coach's or participant's own user id,
    # the manager's organisation.
    scope_id = (user.id if user.role in (Role.coach, Role.participant)
                else user.organization_id)
    enrollment = db.session.scalars(
        stmt, {"enrollment_id": enrollment_id, "scope_id": scope_id}).first()
    if enrollment is None:
        abort(404)
    return enrollment


@functools.lru_cache(maxsize=32)
def _enrollment_statement(role: Role, options: tuple) -> sa.Select:
    """The enrollments ``role`` may see: a coach their caseload, a manager their
    organisation's, a participant their own; other roles none."""
    scope_id = sa.bindparam("scope_id", type_=sa.Integer)
    if role == Role.coach:
        scope = Enrollment.coach_id == scope_id
    elif role == Role.manager:
        scope = Participant.organization_id == scope_id
    elif role == Role.participant:
        scope = Participant.portal_user_id == scope_id
    else:
        scope = sa.false()
    stmt = (
        sa.select(Enrollment)
        .join(Enrollment.participant)
        .where(Enrollment.id == sa.bindparam("enrollment_id", type_=sa.Integer), scope)
    )
    return stmt.options(*options) if options else stmt


def get_participant_or_404(participant_id: int) -> Participant:
    stmt = sa.select(Participant).where(
        Participant.id == participant_id, participant_scope(current_user)
    )
    participant = db.session.scalars(stmt).first()
    if participant is None:
        abort(404)
    return participant


def get_program_or_404(program_id: int) -> Program:
    program = db.session.get(Program, program_id)
    if program is None or program.organization_id != current_user.organization_id:
        abort(404)
    return program


def get_cohort_or_404(cohort_id: int) -> Cohort:
    stmt = (
        sa.select(Cohort)
        .join(Cohort.program)
        .where(Cohort.id == cohort_id, Program.organization_id == current_user.organization_id)
    )
    cohort = db.session.scalars(stmt).first()
    if cohort is None:
        abort(404)
    return cohort
