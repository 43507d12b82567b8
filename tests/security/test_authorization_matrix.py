"""Every registered route, for every role, against objects inside and outside its scope.

The routes are discovered from the app's URL map; a route that is not in
``ROUTES`` below fails ``test_every_route_is_in_the_matrix``, so a new page
cannot ship without saying who may use it.

Three sets of objects are built, each with every kind of object a URL can name:
``A`` (coach A's participant, in organisation 1, with portal account A), ``B``
(coach B's participant, also organisation 1, with portal account B) and ``C``
(organisation 2). Each role calls each route for A, B and C and must get:

- ``ok``: a real answer (2xx, 3xx other than to the login page, or a 4xx other
  than 404 such as a validation error);
- ``404`` for an object outside its scope, or a route its role may not use;
- a redirect to the login page when not logged in.
"""

from dataclasses import dataclass

import pytest

from journey.enums import Role
from tests.conftest import page_token
from tests.security.conftest import log_in

# --- who may call what ---------------------------------------------------------------------

PUBLIC = "public"              # anyone, logged in or not
ANY_USER = "any user"          # any logged-in user
NO_OBJECT = "no object"        # the allowed roles; no id in the URL
CASEWORK = "casework"          # coach: own caseload; manager: own organisation;
#                                participant: own record
ORG = "organisation"           # an object of the caller's organisation
COHORT = "cohort of caseload"  # coach: a cohort with one of their participants; manager: org

COACH, MANAGER, ADMIN, PARTICIPANT = Role.coach, Role.manager, Role.admin, Role.participant
CASE = (COACH, MANAGER)
MANAGE = (MANAGER, ADMIN)


@dataclass(frozen=True)
class Rule:
    scope: str
    roles: tuple = ()
    # Which enrollment of the set the URL names: the open one or the exited one.
    exited: bool = False
    # A POST that removes its object: each caller gets a world of its own, or the
    # first caller's success would turn the next one's into a 404.
    destructive: bool = False
    # Where a successful call ends (logging out ends on the login page).
    ends_at_login: bool = False


ROUTES: dict[str, Rule] = {
    # public and account pages
    "static": Rule(PUBLIC),
    "web.healthz": Rule(PUBLIC),
    "web.home": Rule(ANY_USER),
    "auth.login": Rule(PUBLIC),
    "auth.set_locale": Rule(PUBLIC),
    "auth.logout": Rule(ANY_USER, ends_at_login=True),
    "auth.change_password": Rule(ANY_USER),
    "portal_invites.open_invite": Rule(PUBLIC),
    "portal_invites.welcome": Rule(PUBLIC),
    # administration
    "admin.users": Rule(NO_OBJECT, (ADMIN,)),
    # Destructive: an empty form deactivates the account (set A's is coach A).
    "admin.edit_user": Rule(ORG, (ADMIN,), destructive=True),
    "audit.index": Rule(NO_OBJECT, (ADMIN,)),
    "audit.export_csv": Rule(NO_OBJECT, (ADMIN,)),
    "caseload.attention_settings": Rule(NO_OBJECT, MANAGE),
    "programs.overview": Rule(NO_OBJECT, MANAGE),
    "programs.new_program": Rule(NO_OBJECT, MANAGE),
    "programs.program": Rule(ORG, MANAGE),
    "programs.edit_program": Rule(ORG, MANAGE),
    "programs.add_step": Rule(ORG, MANAGE),
    "programs.rename_step": Rule(ORG, MANAGE),
    "programs.move_step": Rule(ORG, MANAGE),
    "programs.retire_step": Rule(ORG, MANAGE),
    "cohorts.new_cohort": Rule(ORG, MANAGE),
    "cohorts.cohort": Rule(ORG, MANAGE),
    "cohorts.edit_cohort": Rule(ORG, MANAGE),
    # coach work
    "caseload.caseload": Rule(NO_OBJECT, (COACH,)),
    "caseload.attention": Rule(NO_OBJECT, (COACH,)),
    "participants.index": Rule(NO_OBJECT, CASE),
    "participants.new": Rule(NO_OBJECT, CASE),
    "participants.search": Rule(NO_OBJECT, CASE),
    "participants.show": Rule(CASEWORK, CASE),
    "participants.edit": Rule(CASEWORK, CASE),
    "participants.enroll": Rule(CASEWORK, CASE),
    "participants.edit_enrollment": Rule(CASEWORK, CASE),
    "portal_invites.access": Rule(CASEWORK, CASE),
    "portal_invites.invite": Rule(CASEWORK, CASE),
    "portal_invites.letter": Rule(CASEWORK, CASE),
    # Destructive: set A's portal account is the participant caller's own.
    "portal_invites.revoke": Rule(CASEWORK, CASE, destructive=True),
    "journeys.enrollment": Rule(CASEWORK, CASE),
    "journeys.step": Rule(CASEWORK, CASE),
    "journeys.update_step": Rule(CASEWORK, CASE),
    "journeys.edit_step": Rule(CASEWORK, CASE),
    "journeys.plan": Rule(CASEWORK, CASE),
    "journeys.plan_item": Rule(CASEWORK, CASE),
    "journeys.edit_plan_item": Rule(CASEWORK, CASE),
    "journeys.toggle_plan_item": Rule(CASEWORK, CASE),
    "journeys.delete_plan_item": Rule(CASEWORK, CASE, destructive=True),
    "journeys.assessments": Rule(CASEWORK, CASE),
    "journeys.new_assessment": Rule(CASEWORK, CASE),
    "journeys.notes": Rule(CASEWORK, CASE),
    # Only the author deletes a note (here coach A); other notes answer 404.
    "journeys.delete_note": Rule(CASEWORK, (COACH,), destructive=True),
    "activities.add": Rule(CASEWORK, CASE),
    "activities.row": Rule(CASEWORK, CASE),
    "activities.earlier": Rule(CASEWORK, CASE),
    "activities.new": Rule(CASEWORK, CASE),
    "activities.edit": Rule(CASEWORK, CASE),
    "activities.attendance": Rule(CASEWORK, CASE),
    "activities.delete": Rule(CASEWORK, CASE, destructive=True),
    "activities.group_sessions": Rule(NO_OBJECT, CASE),
    "activities.new_group_session": Rule(COHORT, CASE),
    "activities.group_session": Rule(COHORT, CASE),
    "outcomes.section": Rule(CASEWORK, CASE),
    "outcomes.exit_form": Rule(CASEWORK, CASE),
    "outcomes.follow_up": Rule(CASEWORK, CASE, exited=True),
    "outcomes.reopen": Rule(CASEWORK, (MANAGER,), exited=True),
    # GDPR (managers)
    "gdpr.export_json": Rule(CASEWORK, (MANAGER,)),
    "gdpr.export_pdf": Rule(CASEWORK, (MANAGER,)),
    "gdpr.anonymize": Rule(CASEWORK, (MANAGER,), destructive=True),
    # reports and imports (managers)
    "reports.cohort_report_json": Rule(ORG, (MANAGER,)),
    "report_pages.report_page": Rule(ORG, (MANAGER,)),
    "report_pages.report_pdf": Rule(ORG, (MANAGER,)),
    "report_exports.report_file": Rule(ORG, (MANAGER,)),
    "report_exports.esf_file": Rule(ORG, (MANAGER,)),
    "program_reports.overview": Rule(NO_OBJECT, (MANAGER,)),
    "program_reports.program_report": Rule(ORG, (MANAGER,)),
    "program_reports.program_report_pdf": Rule(ORG, (MANAGER,)),
    "imports.new": Rule(NO_OBJECT, (MANAGER,)),
    "imports.template": Rule(NO_OBJECT, (MANAGER,)),
    # the participant portal
    "portal.plan": Rule(NO_OBJECT, (PARTICIPANT,)),
    "portal.plan_items": Rule(CASEWORK, (PARTICIPANT,)),
    "portal.toggle_item": Rule(CASEWORK, (PARTICIPANT,)),
    "portal.assessment": Rule(CASEWORK, (PARTICIPANT,)),
    "portal_data.index": Rule(NO_OBJECT, (PARTICIPANT,)),
    "portal_data.access_log_page": Rule(NO_OBJECT, (PARTICIPANT,)),
    "portal_data.export_json": Rule(NO_OBJECT, (PARTICIPANT,)),
    "portal_data.export_pdf": Rule(NO_OBJECT, (PARTICIPANT,)),
}

# The callers: nobody, and one account of each role in organisation 1. Their
# "own" objects are set A; B is a colleague's, C another organisation's.
CALLERS = ("anonymous", "admin", "manager", "coach", "participant")


def expected(rule: Rule, caller: str, target: str) -> str:
    if rule.scope == PUBLIC:
        return "ok"
    if caller == "anonymous":
        return "login"
    if rule.scope == ANY_USER:
        return "ok"
    if Role(caller) not in rule.roles:
        return "404"
    if rule.scope == NO_OBJECT:
        return "ok"
    if rule.scope in (CASEWORK, COHORT) and caller in ("coach", "participant"):
        return "ok" if target == "A" else "404"
    return "ok" if target in ("A", "B") else "404"


def _url(app, endpoint: str, rule, rule_def: Rule, objects: dict) -> str:
    values = {}
    for arg in rule.arguments:
        if arg == "enrollment_id" and rule_def.exited:
            values[arg] = objects["exited_enrollment_id"]
        elif arg == "fmt":
            values[arg] = "csv"
        elif arg == "token":
            values[arg] = "not-a-token"
        elif arg == "filename":
            values[arg] = "css/app.css"
        else:
            values[arg] = objects[arg]
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def _routes():
    from journey import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(((rule.endpoint, rule.rule, method) for rule in app.url_map.iter_rules()
                   for method in rule.methods - {"HEAD", "OPTIONS"}),
                  key=lambda r: (r[1], r[2], r[0]))


def _cases():
    """One case per route and method; destructive routes get one case per caller."""
    cases = []
    for endpoint, path, method in _routes():
        rule = ROUTES.get(endpoint)
        split = rule is not None and rule.destructive and method == "POST"
        for callers in ([(c,) for c in CALLERS] if split else [CALLERS]):
            label = f"{method} {path}" + (f" as {callers[0]}" if split else "")
            cases.append(pytest.param(endpoint, path, method, callers, id=label))
    return cases


def _outcome(response, rule_def: Rule, caller: str) -> str:
    location = response.headers.get("Location", "")
    response.close()  # static files are streamed from an open file
    if response.status_code in (301, 302, 303) and "/login" in location:
        return "ok" if rule_def.ends_at_login and caller != "anonymous" else "login"
    if response.status_code == 404:
        return "404"
    if response.status_code >= 500:
        return f"error {response.status_code}"
    return "ok"


@pytest.mark.parametrize("endpoint, path, method, callers", _cases())
def test_route_scope(app, matrix_world, endpoint, path, method, callers):
    rule_def = ROUTES.get(endpoint)
    assert rule_def is not None, f"{endpoint} ({path}) is missing from the matrix"
    users, sets = matrix_world
    rule = next(r for r in app.url_map.iter_rules(endpoint) if r.rule == path)
    targets = ("A", "B", "C") if rule.arguments - {"fmt", "token", "filename"} else ("A",)
    failures = []
    for caller in callers:
        client = app.test_client()
        if caller != "anonymous":
            log_in(client, users[caller])
        token = None
        if method == "POST":
            token = page_token(client, "/login" if caller == "anonymous"
                               else "/account/password")
        for target in targets:
            url = _url(app, endpoint, rule, rule_def, sets[target])
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": token})
            want, got = expected(rule_def, caller, target), _outcome(response, rule_def, caller)
            if got != want:
                failures.append(f"{method} {url} as {caller} on set {target}: expected {want}, "
                                f"got {got} ({response.status_code})")
    assert not failures, "\n".join(failures)


def test_every_route_is_in_the_matrix(app):
    missing = sorted({r.endpoint for r in app.url_map.iter_rules()} - set(ROUTES))
    assert not missing, f"routes missing from the authorization matrix: {missing}"
    stale = sorted(set(ROUTES) - {r.endpoint for r in app.url_map.iter_rules()})
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"
