"""The upload page for managers: ``/imports/new`` and ``/imports/template.csv``."""

import io

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from journey.audit.models import AuditEvent
from journey.cohorts.models import Cohort
from journey.enums import AuditAction
from journey.imports.models import ImportBatch
from journey.imports.parsing import COLUMNS
from journey.participants.models import Enrollment, Participant
from journey.programs.models import Program
from tests import factories
from tests.conftest import page_token
from tests.imports.helpers import csv_bytes, many_rows, row, xlsx_bytes

HX = {"HX-Request": "true"}
URL = "/imports/new"


def _program_id(db, name="Jobbpunkt", org=None):
    stmt = sa.select(Program.id).where(Program.name == name)
    return db.session.scalar(stmt)


def _post(client, token, data, *, program_id, cohort="Importerad kull", filename="kull.csv",
          headers=None, with_token=True):
    form = {"program_id": str(program_id), "cohort_name": cohort,
            "file": (io.BytesIO(data), filename)}
    if with_token:
        form["csrf_token"] = token
    return client.post(URL, data=form, content_type="multipart/form-data",
                       headers=headers or {})


def _counts(db):
    db.session.expire_all()
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m))
                 for m in (Participant, Enrollment, ImportBatch, Cohort))


def test_manager_sees_the_form_with_own_programmes_only(client, login_as, world):
    login_as(world["manager1"])
    response = client.get(URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Importera en kull</h1>" in html
    assert "Jobbpunkt" in html and "Miljövärdar" not in html
    assert 'hx-encoding="multipart/form-data"' in html and "<progress" in html
    assert 'enctype="multipart/form-data"' in html
    assert '<option value="Jobbpunkt HT">' in html  # existing cohorts offered
    assert "HX-Request" in response.headers["Vary"]


def test_other_roles_get_404_and_anonymous_goes_to_login(client, login_as, world):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/imports/template.csv").status_code == 302
    for who in ("coach_a", "admin1", "portal_a"):
        login_as(world[who])
        assert client.get(URL).status_code == 404, who
        assert client.get("/imports/template.csv").status_code == 404, who
        client.post("/logout", data={"csrf_token": page_token(client, "/password")})


def test_full_page_upload_imports_and_links_to_the_cohort(client, login_as, world, db):
    login_as(world["manager1"])
    token = page_token(client, URL)
    before = _counts(db)
    response = _post(client, token, csv_bytes(many_rows(20, coach_email=world["coach_a"].email)),
                     program_id=_program_id(db))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html
    assert "20 rader importerades till kullen ”Importerad kull”." in html
    cohort_id = db.session.scalar(sa.select(Cohort.id).where(Cohort.name == "Importerad kull"))
    assert f'href="/cohorts/{cohort_id}"' in html
    after = _counts(db)
    assert after[1] - before[1] == 20 and after[2] - before[2] == 1
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    assert batch.created_by_id == world["manager1"].id and batch.filename == "kull.csv"
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == "import_batch")).one()
    assert event.action == AuditAction.create and event.user_id == world["manager1"].id
    assert event.ip == "127.0.0.1"
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.object_type == "enrollment", AuditEvent.detail.like("import_batch=%"),
        AuditEvent.user_id == world["manager1"].id)) == 20


def test_htmx_upload_returns_the_partial(client, login_as, world, db):
    login_as(world["manager1"])
    token = page_token(client, URL)
    response = _post(client, "", xlsx_bytes([row()]), program_id=_program_id(db),
                     cohort="Jobbpunkt HT", filename="kull.xlsx", with_token=False,
                     headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and html.lstrip().startswith('<section id="import"')
    assert "1 rad importerades till kullen ”Jobbpunkt HT”." in html
    assert "fanns redan" in html


def test_errors_are_listed_by_row_and_column_and_nothing_is_written(client, login_as, world,
                                                                    db):
    login_as(world["manager1"])
    token = page_token(client, URL)
    rows = many_rows(50)
    rows[10]["enrolled_on"] = "2023-02-30"
    rows[20]["outcome"] = "studies"
    before = _counts(db)
    for headers in ({}, {**HX, "X-CSRFToken": token}):
        response = _post(client, token, csv_bytes(rows), program_id=_program_id(db),
                         headers=headers)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "Ingenting importerades" in html
        assert "2 fel hittades i filens 50 rader." in html
        assert '<th scope="col">Rad</th>' in html
        assert "<td>12</td><td><code>enrolled_on</code></td>" in html
        assert "<td>22</td><td><code>exited_on</code></td>" in html
        assert ("<html" in html) is (not headers)
    assert _counts(db) == before


def test_error_table_is_capped(client, login_as, world, db):
    login_as(world["manager1"])
    token = page_token(client, URL)
    rows = many_rows(230)
    for r in rows:
        r["gender"] = "?"
    response = _post(client, token, csv_bytes(rows), program_id=_program_id(db))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count("<code>gender</code>") == 200
    assert "… och 30 fel till." in html


def test_file_errors_show_on_the_file_field(client, login_as, world, db):
    login_as(world["manager1"])
    token = page_token(client, URL)
    before = _counts(db)
    response = _post(client, token, b"namn,telefon\r\nA,1\r\n", program_id=_program_id(db))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Okända kolumner: namn, telefon." in html and 'aria-invalid="true"' in html
    missing = client.post(URL, data={"csrf_token": token, "program_id": _program_id(db),
                                     "cohort_name": "X"}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "Välj en fil att importera." in missing.get_data(as_text=True)
    assert _counts(db) == before


def test_oversized_upload_is_refused(client, login_as, world, db):
    login_as(world["manager1"])
    token = page_token(client, URL)
    before = _counts(db)
    data = csv_bytes([row()]) + b"x" * (5 * 1024 * 1024)
    # Encoded in memory: the test client would spool a large body to a temporary
    # file that it never closes (a ResourceWarning later on).
    boundary, body = encode_multipart(MultiDict({
        "csrf_token": token, "program_id": str(_program_id(db)), "cohort_name": "X",
        "file": FileStorage(io.BytesIO(data), "kull.csv")}))
    response = client.post(URL, data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 422
    assert "Filen är för stor: högst 5 MB." in response.get_data(as_text=True)
    assert _counts(db) == before


def test_same_file_twice_is_refused(client, login_as, world, db):
    login_as(world["manager1"])
    token = page_token(client, URL)
    data = csv_bytes([row()])
    assert _post(client, token, data, program_id=_program_id(db)).status_code == 200
    before = _counts(db)
    again = _post(client, token, data, program_id=_program_id(db), cohort="Annan kull")
    assert again.status_code == 422
    assert "Den här filen importerades redan" in again.get_data(as_text=True)
    assert _counts(db) == before


def test_another_organisations_programme_cannot_be_chosen(client, login_as, world, db):
    login_as(world["manager1"])
    token = page_token(client, URL)
    before = _counts(db)
    response = _post(client, token, csv_bytes([row()]),
                     program_id=_program_id(db, "Miljövärdar"))
    assert response.status_code == 422
    assert _counts(db) == before


def test_post_without_csrf_token_is_refused(client, login_as, world, db):
    login_as(world["manager1"])
    before = _counts(db)
    response = _post(client, "", csv_bytes([row()]), program_id=_program_id(db),
                     with_token=False)
    assert response.status_code == 400
    hx = _post(client, "", csv_bytes([row()]), program_id=_program_id(db), with_token=False,
               headers=HX)
    assert hx.status_code == 400
    assert _counts(db) == before


def test_template_has_the_header_row(client, login_as, world):
    login_as(world["manager1"])
    response = client.get("/imports/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.decode("utf-8-sig").strip() == ",".join(COLUMNS)


def test_form_page_query_count_does_not_grow(client, login_as, world, db, count_queries):
    login_as(world["manager1"])
    client.get(URL)
    with count_queries() as small:
        client.get(URL)
    org = world["orgs"][0]
    for i in range(6):
        prog = factories.program(org, f"Program {i}")
        for j in range(3):
            factories.cohort(prog, f"Kull {i}-{j}")
    db.session.commit()
    with count_queries() as large:
        response = client.get(URL)
    assert response.status_code == 200 and "Kull 5-2" in response.get_data(as_text=True)
    assert large.count == small.count


def test_no_programmes_shows_an_empty_state(client, login_as, db):
    org = factories.org("Tom kommun")
    manager = factories.user("manager", org)
    login_as(manager)
    html = client.get(URL).get_data(as_text=True)
    assert "Er organisation har inga program ännu." in html
    assert 'action="/imports/new"' not in html
