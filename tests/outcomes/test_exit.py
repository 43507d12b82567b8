"""Recording the exit: form, rules, one exit only, htmx and no-JS, scope, CSRF, audit."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from journey.enums import AuditAction, EnrollmentStatus, Outcome
from journey.extensions import db as _db
from journey.outcomes import queries, services
from journey.outcomes.models import ExitOutcome
from journey.participants.models import Enrollment
from tests.outcomes.helpers import (
    HX,
    days_ago,
    events,
    exit_of,
    exit_post,
    follow_ups,
    record_exit,
    session_token,
)


def _url(enr):
    return f"/enrollments/{enr.id}/exit"


def _post(client, enr, data, *, htmx=True):
    token = session_token(client)
    if htmx:
        return client.post(_url(enr), data=data, headers={**HX, "X-CSRFToken": token})
    return client.post(_url(enr), data={**data, "csrf_token": token})


def _status(enr):
    return _db.session.get(Enrollment, enr.id).status


def test_form_page_without_javascript(client, login_as, world):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = client.get(_url(enr))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html and "<h1>Registrera avslut</h1>" in html
    assert "Amina Ali" in html
    assert f'action="/enrollments/{enr.id}/exit"' in html and 'method="post"' in html
    # Outcomes grouped job / studies / other, in DOMAIN.md order, with their labels.
    legends = ["<legend>Arbete</legend>", "<legend>Studier</legend>", "<legend>Övrigt</legend>"]
    positions = [html.index(legend) for legend in legends]
    assert positions == sorted(positions)
    labels = ["Arbete utan stöd", "Arbete med stöd", "Eget företag", "Ordinarie utbildning",
              "Arbetsmarknadsutbildning", "Arbetssökande", "Annan känd orsak",
              "Okänd orsak / avbrott"]
    label_positions = [html.index(f">{text}</label>") for text in labels]
    assert label_positions == sorted(label_positions)
    assert positions[1] < label_positions[3] and positions[2] < label_positions[5]
    assert html.count('type="radio"') == 8
    assert "Inte före inskrivningsdatumet" in html and 'href="/enrollments/' in html
    viewed = events(AuditAction.view)
    assert [(e.object_type, e.participant_id) for e in viewed] == [
        ("enrollment", enr.participant_id)]


def test_form_via_htmx_is_the_section_partial(client, login_as, world):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = client.get(_url(enr), headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="exit"')
    assert "<html" not in html
    assert f'hx-post="/enrollments/{enr.id}/exit"' in html
    assert "Spara avslut" in html and "autofocus" in html
    assert "HX-Request" in response.headers["Vary"]


def test_record_exit_via_htmx(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    exited_on = days_ago(10)
    response = _post(client, enr, exit_post(exited_on=exited_on.isoformat(),
                                            qualification_gained="y"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="exit"') and "<html" not in html
    assert "Avslutet är registrerat." in html
    assert "Arbete utan stöd" in html and "Grupp: Arbete" in html
    assert "ESF+-resultat EECR04" in html and "Bäckby Bygg AB" in html
    assert html.count('class="follow-up ') == 3 and "Kommande" in html
    db.session.expire_all()
    exit_outcome = exit_of(enr)
    assert exit_outcome.outcome == Outcome.job_unsubsidized
    assert exit_outcome.exited_on == exited_on
    assert exit_outcome.qualification_gained is True
    assert (exit_outcome.employer, exit_outcome.occupation, exit_outcome.hours_per_week) == (
        "Bäckby Bygg AB", "Snickare", 40)
    assert _status(enr) == EnrollmentStatus.exited
    assert [f.due_on for f in follow_ups(enr)] == [
        services.add_months(exited_on, m) for m in (3, 6, 12)]
    created = events(AuditAction.create, "exit_outcome")
    assert [(e.object_id, e.participant_id, e.user_id) for e in created] == [
        (exit_outcome.id, enr.participant_id, world["coach_a"].id)]


def test_record_exit_without_javascript_redirects_to_the_section(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = _post(client, enr, exit_post(outcome="studies", employer="", occupation="",
                                            hours_per_week=""), htmx=False)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith(f"/enrollments/{enr.id}?outcome=exit_recorded#exit")
    page = client.get(location.split("#")[0]).get_data(as_text=True)
    section = page[page.index('<section id="exit"'):]
    assert "Avslutet är registrerat." in section and "Ordinarie utbildning" in section
    assert "ESF+-resultat EECR02" in section
    db.session.expire_all()
    assert exit_of(enr).outcome == Outcome.studies and exit_of(enr).employer == ""
    assert _status(enr) == EnrollmentStatus.exited


def test_neutral_exit_records_its_reason(client, login_as, world, db):
    enr = world["enr_a"]
    login_as(world["manager1"])
    response = _post(client, enr, exit_post(outcome="neutral", neutral_reason="moved",
                                            employer="", occupation="", hours_per_week=""))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Annan känd orsak" in html and "Flyttat" in html
    assert "ESF+-resultat" not in html  # neutral has no ESF+ result code
    db.session.expire_all()
    assert exit_of(enr).neutral_reason == "moved"


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"outcome": "neutral", "employer": "", "occupation": "", "hours_per_week": ""},
     "neutral_reason", "Välj orsak när utfallet är ”Annan känd orsak”."),
    ({"neutral_reason": "illness"}, "neutral_reason",
     "Orsak anges bara när utfallet är ”Annan känd orsak”."),
    ({"exited_on": (date.today() + timedelta(days=1)).isoformat()}, "exited_on",
     "Avslutsdatumet kan inte vara i framtiden."),
    ({"exited_on": "2020-01-01"}, "exited_on",
     "Avslutsdatumet kan inte vara före inskrivningsdatumet"),
    ({"exited_on": ""}, "exited_on", "Ange datum för avslutet."),
    ({"exited_on": "31/12/2025"}, "exited_on", "Inte ett giltigt datum"),
    ({"outcome": None}, "outcome", "Välj ett utfall."),
    ({"outcome": "lottery"}, "outcome", "Välj ett utfall."),
    ({"hours_per_week": "0"}, "hours_per_week", "Timmar per vecka ska vara mellan 1 och 80."),
    ({"hours_per_week": "81"}, "hours_per_week", "Timmar per vecka ska vara mellan 1 och 80."),
    ({"hours_per_week": "fyrtio"}, "hours_per_week", "Inte ett giltigt heltal"),
    ({"outcome": "training"}, "employer", "Arbetsgivare anges bara när utfallet är arbete"),
    ({"outcome": "job_seeking", "employer": ""}, "occupation", "Yrke anges bara"),
    ({"outcome": "dropout_unknown", "employer": "", "occupation": ""}, "hours_per_week",
     "Timmar per vecka anges bara"),
])
@pytest.mark.parametrize("htmx", [True, False])
def test_invalid_exit_is_refused_with_a_clear_message(client, login_as, world, db,
                                                       overrides, field, message, htmx):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = _post(client, enr, exit_post(**overrides), htmx=htmx)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert ("<html" in html) is not htmx
    error = html[html.index(f'id="exit-{field}-error"'):].split("</p>")[0]
    assert message in error
    assert "Kontrollera de markerade fälten nedan. Inget sparades." in html
    db.session.expire_all()
    assert exit_of(enr) is None and follow_ups(enr) == []
    assert _status(enr) == EnrollmentStatus.active
    assert events(AuditAction.create, "exit_outcome") == []


def test_invalid_exit_keeps_what_was_typed(client, login_as, world):
    login_as(world["coach_a"])
    response = _post(client, world["enr_a"], exit_post(outcome="studies", note="Komvux HT"))
    html = response.get_data(as_text=True)
    checked = re.findall(r'<input checked id="exit-outcome-\d" name="exit-outcome" '
                         r'type="radio" value="(\w+)"', html)
    assert checked == ["studies"]
    assert "Komvux HT" in html and 'value="Bäckby Bygg AB"' in html


def test_second_exit_is_refused(client, login_as, world, db):
    enr = world["enr_a"]
    first = record_exit(enr, world["coach_a"], outcome="job_seeking")
    login_as(world["coach_a"])
    for htmx in (True, False):
        response = _post(client, enr, exit_post(), htmx=htmx)
        assert response.status_code == 409
        html = response.get_data(as_text=True)
        assert "Ett avslut är redan registrerat för den här inskrivningen." in html
        assert ("<html" in html) is not htmx
    db.session.expire_all()
    assert exit_of(enr).id == first.id and exit_of(enr).outcome == Outcome.job_seeking
    assert len(follow_ups(enr)) == 3
    assert len(events(AuditAction.create, "exit_outcome")) == 1


def test_exit_form_of_an_exited_enrollment_shows_the_outcome(client, login_as, world):
    enr = world["enr_a"]
    record_exit(enr, world["coach_a"])
    login_as(world["coach_a"])
    response = client.get(_url(enr))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/enrollments/{enr.id}#exit")
    partial = client.get(_url(enr), headers=HX)
    assert partial.status_code == 200
    html = partial.get_data(as_text=True)
    assert "Arbete utan stöd" in html and "Spara avslut" not in html


def test_concurrent_exit_is_refused_not_a_server_error(client, login_as, world, db,
                                                       monkeypatch):
    """Another user's exit lands between our check and our write: a clear 409."""
    enr = world["enr_a"]
    record_exit(enr, world["coach_a"], outcome="studies")
    real = queries.outcome_section
    calls = []

    def stale_section(enrollment, **kwargs):
        calls.append(enrollment.id)
        return queries.OutcomeSection(exit=None) if len(calls) == 1 else real(enrollment,
                                                                               **kwargs)

    monkeypatch.setattr(queries, "outcome_section", stale_section)
    monkeypatch.setattr(services, "load_exit", lambda enrollment: None)
    login_as(world["coach_a"])
    response = _post(client, enr, exit_post(exited_on=days_ago(2).isoformat()))
    assert response.status_code == 409
    assert "Ett avslut är redan registrerat" in response.get_data(as_text=True)
    db.session.expire_all()
    exits = db.session.scalars(sa.select(ExitOutcome)).all()
    assert [e.outcome for e in exits] == [Outcome.studies]
    assert [f.status for f in follow_ups(enr)] == [None, None, None]


@pytest.mark.parametrize("htmx", [True, False])
def test_post_without_csrf_token_is_refused(client, login_as, world, db, htmx):
    enr = world["enr_a"]
    login_as(world["coach_a"])
    response = client.post(_url(enr), data=exit_post(), headers=HX if htmx else {})
    assert response.status_code == 400
    db.session.expire_all()
    assert exit_of(enr) is None and _status(enr) == EnrollmentStatus.active


SCOPE = [
    ("coach_a", "enr_a", 200),    # own participant
    ("manager1", "enr_b", 200),   # a manager of the organisation
    ("coach_a", "enr_b", 404),    # another coach's participant
    ("coach_a", "enr_c", 404),    # another organisation
    ("manager2", "enr_a", 404),   # another organisation's manager
    ("portal_a", "enr_a", 404),   # the participant's own portal account
    ("admin1", "enr_a", 404),     # admins see no participant data
]


@pytest.mark.parametrize(("who", "target", "expected"), SCOPE)
def test_scope_of_the_exit_form(client, login_as, world, db, who, target, expected):
    enr = world[target]
    login_as(world[who])
    assert client.get(_url(enr)).status_code == expected
    assert client.get(_url(enr), headers=HX).status_code == expected
    response = _post(client, enr, exit_post())
    assert response.status_code == expected
    db.session.expire_all()
    assert (exit_of(enr) is not None) is (expected == 200)


def test_anonymous_is_sent_to_login(client, world, db):
    enr = world["enr_a"]
    response = client.get(_url(enr))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    token = session_token(client)
    response = client.post(_url(enr), data={**exit_post(), "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert exit_of(enr) is None


def test_coach_still_reaches_an_exited_enrollment(client, login_as, world, db):
    enr = world["enr_a"]
    record_exit(enr, world["coach_a"])
    login_as(world["coach_a"])
    assert "Amina Ali" not in client.get("/caseload").get_data(as_text=True)
    page = client.get(f"/enrollments/{enr.id}")
    assert page.status_code == 200
    assert "Arbete utan stöd" in page.get_data(as_text=True)
