"""Participants: list and search, intake, the participant page, edit and enrollment.

ID numbers never travel in a URL. Name searches use GET (``/participants?q=``,
bookmarkable, live via htmx), but a search text containing a digit is treated
as an ID number: the search form posts it to ``/participants/search`` (CSRF
protected, body only, so it stays out of URLs, browser history and access
logs), the live htmx GET is not fired for it (a trigger filter in the
template), and a GET that carries digits anyway is not searched. Results show
the number masked.
"""

import functools
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from journey.audit.services import record
from journey.auth.access import (
    CASEWORK_ROLES,
    get_cohort_or_404,
    get_enrollment_or_404,
    get_participant_or_404,
    participant_scope,
    roles_required,
)
from journey.auth.models import User
from journey.cohorts.models import Cohort
from journey.enums import (
    AuditAction,
    BirthRegion,
    EducationLevel,
    EnrollmentStatus,
    Gender,
    IdKind,
    IncomeSource,
    LabourStatus,
    Role,
    SwedishLevel,
    label,
)
from journey.extensions import db
from journey.i18n import gettext as _
from journey.participants import personnummer, queries, services
from journey.participants.forms import EnrollForm, EnrollmentEditForm, ParticipantForm
from journey.participants.models import Enrollment, Participant
from journey.web.filters import fmt_date
from journey.web.htmx_helpers import render_partial_or_page, wants_partial

bp = Blueprint("participants", __name__)

PAGE = "participants/index.html"
RESULTS = "participants/_results.html"
MAX_QUERY_LENGTH = 100


def _per_page() -> int:
    return current_app.config.get("PAGE_SIZE", 50)


def _empty_page() -> queries.ParticipantPage:
    return queries.ParticipantPage(rows=[], total=0, page=1, per_page=_per_page())


def _user() -> User:
    return current_user._get_current_object()


# -- list and search -----------------------------------------------------------------


@bp.route("/participants")
@roles_required(*CASEWORK_ROLES)
def index():
    """The participants the caller may see, filtered by name and paged."""
    q = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
    if personnummer.looks_like_number(q):
        # Digits put in the address by hand: not searched, and off the address bar
        # (and so out of the page's own links) at once.
        flash(_("To search by ID number, write the whole number in the search box and "
                "press Search."), "info")
        return redirect(url_for(".index"), code=303)
    result = queries.list_participants(
        _user(), name=q, page=request.args.get("page", 1, type=int), per_page=_per_page()
    )
    html = render_partial_or_page(PAGE, RESULTS, result=result, q=q)
    _record_list_view(result, searched=bool(q))
    return html


def _record_list_view(result, *, searched: bool) -> None:
    """The list shows names and masked numbers: one audit event per page shown."""
    record(AuditAction.view, object_type="participant_list",
           detail=f"page {result.page}, {len(result.rows)} rows" + (", name search" if searched
                                                                     else ""))
    db.session.commit()


@bp.route("/participants/search", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def search():
    """The search form: an ID number is matched exactly, a name goes to the list."""
    q = request.form.get("q", "").strip()[:MAX_QUERY_LENGTH]
    if not personnummer.looks_like_number(q):
        if wants_partial():
            result = queries.list_participants(_user(), name=q, per_page=_per_page())
            html = render_template(RESULTS, result=result, q=q)
            _record_list_view(result, searched=bool(q))
            return html
        # Names are fine in the address: back to the bookmarkable list (303: as GET).
        return redirect(url_for(".index", q=q or None), code=303)
    try:
        number = personnummer.parse(q)
    except personnummer.PersonnummerError as exc:
        return render_partial_or_page(PAGE, RESULTS, result=_empty_page(), q="",
                                      id_error=exc.message)
    result = queries.list_participants(_user(), national_id=number.digits12,
                                       per_page=_per_page())
    # Looking a person up by number is itself worth a trail (the number stays out of it).
    record(
        AuditAction.view,
        object_type="participant_search",
        participant_id=result.rows[0].id if result.total == 1 else None,
        detail=f"search by ID number: {result.total} match(es)",
    )
    html = render_partial_or_page(PAGE, RESULTS, result=result, q="", id_search=number.masked)
    db.session.commit()
    return html


# -- intake --------------------------------------------------------------------------


def _in_scope(participant: Participant) -> bool:
    found = db.session.scalar(
        sa.select(Participant.id).where(
            Participant.id == participant.id, participant_scope(current_user)
        )
    )
    return found is not None


def _duplicate_notice(error: services.DuplicateParticipantError) -> dict:
    """What to tell about an existing record without showing what the caller may not see."""
    existing = error.existing
    if _in_scope(existing):
        return {"url": url_for(".show", participant_id=existing.id),
                "by_national_id": error.by_national_id}
    if existing.protected_identity:
        # Naming the coach would point at a person with protected identity: the
        # caller is sent to a manager instead, who may see the record.
        return {"contact": None, "by_national_id": error.by_national_id}
    return {"contact": queries.contact_for(existing), "by_national_id": error.by_national_id}


@bp.route("/participants/new", methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def new():
    """The intake (profile analysis): register a new participant."""
    form = ParticipantForm()
    if form.validate_on_submit():
        try:
            participant = services.create_participant(
                current_user.organization, form.profile_data(), created_by=_user()
            )
        except services.DuplicateParticipantError as exc:
            return render_template("participants/new.html", form=form,
                                   duplicate=_duplicate_notice(exc)), 409
        except services.ParticipantError as exc:
            _attach_errors(form, exc.errors)
            return render_template("participants/new.html", form=form), 422
        db.session.commit()
        flash(_("%(name)s is registered. Next step: enroll them in a cohort.",
                name=participant.full_name), "success")
        return redirect(url_for(".show", participant_id=participant.id))
    status = 422 if request.method == "POST" else 200
    return render_template("participants/new.html", form=form), status


# -- the participant page and the edit form ------------------------------------------


@bp.route("/participants/<int:participant_id>")
@roles_required(*CASEWORK_ROLES)
def show(participant_id: int):
    """A participant's profile and enrollments."""
    participant = get_participant_or_404(participant_id)
    enrollments = queries.participant_enrollments(participant.id, _user())
    record(AuditAction.view, object_type="participant", object_id=participant.id,
           participant_id=participant.id)
    # Render before committing: the commit would expire what the template reads.
    from journey.portal.invites import access_status

    html = render_template("participants/show.html", participant=participant,
                           enrollments=enrollments, portal=access_status(participant))
    db.session.commit()
    return html


def _no_store(html: str, status: int = 200):
    """Pages with the full ID number are kept out of browser and proxy caches."""
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _formatted_id(digits12: str | None) -> str:
    return f"{digits12[:8]}-{digits12[8:]}" if digits12 else ""


PROFILE_ENUMS = {
    "id_kind": IdKind, "gender": Gender, "birth_region": BirthRegion,
    "education_level": EducationLevel, "swedish_level": SwedishLevel,
}


def _display(name: str, value) -> str:
    """A profile value as shown on the conflict page."""
    if name in PROFILE_ENUMS:
        return label(PROFILE_ENUMS[name], value) if value else "–"
    if name == "national_id":
        # In full: this page is the edit form, answered with both versions.
        if not value:
            return "–"
        try:
            return _formatted_id(personnummer.parse(value).digits12)
        except personnummer.PersonnummerError:
            return str(value)
    if name == "protected_identity":
        return _("Yes") if value else _("No")
    if name == "birth_date":
        return fmt_date(value) if value else "–"
    if value is None or value == "":
        return "–"
    return str(value)


@dataclass(frozen=True)
class ConflictRow:
    label: str
    theirs: str
    yours: str

    @property
    def differs(self) -> bool:
        return self.theirs != self.yours


def _participant_conflict(participant: Participant, form: ParticipantForm):
    """409: what is stored now next to what the user sent, and the form to apply theirs."""
    rows = [
        ConflictRow(str(getattr(form, name).label.text),
                    _display(name, getattr(participant, name)),
                    _display(name, getattr(form, name).data))
        for name in services.PROFILE_FIELDS
    ]
    # Saving the form again now applies these values on top of the latest version.
    form.version.data = str(participant.version)
    record(AuditAction.view, object_type="participant", object_id=participant.id,
           participant_id=participant.id, detail="edit conflict")
    html = render_template("participants/conflict.html", participant=participant, form=form,
                           rows=rows)
    db.session.commit()
    return _no_store(html, 409)


@bp.route("/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def edit(participant_id: int):
    """Edit the profile; a save based on an outdated version is refused (409)."""
    participant = get_participant_or_404(participant_id)
    if participant.anonymized_at is not None:
        # Nothing left to edit, and nothing should be written back into the record.
        flash(_("This record has been anonymised and can no longer be changed."), "info")
        return redirect(url_for(".show", participant_id=participant.id), code=303)
    if request.method == "GET":
        form = ParticipantForm(obj=participant)
        # The one place the full number is shown: the record's own edit form.
        form.national_id.data = _formatted_id(participant.national_id)
        form.version.data = str(participant.version)
        record(AuditAction.view, object_type="participant", object_id=participant.id,
               participant_id=participant.id, detail="edit form")
        html = render_template("participants/edit.html", participant=participant, form=form)
        db.session.commit()
        return _no_store(html)
    form = ParticipantForm()
    valid = form.validate_on_submit()
    if form.submitted_version != participant.version:
        return _participant_conflict(participant, form)
    if valid:
        try:
            changed = services.update_participant(
                participant, form.profile_data(), expected_version=form.submitted_version
            )
        except services.VersionConflict:
            db.session.rollback()
            return _participant_conflict(get_participant_or_404(participant_id), form)
        except services.DuplicateParticipantError as exc:
            return _no_store(render_template("participants/edit.html", participant=participant,
                                             form=form, duplicate=_duplicate_notice(exc)), 409)
        except services.ParticipantError as exc:
            _attach_errors(form, exc.errors)
            return _no_store(render_template("participants/edit.html", participant=participant,
                                             form=form), 422)
        db.session.commit()
        flash(_("The changes are saved.") if changed else _("There were no changes to save."),
              "success" if changed else "info")
        return redirect(url_for(".show", participant_id=participant_id))
    return _no_store(render_template("participants/edit.html", participant=participant,
                                     form=form), 422)


# -- enrollment ----------------------------------------------------------------------


def _attach_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        field = getattr(form, name)
        field.errors = [*field.errors, message]


def _coach_options(include_id: int | None = None) -> list:
    options = [SelectChoice(cid, name) for cid, name in
               queries.coach_choices(current_user.organization_id, include_id=include_id)]
    if current_user.role == Role.manager:
        # Managers may leave the coach open; a coach always names one.
        options.insert(0, SelectChoice(0, _("No coach yet")))
    return options


def _cohort_options(cohorts: list[queries.CohortChoice]) -> list:
    options = []
    for c in cohorts:
        period = fmt_date(c.starts_on) + (f" – {fmt_date(c.ends_on)}" if c.ends_on else "")
        options.append(SelectChoice(c.id, f"{c.name} ({period})", optgroup=c.program_name))
    return options


def _after_enrollment_change(enrollment: Enrollment, message: str):
    """To the enrollment page, or, when the caller handed it over, back to their list."""
    if current_user.role == Role.manager or enrollment.coach_id == current_user.id:
        flash(message, "success")
        return redirect(url_for("journeys.enrollment", enrollment_id=enrollment.id))
    flash(message + " " + _("%(coach)s is now the coach, so the participant is no longer "
                            "on your list.",
                            coach=enrollment.coach.name if enrollment.coach else "–"),
          "success")
    return redirect(url_for("caseload.caseload"))


@bp.route("/participants/<int:participant_id>/enroll", methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def enroll(participant_id: int):
    """Enroll the participant in a cohort (the steps are copied from the programme)."""
    participant = get_participant_or_404(participant_id)
    # Cohorts that have not ended, unless asked for all: years of past cohorts would
    # make the list long and slow. A cohort posted back stays a choice (it is still
    # checked against the organisation and the enrollment rules).
    all_cohorts = request.args.get("cohorts") == "all"
    today = date.today()
    cohorts = queries.cohort_choices(
        current_user.organization_id, not_ended_on=None if all_cohorts else today,
        include_id=request.form.get("cohort_id", type=int) if request.method == "POST" else None,
    )
    ended_to_show = not all_cohorts and queries.has_ended_cohorts(
        current_user.organization_id, today)
    form = EnrollForm(
        enrolled_on=date.today(),
        coach_id=current_user.id if current_user.role == Role.coach else 0,
    )
    form.cohort_id.choices = _cohort_options(cohorts)
    form.coach_id.choices = _coach_options()
    if form.validate_on_submit():
        cohort = get_cohort_or_404(form.cohort_id.data)
        coach = db.session.get(User, form.coach_id.data) if form.coach_id.data else None
        try:
            enrollment = services.enroll_participant(
                participant, cohort, coach=coach, enrolled_on=form.enrolled_on.data,
                labour_status_at_entry=LabourStatus(form.labour_status_at_entry.data),
                unemployed_months_at_entry=form.unemployed_months_at_entry.data,
                income_at_entry=IncomeSource(form.income_at_entry.data),
            )
        except services.EnrollmentRuleError as exc:
            _attach_errors(form, exc.errors)
        else:
            db.session.commit()
            return _after_enrollment_change(
                enrollment, _("%(name)s is enrolled in %(cohort)s.",
                              name=participant.full_name, cohort=cohort.name))
    page = {"participant": participant, "form": form, "has_cohorts": bool(cohorts),
            "all_cohorts": all_cohorts, "ended_to_show": ended_to_show}
    if request.method == "POST":
        return render_template("participants/enroll.html", **page), 422
    record(AuditAction.view, object_type="participant", object_id=participant.id,
           participant_id=participant.id, detail="enroll form")
    html = render_template("participants/enroll.html", **page)
    db.session.commit()
    return html


ENROLLMENT_FIELDS = ("coach_id", "status", "goal", "labour_status_at_entry",
                     "unemployed_months_at_entry", "income_at_entry")


@functools.cache
def _enrollment_options() -> tuple:
    # Built once: get_enrollment_or_404 reuses its statement for the same options.
    return (
        joinedload(Enrollment.participant),
        joinedload(Enrollment.coach),
        joinedload(Enrollment.cohort).joinedload(Cohort.program),
    )


def _load_enrollment(enrollment_id: int) -> Enrollment:
    return get_enrollment_or_404(enrollment_id, *_enrollment_options())


def _enrollment_form(enrollment: Enrollment, formdata: bool) -> EnrollmentEditForm:
    if formdata:
        form = EnrollmentEditForm()
    else:
        form = EnrollmentEditForm(
            formdata=None,
            coach_id=enrollment.coach_id or 0,
            status=enrollment.status.value,
            goal=enrollment.goal,
            labour_status_at_entry=enrollment.labour_status_at_entry.value,
            unemployed_months_at_entry=enrollment.unemployed_months_at_entry,
            income_at_entry=enrollment.income_at_entry.value,
            version=str(enrollment.version),
        )
    form.coach_id.choices = _coach_options(include_id=enrollment.coach_id)
    return form


def _enrollment_display(name: str, value, coach_names: dict[int, str]) -> str:
    if name == "coach_id":
        return coach_names.get(value or 0, "–") if value else "–"
    if name == "status":
        return label(EnrollmentStatus, value) if value else "–"
    if name == "labour_status_at_entry":
        return label(LabourStatus, value) if value else "–"
    if name == "income_at_entry":
        return label(IncomeSource, value) if value else "–"
    return "–" if value is None or value == "" else str(value)


def _enrollment_conflict(enrollment: Enrollment, form: EnrollmentEditForm):
    """409 for an enrollment saved by somebody else since the form was opened."""
    coach_names = {c.value: str(c.label) for c in form.coach_id.choices}
    stored = {
        "coach_id": enrollment.coach_id, "status": enrollment.status,
        "goal": enrollment.goal,
        "labour_status_at_entry": enrollment.labour_status_at_entry,
        "unemployed_months_at_entry": enrollment.unemployed_months_at_entry,
        "income_at_entry": enrollment.income_at_entry,
    }
    rows = [
        ConflictRow(str(getattr(form, name).label.text),
                    _enrollment_display(name, stored[name], coach_names),
                    _enrollment_display(name, getattr(form, name).data, coach_names))
        for name in ENROLLMENT_FIELDS
    ]
    form.version.data = str(enrollment.version)
    record(AuditAction.view, object_type="enrollment", object_id=enrollment.id,
           participant_id=enrollment.participant_id, detail="edit conflict")
    html = render_template("participants/enrollment_conflict.html", enrollment=enrollment,
                           form=form, rows=rows)
    db.session.commit()
    return html, 409


@bp.route("/enrollments/<int:enrollment_id>/edit", methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def edit_enrollment(enrollment_id: int):
    """Reassign the coach, change the entry facts, pause or resume an enrollment."""
    enrollment = _load_enrollment(enrollment_id)
    editable = enrollment.status in services.EDITABLE_ENROLLMENT_STATUSES
    if request.method == "GET":
        form = _enrollment_form(enrollment, formdata=False)
        record(AuditAction.view, object_type="enrollment", object_id=enrollment.id,
               participant_id=enrollment.participant_id, detail="edit form")
        html = render_template("participants/enrollment_edit.html", enrollment=enrollment,
                               form=form, editable=editable)
        db.session.commit()
        return html
    form = _enrollment_form(enrollment, formdata=True)
    valid = form.validate_on_submit()
    if not editable:
        return render_template("participants/enrollment_edit.html", enrollment=enrollment,
                               form=form, editable=False), 409
    if form.submitted_version != enrollment.version:
        return _enrollment_conflict(enrollment, form)
    if valid:
        coach = db.session.get(User, form.coach_id.data) if form.coach_id.data else None
        changes = services.EnrollmentChanges(
            coach=coach,
            status=EnrollmentStatus(form.status.data),
            labour_status_at_entry=LabourStatus(form.labour_status_at_entry.data),
            unemployed_months_at_entry=form.unemployed_months_at_entry.data,
            income_at_entry=IncomeSource(form.income_at_entry.data),
            goal=(form.goal.data or "").strip(),
        )
        try:
            details = services.update_enrollment(enrollment, changes,
                                                 expected_version=form.submitted_version)
        except services.VersionConflict:
            db.session.rollback()
            enrollment = _load_enrollment(enrollment_id)
            form.coach_id.choices = _coach_options(include_id=enrollment.coach_id)
            return _enrollment_conflict(enrollment, form)
        except services.EnrollmentRuleError as exc:
            _attach_errors(form, exc.errors)
        else:
            db.session.commit()
            message = (_("The changes are saved.") if details
                       else _("There were no changes to save."))
            return _after_enrollment_change(enrollment, message)
    return render_template("participants/enrollment_edit.html", enrollment=enrollment,
                           form=form, editable=True), 422
