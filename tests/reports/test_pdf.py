"""The PDF: a fetcher that reads only our static files, and a report without personal data."""

import subprocess
from datetime import date

import pytest
import sqlalchemy as sa

from journey.audit.models import AuditEvent
from journey.enums import AuditAction, IdKind, Role
from journey.reports import pages
from journey.reports.pdf import FetchRefused, make_url_fetcher
from tests import factories
from tests.reports.sample_report import sample_report

BASE = "http://localhost/"
NAMES = ("Zorbalina", "Quaxtrom", "Yggvaldur", "Pimpelkvist")
PNRS = ("198703141286", "199206072481")


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    result = subprocess.run(["/usr/bin/pdftotext", "-layout", "-", "-"], input=data,
                            capture_output=True, check=True)
    return result.stdout.decode("utf-8")


# --- the URL fetcher -------------------------------------------------------------------

def test_fetcher_serves_static_files(app):
    with app.test_request_context():
        fetcher = make_url_fetcher(BASE)
        response = fetcher("http://localhost/static/css/report-print.css")
        assert b"@page" in response.read()
        assert response.content_type == "text/css"
        assert fetcher.static.resolve("http://localhost/static/css/app.css").endswith(
            "static/css/app.css")


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file:///work/main/static/css/app.css",
    "http://evil.example/static/css/app.css",
    "https://localhost.evil.example/static/css/app.css",
    "http://localhost:8080/static/css/app.css",
    "http://localhost/static/../journey/config.py",
    "http://localhost/static/%2e%2e/journey/config.py",
    "http://localhost/static/css/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "http://localhost/static/..%2fwsgi.py",
    "http://localhost/static/css\\..\\..\\wsgi.py",
    "http://localhost/static//etc/passwd",
    "http://localhost/static/css/",
    "http://localhost/static/css/missing.css",
    "http://localhost/static/css/app.css?x=1",
    "http://localhost/cohorts/1/report",
    "http://localhost/staticx/css/app.css",
    "data:text/plain,hello",
    "ftp://localhost/static/css/app.css",
    "/static/css/app.css",
])
def test_fetcher_refuses_everything_else(app, url):
    with app.test_request_context():
        fetcher = make_url_fetcher(BASE)
        with pytest.raises(FetchRefused):
            fetcher.static.resolve(url)
        with pytest.raises(FetchRefused):
            fetcher(url)


def test_fetcher_refuses_a_symlink_out_of_the_static_folder(app, tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("p{}")
    (tmp_path / "secret.txt").write_text("secret")
    (static / "leak.css").symlink_to(tmp_path / "secret.txt")
    fetcher = make_url_fetcher(BASE, static_folder=str(static), static_url_path="/static")
    assert fetcher.static.resolve("http://localhost/static/ok.css") == str(static / "ok.css")
    with pytest.raises(FetchRefused):
        fetcher.static.resolve("http://localhost/static/leak.css")


def test_hostile_image_in_report_html_is_not_fetched(app):
    from journey.reports.pdf import render_pdf

    html = ('<p>Hej</p><img src="file:///etc/passwd"><img src="http://evil.example/x.png">'
            '<link rel="stylesheet" href="/static/css/../../wsgi.py">')
    with app.test_request_context():
        data = render_pdf(html, BASE)
    assert "Hej" in pdf_text(data)
    assert "root:" not in pdf_text(data)


# --- the PDF from a hand-made report ---------------------------------------------------

def _cohort(db, target=0.5, org_name="Eskilstuna kommun"):
    org = factories.org(org_name)
    prog = factories.program(org, "Jobbpunkt")
    prog.outcome_target = target
    coh = factories.cohort(prog, "Jobbpunkt HT 2025", starts_on=date(2025, 9, 1))
    db.session.flush()
    return coh


def test_pdf_from_a_hand_made_report(app, db):
    coh = _cohort(db)
    report = sample_report(coh.id, district='<script>alert(1)</script>')
    with app.test_request_context("/"):
        data = pages.render_report_pdf(report, coh, date(2026, 6, 30), BASE)
    text = pdf_text(data)
    flat = " ".join(text.split())
    # Title page
    assert "Kullrapport" in text and "Eskilstuna kommun" in text
    assert "Jobbpunkt HT 2025" in text and "2025-09-01 – pågår" in flat
    assert "Rapportdatum 2026-06-30" in flat
    # Headline figures in Swedish format, against the programme's target
    assert "73 %" in text and "82 av 112 avslutade" in flat
    assert "95 % konfidensintervall 64–80 %" in flat
    assert "Når målet på 50 %" in flat
    assert "187 dagar" in text and "1 840 av 2 052 aktiviteter" in flat
    assert "51 829 kr" in flat
    # Charts, funnel, suppressed breakdowns and the appendix
    assert "Andelar per utfall" in flat and "2. Coachning" in flat
    assert "Lagersberg <5 <5 <5" in flat
    assert "<script>alert(1)</script>" in flat  # shown as text, not run or dropped
    assert "Bilaga: definitioner" in flat and "Wilson" in flat
    # Page numbers
    pages_total = text.count("\f")
    assert f"Sida 2 av {pages_total}" in text
    assert "Sida 1 av" not in text  # the title page has no footer


def test_small_counts_are_suppressed_even_if_the_data_is_not(app, db):
    coh = _cohort(db)
    report = sample_report(coh.id)
    report["breakdowns"]["gender"] = [
        {"key": "woman", "enrolled": 3, "leavers": 3, "job_or_studies": 2, "rate": 0.667,
         "suppressed": False}]
    with app.test_request_context("/"):
        data = pages.render_report_pdf(report, coh, date(2026, 6, 30), BASE)
    flat = " ".join(pdf_text(data).split())
    assert "Kvinna <5 <5 <5 –" in flat
    # No row has a rate to show, so no chart of empty bars either.
    assert "Arbete eller studier efter kön" not in flat


def test_pdf_in_english_for_an_english_user(app, db, client, login_as, monkeypatch):
    coh = _cohort(db)
    manager = factories.user(Role.manager, coh.program.organization, locale="en")
    monkeypatch.setattr(pages, "load_report", lambda c, as_of: sample_report(c.id))
    login_as(manager)
    response = client.get(f"/cohorts/{coh.id}/report.pdf?as_of=2026-06-30")
    assert response.status_code == 200
    flat = " ".join(pdf_text(response.data).split())
    assert "Cohort report" in flat and "Page 2 of" in flat
    assert "Appendix: definitions" in flat


# --- the PDF route: an export of aggregates, never of people ---------------------------

def _cohort_with_people(db):
    coh = _cohort(db)
    org = coh.program.organization
    coach = factories.user(Role.coach, org)
    for i, pnr in enumerate(PNRS):
        factories.enrollment(coach, coh, first_name=NAMES[2 * i], last_name=NAMES[2 * i + 1],
                             id_kind=IdKind.personnummer, national_id=pnr,
                             district="Bäckby")
    manager = factories.user(Role.manager, org)
    return coh, manager


def test_pdf_route_exports_without_personal_data(app, db, client, login_as):
    """The real report of a cohort with two named people: numbers in, names out."""
    coh, manager = _cohort_with_people(db)
    login_as(manager)
    response = client.get(f"/cohorts/{coh.id}/report.pdf?as_of=2026-06-30")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="kullrapport-{coh.id}-2026-06-30.pdf"'
    text = pdf_text(response.data)
    flat = " ".join(text.split())
    assert "Kullrapport" in text and "Jobbpunkt HT 2025" in text
    assert "Inskrivna 2 Aktiva 2 Avslutade 0" in flat
    assert "Bäckby <5 0 0" in flat  # their district, suppressed
    for secret in (*NAMES, *PNRS, *(p[:8] for p in PNRS), *(p[2:8] for p in PNRS)):
        assert secret not in text, secret
        assert secret.encode() not in response.data
        assert secret not in disposition
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.export)).all()
    assert [(e.action, e.object_type, e.object_id, e.user_id) for e in events] == [
        (AuditAction.export, "cohort", coh.id, manager.id)]
    assert "2026-06-30" in events[0].detail


def test_pdf_route_scope_and_no_audit_when_refused(app, db, client, login_as, world,
                                                    monkeypatch):
    monkeypatch.setattr(pages, "load_report", lambda c, as_of: sample_report(c.id))
    coh1 = world["enr_a"].cohort
    coh2 = world["enr_c"].cohort
    anonymous = client.get(f"/cohorts/{coh1.id}/report.pdf")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for who in ("coach_a", "admin1", "portal_a", "manager2"):
        login_as(world[who])
        assert client.get(f"/cohorts/{coh1.id}/report.pdf").status_code == 404, who
        client.post("/logout", data={"csrf_token": _token(client)})
    login_as(world["manager1"])
    assert client.get(f"/cohorts/{coh2.id}/report.pdf").status_code == 404
    assert client.get("/cohorts/999999/report.pdf").status_code == 404
    bad = client.get(f"/cohorts/{coh1.id}/report.pdf?as_of=30/6/2026")
    assert bad.status_code == 400
    assert "Ange rapportdatumet som ÅÅÅÅ-MM-DD" in bad.get_data(as_text=True)
    assert db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.export)).all() == []
    ok = client.get(f"/cohorts/{coh1.id}/report.pdf")
    assert ok.status_code == 200
    assert f"-{coh1.id}-{date.today().isoformat()}.pdf" in ok.headers["Content-Disposition"]


def _token(client):
    from tests.conftest import csrf_from

    return csrf_from(client.get("/password").get_data(as_text=True))


def test_cli_writes_the_pdf(app, db, tmp_path):
    """``flask journey report ID --format pdf -o FILE`` uses render_cohort_pdf."""
    coh, _manager = _cohort_with_people(db)
    db.session.commit()
    out = tmp_path / "rapport.pdf"
    result = app.test_cli_runner().invoke(
        args=["journey", "report", str(coh.id), "--as-of", "2026-06-30", "--format", "pdf",
              "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    flat = " ".join(pdf_text(data).split())
    assert "Kullrapport" in flat and "Rapportdatum 2026-06-30" in flat
    assert "Inskrivna 2 Aktiva 2 Avslutade 0" in flat
    for secret in (*NAMES, *PNRS):
        assert secret not in flat
    db.session.expire_all()
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.export)).all()
    assert [(e.object_type, e.object_id) for e in events] == [("cohort", coh.id)]


def test_secondary_suppressed_cells_are_never_labelled_below_five(app, db, client, login_as):
    """A count of 7 hidden only to protect a 2 reads "dolt", not "<5" (which would be false)."""
    from tests.reports.metrics_helpers import add, org_setup

    setup = org_setup(starts_on=date(2025, 1, 1))
    coh, coach, manager = setup["cohort"], setup["coach"], setup["manager"]
    # Age bands: 11 people aged 30-54, 7 aged 18-29, 2 aged 55+ (the 7 is hidden as well).
    for i in range(11):
        add(coh, coach, date(2025, 2, 1), birth_date=date(1980, 1, 1 + i))
    for i in range(7):
        add(coh, coach, date(2025, 2, 1), birth_date=date(2000, 1, 1 + i))
    for i in range(2):
        add(coh, coach, date(2025, 2, 1), birth_date=date(1960, 1, 1 + i))
    db.session.commit()
    login_as(manager)
    page = client.get(f"/cohorts/{coh.id}/report?as_of=2026-06-30").get_data(as_text=True)
    flat = " ".join(pdf_text(client.get(
        f"/cohorts/{coh.id}/report.pdf?as_of=2026-06-30").data).split())
    assert "18-29 år dolt 0 0" in flat
    assert "55+ år <5 0 0" in flat
    assert "18-29 år <5" not in flat
    assert "&lt;5" in page and "dolt" in page


# --- one font configuration per thread --------------------------------------------------

def test_pdfs_reuse_the_threads_font_configuration(app, monkeypatch):
    """WeasyPrint given no font configuration makes one per document, and a worker never
    gets that memory back (bench/pdf_memory.py); every PDF of a thread shares one."""
    import threading

    import weasyprint

    from journey.reports import pdf

    passed = []
    write_pdf = weasyprint.HTML.write_pdf

    def recording_write_pdf(self, *args, **kwargs):
        passed.append(kwargs.get("font_config"))
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", recording_write_pdf)
    # Rendered here, not in a child, so the recording is seen (the child inherits the
    # same configuration: tests/reports/test_pdf_child.py).
    monkeypatch.setitem(app.config, "PDF_RENDER_IN_CHILD", False)
    with app.test_request_context():
        first = pdf.render_pdf("<p>Första rapporten</p>", BASE)
        second = pdf.render_pdf("<p>Andra rapporten</p>", BASE)
    assert "Första rapporten" in pdf_text(first)
    assert "Andra rapporten" in pdf_text(second)
    assert len(passed) == 2 and passed[0] is not None
    assert passed[1] is passed[0]

    # Another thread gets its own (Pango's font maps are per thread).
    elsewhere = []
    thread = threading.Thread(target=lambda: elsewhere.append(pdf.font_configuration()))
    thread.start()
    thread.join()
    assert elsewhere[0] is not None and elsewhere[0] is not passed[0]


def test_no_template_or_stylesheet_declares_a_font_face():
    """A shared font configuration would collect an @font-face's font files with every
    PDF; the PDFs use the system's fonts."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    files = [*root.joinpath("templates").rglob("*.html"), *root.joinpath("static").rglob("*.css")]
    assert len(files) > 20
    declaring = [str(f.relative_to(root)) for f in files
                 if "@font-face" in f.read_text(encoding="utf-8").lower()]
    assert declaring == []
