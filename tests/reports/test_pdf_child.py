"""PDFs are rendered in a child process forked for each: its memory goes with it."""

import hashlib
import os
import time

import pytest
import weasyprint

from journey.reports import pdf
from tests.reports.test_pdf import BASE, pdf_text


@pytest.fixture
def forks(monkeypatch):
    """Counts the forks of this (the parent) process."""
    made = []
    real_fork = os.fork

    def counting_fork():
        pid = real_fork()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(pdf.os, "fork", counting_fork)
    return made


def _reaped(pid):
    """The child has ended and been waited for (no zombie left behind)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_pdf_is_rendered_in_a_child_with_the_parents_font_configuration(app, forks):
    assert app.config["PDF_RENDER_IN_CHILD"] is True  # the default
    with app.test_request_context():
        data = pdf.render_pdf("<h1>Rapport för styrelsen</h1><p>Åtta av tio.</p>", BASE)
    assert len(forks) == 1
    assert "Rapport för styrelsen" in pdf_text(data) and "Åtta av tio." in pdf_text(data)
    # Made in the parent before the fork, so no child has to build its own.
    assert pdf._fonts.config is not None
    assert _reaped(forks[0])


def test_rendered_in_the_worker_when_switched_off(app, forks, monkeypatch):
    monkeypatch.setitem(app.config, "PDF_RENDER_IN_CHILD", False)
    with app.test_request_context():
        data = pdf.render_pdf("<p>Utan barnprocess</p>", BASE)
    assert forks == []
    assert "Utan barnprocess" in pdf_text(data)


def test_an_error_in_the_child_is_raised_in_the_parent(app, forks, monkeypatch):
    def failing(self, *args, **kwargs):
        raise ValueError("trasig mall")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", failing)
    with app.test_request_context(), pytest.raises(pdf.PdfRenderError,
                                                   match="ValueError: trasig mall"):
        pdf.render_pdf("<p>x</p>", BASE)
    assert len(forks) == 1 and _reaped(forks[0])


def test_a_child_that_dies_is_reported(app, forks, monkeypatch):
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", lambda self, *a, **k: os._exit(3))
    with app.test_request_context(), pytest.raises(pdf.PdfRenderError, match="status 3"):
        pdf.render_pdf("<p>x</p>", BASE)
    assert _reaped(forks[0])


def test_a_child_that_takes_too_long_is_stopped(app, forks, monkeypatch):
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", lambda self, *a, **k: time.sleep(30))
    monkeypatch.setitem(app.config, "PDF_RENDER_TIMEOUT", 0.5)
    started = time.monotonic()
    with app.test_request_context(), pytest.raises(pdf.PdfRenderError, match="longer than 0.5 s"):
        pdf.render_pdf("<p>x</p>", BASE)
    assert time.monotonic() - started < 10
    assert _reaped(forks[0]) and not os.path.exists(f"/proc/{forks[0]}")  # killed


def test_a_large_pdf_comes_through_the_pipe_whole(app, forks):
    # Far more than a pipe's buffer (64 KiB): the parent reads while the child writes.
    # (Hashes, which compress badly, keep the document short to render.)
    rows = "".join(f"<p>Rad {n} {hashlib.sha256(str(n).encode()).hexdigest()}</p>"
                   for n in range(1200))
    with app.test_request_context():
        data = pdf.render_pdf(f"<table>{rows}</table>", BASE)
    assert len(data) > 1 << 16 and data.rstrip().endswith(b"%%EOF")
    text = pdf_text(data)
    assert "Rad 0" in text and "Rad 1199" in text


def test_a_failed_pdf_request_answers_500(app, db, client, login_as, forks, monkeypatch):
    from tests.reports.test_pdf import _cohort_with_people

    coh, manager = _cohort_with_people(db)

    def failing(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", failing)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    login_as(manager)
    response = client.get(f"/cohorts/{coh.id}/report.pdf")
    assert response.status_code == 500
    assert not response.data.startswith(b"%PDF-")
    assert len(forks) == 1 and _reaped(forks[0])


@pytest.mark.parametrize("value, expected", [("0", False), ("off", False), ("yes", True)])
def test_environment_switch(monkeypatch, value, expected):
    from journey import create_app

    monkeypatch.setenv("PDF_RENDER_IN_CHILD", value)
    monkeypatch.setenv("PDF_RENDER_TIMEOUT", "90")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["PDF_RENDER_IN_CHILD"] is expected
    assert app.config["PDF_RENDER_TIMEOUT"] == 90


@pytest.mark.parametrize("name, value", [("PDF_RENDER_IN_CHILD", "maybe"),
                                         ("PDF_RENDER_TIMEOUT", "soon"),
                                         ("PDF_RENDER_TIMEOUT", "0"),
                                         ("PDF_RENDER_TIMEOUT", "-5"),
                                         ("PDF_RENDER_TIMEOUT", "nan")])
def test_environment_refuses_other_values(monkeypatch, name, value):
    from journey import create_app
    from journey.config import ConfigError

    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_rendered_in_the_worker_when_no_process_can_be_forked(app, monkeypatch, caplog):
    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    pipes, closed = [], []
    real_pipe, real_close = os.pipe, os.close

    def recording_pipe():
        ends = real_pipe()
        pipes.extend(ends)
        return ends

    def recording_close(fd):
        closed.append(fd)
        real_close(fd)

    monkeypatch.setattr(pdf.os, "fork", no_fork)
    monkeypatch.setattr(pdf.os, "pipe", recording_pipe)
    monkeypatch.setattr(pdf.os, "close", recording_close)
    with app.test_request_context():
        data = pdf.render_pdf("<p>Ändå en rapport</p>", BASE)
    # (``pdf.os`` is the os module: later pipes, e.g. pdftotext's, are recorded too.)
    assert len(pipes) >= 2 and set(pipes[:2]) <= set(closed)  # the render's pipe closed
    assert "fork failed" in caplog.text
    assert "Ändå en rapport" in pdf_text(data)
