"""Personnummer never in URLs, logs, generated files or the database in clear (issue 6).

Participants are registered through the intake form with valid numbers, found by
number (POST search), their pages opened and every file a coach, manager,
administrator or the participant can download is generated. The number, in every
form a person would write it, must appear in none of the response bodies (PDF as
text, XLSX as its XML), none of the requested or redirected URLs, none of the log
records (the app's, SQLAlchemy's statements and parameters, werkzeug's) and no
column of the participant table.
"""

import io
import logging
import re
import subprocess
import zipfile
from datetime import date

import sqlalchemy as sa

from journey.enums import IncomeSource, LabourStatus
from journey.participants import services
from journey.participants.models import Participant
from tests.conftest import csrf_from, page_token
from tests.participants.helpers import make_id, profile, switch_user

SARA = make_id(date(1990, 1, 1), 238)
OMAR = make_id(date(1987, 4, 12), 457, coordination=True)
AMINA = make_id(date(1995, 3, 8), 244)
LINK_RE = re.compile(r'id="invite-link" type="text" readonly value="([^"]+)"')


def _forms(digits12: str) -> list[str]:
    """12 digits, 10 digits, and the dashed/plus forms of both."""
    ten = digits12[2:]
    return [digits12, ten, f"{ten[:6]}-{ten[6:]}", f"{ten[:6]}+{ten[6:]}",
            f"{digits12[:8]}-{digits12[8:]}"]


FORMS = [form for number in (SARA, OMAR, AMINA) for form in _forms(number)]


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "scan.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "\n".join(book.read(name).decode("utf-8") for name in book.namelist()
                         if name.endswith(".xml"))


class Scanner:
    """Requests made through it are remembered with their URLs and readable bodies."""

    def __init__(self, client, tmp_path):
        self.client, self.tmp_path = client, tmp_path
        self.urls: list[str] = []
        self.bodies: list[tuple[str, str]] = []

    def get(self, url, **kwargs):
        return self._keep("GET " + url, self.client.get(url, **kwargs))

    def post(self, url, **kwargs):
        return self._keep("POST " + url, self.client.post(url, **kwargs))

    def _keep(self, label, response):
        self.urls.append(label)
        if "Location" in response.headers:
            self.urls.append(response.headers["Location"])
        data, mimetype = response.data, response.mimetype
        if mimetype == "application/pdf":
            text = _pdf_text(data, self.tmp_path)
            # Raw bytes too, for the long forms (short runs occur in compressed streams).
            text += "\n" + data.decode("latin-1")
        elif "spreadsheetml" in mimetype:
            text = _xlsx_text(data)
        else:
            text = data.decode("utf-8")
        self.bodies.append((label, text))
        return response

    def body(self, label: str) -> str:
        return next(text for seen, text in reversed(self.bodies) if seen == label)


def _leaks(text: str) -> list[str]:
    return [form for form in FORMS if form in text]


def test_no_personnummer_in_urls_logs_files_or_database_columns(
        client, login_as, world, db, caplog, tmp_path, app):
    for name in ("", "journey", "werkzeug", "sqlalchemy.engine"):
        caplog.set_level(logging.DEBUG, logger=name or None)
    coach, manager = world["coach_a"], world["manager1"]
    amina = world["enr_a"].participant
    cohort = world["enr_a"].cohort
    amina.id_kind, amina.national_id, amina.birth_date = "personnummer", AMINA, date(1995, 3, 8)
    scan = Scanner(client, tmp_path)

    # Intake through the form: a personnummer and a samordningsnummer.
    login_as(coach)
    ids = []
    for data in (profile(),
                 profile(first_name="Omar", last_name="Hassan", id_kind="samordningsnummer",
                         national_id=f"{OMAR[2:8]}-{OMAR[8:]}", gender="man")):
        token = page_token(client, "/participants/new")
        response = scan.post("/participants/new", data={**data, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        ids.append(int(response.headers["Location"].rsplit("/", 1)[1]))
    db.session.expire_all()
    people = [db.session.get(Participant, pid) for pid in ids]
    assert [p.national_id for p in people] == [SARA, OMAR]
    for p in people:
        services.enroll_participant(
            p, cohort, coach=coach, enrolled_on=date(2026, 9, 1),
            labour_status_at_entry=LabourStatus.unemployed, unemployed_months_at_entry=6,
            income_at_entry=IncomeSource.unknown)
    db.session.commit()

    # Search by number, in the forms people type; pages a coach opens.
    for number in (SARA, OMAR, AMINA):
        for typed in (_forms(number)[2], number, _forms(number)[4]):
            token = page_token(client, "/participants")
            found = scan.post("/participants/search", data={"q": typed, "csrf_token": token},
                              follow_redirects=True)
            assert found.status_code == 200
            assert f"{number[:8]}-****" in scan.body("POST /participants/search")
    for pid in (*ids, amina.id):
        scan.get(f"/participants/{pid}")
        # The edit form is the one place the number is shown (kept out of the scan).
        edit = client.get(f"/participants/{pid}/edit")
        assert edit.status_code == 200
    assert f"{SARA[2:8]}-{SARA[8:]}" in client.get(f"/participants/{ids[0]}/edit").get_data(
        as_text=True)  # the scan would have caught it
    scan.get("/participants")
    scan.get(f"/enrollments/{world['enr_a'].id}")

    # The invite letter (PDF) of a participant with a number.
    token = page_token(client, f"/participants/{amina.id}/portal")
    invite = scan.post(f"/participants/{amina.id}/portal/invite",
                       data={"email": "amina@example.se", "csrf_token": token})
    link = LINK_RE.search(invite.get_data(as_text=True))
    if link is None:  # Amina already has a portal account: invite the new participant
        token = page_token(client, f"/participants/{ids[0]}/portal")
        invite = scan.post(f"/participants/{ids[0]}/portal/invite",
                           data={"email": "sara@example.se", "csrf_token": token})
        link, letter_for = LINK_RE.search(invite.get_data(as_text=True)), ids[0]
    else:
        letter_for = amina.id
    letter = scan.post(f"/participants/{letter_for}/portal/letter",
                       data={"csrf_token": csrf_from(invite.get_data(as_text=True)),
                             "token": link.group(1).rsplit("/", 1)[1]})
    assert letter.mimetype == "application/pdf"

    # Reports a manager downloads.
    switch_user(client, manager)
    cohort_id, program_id = cohort.id, cohort.program_id
    downloads = [f"/cohorts/{cohort_id}/report.{fmt}" for fmt in ("pdf", "json", "csv", "xlsx")]
    downloads += [f"/cohorts/{cohort_id}/esf.{fmt}" for fmt in ("csv", "xlsx")]
    downloads += [f"/programs/{program_id}/report.pdf", f"/cohorts/{cohort_id}/report"]
    for url in downloads:
        response = scan.get(url)
        assert response.status_code == 200, url
    assert "EECO11" in scan.body(f"GET /cohorts/{cohort_id}/esf.csv")  # aggregates only

    # The GDPR subject export (manager), where that feature is installed.
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    for suffix in ("json", "pdf"):
        if f"/participants/<int:participant_id>/subject-export.{suffix}" in rules:
            for pid in (ids[0], amina.id):
                assert scan.get(f"/participants/{pid}/subject-export.{suffix}"
                                ).status_code == 200

    # The audit trail export (administrator).
    switch_user(client, world["admin1"])
    assert scan.get("/admin/audit/export.csv").status_code == 200

    # The participant's own data in the portal.
    switch_user(client, world["portal_a"])
    for url in ("/portal/my-data/", "/portal/my-data/export.json", "/portal/my-data/export.pdf"):
        assert scan.get(url).status_code == 200, url
    assert f"{AMINA[:8]}-****" in scan.body("GET /portal/my-data/export.json")

    assert len(scan.bodies) >= 30
    leaks = [(label, found) for label, body in scan.bodies if (found := _leaks(body))]
    assert leaks == []
    assert [url for url in scan.urls if _leaks(url)] == []
    # The capture works: the INSERTs of the intake and their parameters were logged.
    assert any(r.getMessage().startswith("INSERT INTO participant") for r in caplog.records)
    assert any("vdev1:" in f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert _leaks(logged) == []

    # The database holds no number in clear, in any column of the participant table.
    db.session.expire_all()
    rows = db.session.execute(sa.select(Participant.__table__)).mappings().all()
    assert len(rows) >= 5
    assert _leaks(repr([dict(r) for r in rows])) == []
