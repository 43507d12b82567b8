"""The participant's "My data": page, JSON and PDF downloads, and the access log."""

import json
import re
import subprocess
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AssessmentArea, AuditAction, IdKind, PlanOwner, Role, StepStatus
from journey.journeys import services as journey_services
from journey.outcomes.services import ExitData, record_exit
from journey.participants.personnummer import luhn_digit
from journey.portal import subject_data
from tests import factories
from tests.conftest import login

HX = {"HX-Request": "true"}
BASE = "/portal/my-data/"
ROUTES = (BASE, BASE + "export.json", BASE + "export.pdf", BASE + "access-log")

ACTIVITY_NOTE = "Hemlig aktivitetsanteckning"
COACH_NOTE = "Hemlig coachanteckning"
STEP_NOTE = "Hemlig stegnotering"
EXIT_NOTE = "Hemlig avslutsanteckning"


def _personnummer() -> str:
    nine = "900101123"  # 1990-01-01, serial 123
    return "19" + nine + str(luhn_digit(nine))


PNR12 = _personnummer()
PNR10 = PNR12[2:]
PNR_DASHED = f"{PNR12[2:8]}-{PNR12[8:]}"
MASKED = f"{PNR12[:8]}-****"


def _fill(db, world):
    """Give Amina a personnummer, steps, plan, activities, an assessment, an exit and notes."""
    enr = world["enr_a"]
    p = enr.participant
    p.id_kind = IdKind.personnummer
    p.national_id = PNR12
    p.birth_date = date(1990, 1, 1)
    p.district = "Bäckby"
    enr.goal = "Arbete inom äldreomsorgen"
    step = enr.steps[0]
    step.status = StepStatus.done
    step.started_on = enr.enrolled_on
    step.completed_on = enr.enrolled_on + timedelta(days=5)
    step.note = STEP_NOTE
    journey_services.add_plan_item(enr, title="Skriva CV", due_on=date.today(),
                                   owner=PlanOwner.participant, created_by=world["coach_a"])
    journey_services.add_note(enr, author=world["coach_a"], body=COACH_NOTE)
    journey_services.record_assessment(
        enr, taken_on=enr.enrolled_on, phase="intake",
        scores={area: 5 for area in AssessmentArea}, created_by=world["coach_a"])
    a = factories.activity(enr, on=enr.enrolled_on + timedelta(days=1), note=ACTIVITY_NOTE)
    a.time = time(9, 30)
    record_exit(enr, ExitData(exited_on=date.today(), outcome="job_unsubsidized",
                              employer="Vårdbolaget", occupation="Undersköterska",
                              hours_per_week=40, note=EXIT_NOTE), user=world["coach_a"])
    # Bo's record, which Amina must never see.
    journey_services.add_plan_item(world["enr_b"], title="Bos planpunkt", due_on=None,
                                   owner=PlanOwner.participant, created_by=world["coach_b"])
    db.session.commit()
    return enr


def _secrets_absent(text: str) -> None:
    for secret in (ACTIVITY_NOTE, COACH_NOTE, STEP_NOTE, EXIT_NOTE, PNR12, PNR10, PNR_DASHED):
        assert secret not in text, secret


def _events(db, action):
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).all()


# --- the page -------------------------------------------------------------------------------


def test_page_shows_my_data_and_not_bos(client, login_as, world, db):
    _fill(db, world)
    login_as(world["portal_a"])
    response = client.get(BASE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Mina uppgifter" in html and "Om mig" in html and "Mina inskrivningar" in html
    assert "Amina" in html and "Bäckby" in html and "Jobbpunkt" in html
    assert "Profilanalys" in html and "Skriva CV" in html and "Arbete inom äldreomsorgen" in html
    assert "Vårdbolaget" in html and "Arbete utan stöd" in html
    assert MASKED in html
    assert "Bos planpunkt" not in html and "Berg" not in html
    _secrets_absent(html)
    assert 'href="/portal/my-data/export.pdf"' in html
    assert 'href="/portal/my-data/export.json"' in html
    assert 'href="/portal/my-data/access-log"' in html
    # Strict CSP ahead: no inline scripts, handlers or style attributes.
    assert "<script>" not in html and " style=" not in html and "onclick" not in html


def test_viewing_the_page_is_audited(client, login_as, world, db):
    login_as(world["portal_a"])
    client.get(BASE)
    events = [e for e in _events(db, AuditAction.view) if e.user_id == world["portal_a"].id]
    assert len(events) == 1
    assert events[0].participant_id == world["enr_a"].participant_id
    assert events[0].object_type == "participant"


@pytest.mark.parametrize("who", ["coach_a", "manager1", "admin1"])
def test_staff_accounts_get_404(client, login_as, world, who):
    login_as(world[who])
    for url in ROUTES:
        assert client.get(url).status_code == 404, url
        assert client.get(url, headers=HX).status_code == 404, url


def test_anonymous_is_sent_to_login(client, world):
    for url in ROUTES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login")


def test_portal_account_without_a_record_gets_an_empty_state(client, login_as, world, db):
    lonely = factories.user(Role.participant, world["orgs"][0], name="Ensam Användare")
    login_as(lonely)
    html = client.get(BASE).get_data(as_text=True)
    assert "Vi har inga uppgifter om dig än" in html
    assert "export.json" not in html
    assert client.get(BASE + "export.json").status_code == 404
    assert client.get(BASE + "export.pdf").status_code == 404
    log = client.get(BASE + "access-log")
    assert log.status_code == 200 and "Vi har inga uppgifter om dig än" in log.get_data(True)
    assert client.get(BASE + "access-log", headers=HX).status_code == 404
    assert not _events(db, AuditAction.view)


# --- downloads ------------------------------------------------------------------------------


def test_json_export_has_my_data_but_no_notes_and_no_full_number(client, login_as, world, db):
    enr = _fill(db, world)
    login_as(world["portal_a"])
    response = client.get(BASE + "export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="mina-uppgifter-\d{4}-\d{2}-\d{2}\.json"',
                        disposition)
    assert "no-store" in response.headers["Cache-Control"]
    raw = response.get_data()
    _secrets_absent(raw.decode("utf-8"))
    assert b'"note"' not in raw and b'"notes"' not in raw
    data = json.loads(raw)
    assert data["scope"] == "participant"
    assert data["profile"]["national_id_masked"] == MASKED
    assert data["profile"]["gender"] == {"value": "woman", "label_sv": "Kvinna",
                                         "label_en": "Woman"}
    assert data["profile"]["birth_date"] == "1990-01-01"
    [e] = data["enrollments"]
    assert e["id"] == enr.id and e["program"] == "Jobbpunkt" and e["coach"] == "Coach A"
    assert [s["name"] for s in e["steps"]] == ["Profilanalys", "Coachning", "Nätverk", "Praktik"]
    assert e["steps"][0]["status"]["value"] == "done"
    assert e["activities"][0]["time"] == "09:30"
    assert e["activities"][0]["attendance"]["label_sv"] == "Närvarande"
    assert e["plan_items"][0]["title"] == "Skriva CV"
    assert len(e["assessments"][0]["scores"]) == len(AssessmentArea)
    assert e["exit_outcome"]["employer"] == "Vårdbolaget"
    assert [f["months_after"] for f in e["follow_ups"]] == [3, 6, 12]
    assert "Bos planpunkt" not in raw.decode("utf-8")


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "my-data.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_pdf_export_has_my_data_in_swedish_and_no_secrets(client, login_as, world, db,
                                                          tmp_path):
    _fill(db, world)
    login_as(world["portal_a"])
    response = client.get(BASE + "export.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert re.fullmatch(r'attachment; filename="mina-uppgifter-\d{4}-\d{2}-\d{2}\.pdf"',
                        response.headers["Content-Disposition"])
    assert "no-store" in response.headers["Cache-Control"]
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)
    assert "Amina Ali" in text and "Jobbpunkt" in text
    assert "Mina inskrivningar" in text and "Profilanalys" in text and "Vårdbolaget" in text
    assert MASKED in text
    assert re.search(r"Sida 1 av \d+", text)
    _secrets_absent(text)
    assert "Bos planpunkt" not in text


def test_downloads_are_audited_as_exports(client, login_as, world, db):
    login_as(world["portal_a"])
    client.get(BASE + "export.json")
    client.get(BASE + "export.pdf")
    events = _events(db, AuditAction.export)
    assert [e.detail for e in events] == ["my data json", "my data pdf"]
    assert {e.participant_id for e in events} == {world["enr_a"].participant_id}
    assert {e.user_id for e in events} == {world["portal_a"].id}


# --- access log -----------------------------------------------------------------------------


def test_access_log_shows_a_coachs_view_by_role_only(app, client, login_as, world, db):
    coach = world["coach_a"]
    coach_email, coach_name = coach.email, coach.name
    db.session.commit()
    staff = app.test_client()
    login(staff, coach)
    assert staff.get(f"/enrollments/{world['enr_a'].id}").status_code == 200

    db.session.add(AuditEvent(action=AuditAction.update, object_type="plan_item",
                              participant_id=world["enr_a"].participant_id,
                              user_id=world["manager1"].id, detail="secret detail"))
    login_as(world["portal_a"])
    client.get(BASE)  # my own view: hidden by default
    response = client.get(BASE + "access-log")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "En jobbcoach tittade på din inskrivning." in html
    assert "En chef ändrade din plan." in html
    # The factory enrolled her outside a request: no user behind that event.
    assert "Systemet eller ett borttaget konto lade till något i din inskrivning." in html
    assert "secret detail" not in html
    assert "Visar bara det andra har gjort" in html
    assert "Du själv" not in html
    assert coach_name not in html and coach_email not in html
    assert "127.0.0.1" not in html

    with_own = client.get(BASE + "access-log?mine=1").get_data(as_text=True)
    assert "Du själv tittade på dina uppgifter." in with_own
    assert "En jobbcoach tittade på din inskrivning." in with_own
    # Reading the log is a view of the record too.
    assert any(e.detail == "access log" for e in _events(db, AuditAction.view))


def _clear_audit(db):
    # The factories' enrollments leave "created" events (by no user); start from none.
    db.session.execute(sa.delete(AuditEvent))
    db.session.commit()


def _add_events(db, world, n, *, start=None):
    start = start or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    pid = world["enr_a"].participant_id
    for i in range(n):
        db.session.add(AuditEvent(at=start + timedelta(minutes=i), action=AuditAction.update,
                                  object_type="activity", object_id=i, participant_id=pid,
                                  user_id=world["coach_a"].id, detail=f"secret detail {i}"))
    db.session.commit()


def test_access_log_pages_with_and_without_htmx(client, login_as, world, db):
    _clear_audit(db)
    _add_events(db, world, 30)
    login_as(world["portal_a"])
    html = client.get(BASE + "access-log").get_data(as_text=True)
    assert html.count('class="md-log-item') == 25
    assert "En jobbcoach ändrade dina aktiviteter." in html
    assert "2026-01-01 13:29" in html  # newest first, in Stockholm time (UTC+1 in winter)
    assert "secret detail" not in html
    cursor = re.search(r'name="before" value="(\d+)"', html).group(1)
    assert 'hx-get="/portal/my-data/access-log"' in html

    partial = client.get(f"{BASE}access-log?before={cursor}", headers=HX)
    assert partial.status_code == 200
    part = partial.get_data(as_text=True)
    assert "<html" not in part
    assert part.lstrip().startswith(f'<div class="md-log-page" id="log-page-{cursor}">')
    assert part.count('class="md-log-item') == 5
    assert "2026-01-01 13:04" in part and "2026-01-01 13:05" not in part
    assert 'name="before"' not in part  # nothing older

    page = client.get(f"{BASE}access-log?before={cursor}")
    full = page.get_data(as_text=True)
    assert "<html" in full and full.count('class="md-log-item') == 5
    assert "Tillbaka till de senaste händelserna" in full
    assert "HX-Request" in page.headers["Vary"]


def test_access_log_never_shows_other_participants_events(client, login_as, world, db):
    _clear_audit(db)
    db.session.add(AuditEvent(action=AuditAction.view, object_type="enrollment",
                              participant_id=world["enr_b"].participant_id,
                              user_id=world["coach_b"].id))
    db.session.commit()
    login_as(world["portal_a"])
    html = client.get(BASE + "access-log").get_data(as_text=True)
    assert "md-log-item" not in html
    assert "Ingen annan har tittat på dina uppgifter än" in html


# --- query budgets --------------------------------------------------------------------------


def _grow(db, world, n):
    enr = world["enr_a"]
    for i in range(n):
        factories.activity(enr, on=enr.enrolled_on + timedelta(days=i), note=f"n{i}")
        journey_services.add_plan_item(enr, title=f"Punkt {i}", due_on=None,
                                       owner=PlanOwner.participant, created_by=world["coach_a"])
        journey_services.add_note(enr, author=world["coach_a"], body=f"Anteckning {i}")
    _add_events(db, world, n, start=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=n))


def _budget(client, count_queries, url):
    with count_queries() as q:
        assert client.get(url).status_code == 200
    return q.count


@pytest.mark.parametrize("url", [BASE, BASE + "export.json", BASE + "access-log",
                                 BASE + "access-log?mine=1"])
def test_query_count_does_not_grow_with_data(client, login_as, world, db, count_queries, url):
    _grow(db, world, 2)
    login_as(world["portal_a"])
    small = _budget(client, count_queries, url)
    _grow(db, world, 38)
    large = _budget(client, count_queries, url)
    assert small == large, (small, large)
    assert small <= 12, small


# --- the collector (service level, reused by the managers' export in issue 6) ----------------


def test_collect_for_staff_includes_notes_and_for_participant_leaves_them_out(world, db):
    enr = _fill(db, world)
    participant = enr.participant
    full = subject_data.collect(participant, for_participant=False)
    [e] = full.enrollments
    assert [n.body for n in e.notes] == [COACH_NOTE]
    assert e.notes[0].author == "Coach A"
    assert e.activities[0].note == ACTIVITY_NOTE
    assert e.steps[0].note == STEP_NOTE
    assert e.outcome.note == EXIT_NOTE
    as_json = subject_data.to_json(full)
    assert as_json["scope"] == "full"
    [je] = as_json["enrollments"]
    assert je["notes"][0]["body"] == COACH_NOTE
    assert je["activities"][0]["note"] == ACTIVITY_NOTE
    assert je["steps"][0]["note"] == STEP_NOTE
    assert je["exit_outcome"]["note"] == EXIT_NOTE
    assert PNR12 not in json.dumps(as_json) and PNR10 not in json.dumps(as_json)

    own = subject_data.collect(participant, for_participant=True)
    [oe] = own.enrollments
    assert oe.notes is None and oe.activities[0].note is None
    assert oe.steps[0].note is None and oe.outcome.note is None
    dumped = json.dumps(subject_data.to_json(own), ensure_ascii=False)
    _secrets_absent(dumped)
    assert own.profile.national_id_masked == MASKED
    assert own.organization == "Kommun Ett"


def test_collect_runs_a_fixed_number_of_queries(world, db, count_queries):
    participant = world["enr_a"].participant
    _grow(db, world, 2)
    db.session.expire_all()
    with count_queries() as small:
        subject_data.collect(participant, for_participant=False)
    _grow(db, world, 30)
    db.session.expire_all()
    with count_queries() as large:
        subject_data.collect(participant, for_participant=False)
    assert small.count == large.count


def test_pages_follow_an_english_speaking_participant(app, client, login_as, world, db):
    world["portal_a"].locale = "en"
    db.session.commit()
    staff = app.test_client()
    login(staff, world["coach_a"])
    staff.get(f"/enrollments/{world['enr_a'].id}")
    login_as(world["portal_a"])
    html = client.get(BASE).get_data(as_text=True)
    assert "My data" in html and "About me" in html and "My enrollments" in html
    log = client.get(BASE + "access-log").get_data(as_text=True)
    assert "A job coach looked at your enrollment." in log
    response = client.get(BASE + "export.json")
    assert 'filename="my-data-' in response.headers["Content-Disposition"]
    # The file carries both languages whatever the reader's choice.
    assert json.loads(response.get_data())["profile"]["gender"]["label_sv"] == "Kvinna"
