"""PDF rendering with WeasyPrint, allowed to read only the app's own static files.

The report HTML is ours, but it contains text from the database; a URL
fetcher that refuses everything except ``/static/...`` keeps a crafted value
from making the server read local files (``file://``) or call other hosts.
"""

import contextlib
import gc
import mimetypes
import os
import posixpath
import select
import signal
import threading
import time
from datetime import date
from urllib.parse import unquote, urlsplit

from flask import current_app

# Base URL for PDFs rendered outside a request (the CLI): only /static/ is ever fetched.
OFFLINE_BASE_URL = "http://localhost/"


class FetchRefused(ValueError):
    """WeasyPrint asked for a resource outside the app's static folder."""


def _static_path(url: str, static_folder: str, static_url_path: str, base_host: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"scheme not allowed: {parts.scheme or '(none)'}")
    if parts.netloc != base_host:
        raise FetchRefused("other host")
    if parts.query:
        raise FetchRefused("query not allowed")
    path = unquote(parts.path)
    prefix = static_url_path.rstrip("/") + "/"
    if not path.startswith(prefix) or "\\" in path or "\x00" in path:
        raise FetchRefused("not a static file")
    relative = path[len(prefix):]
    normalised = posixpath.normpath(relative)
    if normalised.startswith("../") or normalised in ("..", ".") or normalised.startswith("/"):
        raise FetchRefused("path traversal")
    root = os.path.realpath(static_folder)
    full = os.path.realpath(os.path.join(root, *normalised.split("/")))
    if os.path.commonpath([root, full]) != root or not os.path.isfile(full):
        raise FetchRefused("not a static file")
    return full


class StaticOnlyFetcher:
    """Serves ``/static/...`` of this app from disk; refuses every other URL.

    Built lazily as a WeasyPrint ``URLFetcher`` subclass (see ``make_url_fetcher``);
    the check itself, ``resolve``, is plain Python so it can be tested alone.
    """

    def __init__(self, base_url: str, static_folder: str, static_url_path: str):
        self.base_host = urlsplit(base_url).netloc
        self.static_folder = static_folder
        self.static_url_path = static_url_path

    def resolve(self, url: str) -> str:
        """The file on disk for ``url``, or ``FetchRefused``."""
        return _static_path(url, self.static_folder, self.static_url_path, self.base_host)

    def read(self, url: str) -> tuple[bytes, str]:
        full = self.resolve(url)
        with open(full, "rb") as handle:
            data = handle.read()
        mime, _enc = mimetypes.guess_type(full)
        return data, mime or "application/octet-stream"


def make_url_fetcher(base_url: str, static_folder: str | None = None,
                     static_url_path: str | None = None):
    """A WeasyPrint ``url_fetcher`` that serves files of the static folder and nothing else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static = StaticOnlyFetcher(
        base_url,
        static_folder or current_app.static_folder,
        static_url_path or current_app.static_url_path or "/static",
    )

    class _Fetcher(URLFetcher):
        def fetch(self, url, headers=None):
            data, mime = static.read(url)
            return URLFetcherResponse(url, data, {"Content-Type": mime})

    fetcher = _Fetcher(allowed_protocols=("http", "https"), allow_redirects=False)
    fetcher.static = static
    return fetcher


_fonts = threading.local()


def font_configuration():
    """This thread's WeasyPrint ``FontConfiguration``, made once and kept.

    Given none, WeasyPrint makes a new one for every document (a fontconfig
    configuration and a Pango font map, 0.38 MB of RSS per report PDF that a
    process never gets back; 0.15 MB with this one reused, bench/pdf_memory.py).
    PDFs are rendered in a child process (``render_pdf``), which inherits this
    configuration from the worker instead of building its own each time. One per
    thread, as Pango's font maps are not meant to be shared between threads. The
    app's PDFs declare no ``@font-face`` (a test keeps it so), which would add font
    files to the configuration with every document.
    """
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


class PdfRenderError(RuntimeError):
    """The process rendering a PDF failed, died or took too long."""


def render_pdf(html: str, base_url: str) -> bytes:
    """Render ``html`` to PDF bytes; relative URLs resolve against ``base_url``.

    With ``PDF_RENDER_IN_CHILD`` (the default where the system can fork) WeasyPrint
    runs in a child process forked for this one document: what the rendering
    allocates goes with the child. In the worker itself, the first report PDF of a
    5 000-enrollment cohort raised its RSS by 42 MB for good and every later one by
    0.15 MB more (bench/pdf_memory.py); in a child the worker's memory stays where
    it is. WeasyPrint is imported and the font configuration made here, once, so
    every child starts with them.
    """
    import weasyprint  # imported lazily: it is heavy and only PDFs need it

    fetcher = make_url_fetcher(base_url)
    fonts = font_configuration()

    def write() -> bytes:
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        return document.write_pdf(font_config=fonts)

    if current_app.config["PDF_RENDER_IN_CHILD"] and hasattr(os, "fork"):
        return _in_child(write, current_app.config["PDF_RENDER_TIMEOUT"])
    return write()


# A gunicorn worker's own handlers: in the child the defaults (a signal to the
# process group, e.g. Ctrl-C, ends the child; it does not run the worker's shutdown).
_RESET_SIGNALS = ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH",
                  "SIGABRT", "SIGCHLD")
_OK, _FAILED = b"\x00", b"\x01"


def _in_child(work, timeout: float) -> bytes:
    """``work()`` in a forked child; its bytes back through a pipe, or PdfRenderError.

    The child touches nothing of the parent's but memory: no database connection,
    no socket, no file but the static files the fetcher reads and the pipe. It
    leaves with ``os._exit``, so no exit handler, finaliser or buffered output of
    the parent runs twice.
    """
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError as error:  # no process to be had (memory, process limit): render here
        os.close(read_end)
        os.close(write_end)
        current_app.logger.warning("PDF rendered in the worker: fork failed (%s)", error)
        return work()
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read_end)
            gc.freeze()  # the parent's objects: not for this child's collector to walk
            for name in _RESET_SIGNALS:
                try:
                    signal.signal(getattr(signal, name), signal.SIG_DFL)
                except (AttributeError, ValueError, OSError):
                    pass
            try:
                payload = _OK + work()
                code = 0
            except BaseException as error:  # reported to the parent, which raises
                payload = _FAILED + f"{type(error).__name__}: {error}".encode(
                    "utf-8", "replace")[:2000]
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(code)
    os.close(write_end)
    chunks = []
    timed_out = False
    try:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([pipe], [], [], left)[0]:
                    timed_out = True
                    with contextlib.suppress(ProcessLookupError):  # it may just have ended
                        os.kill(pid, signal.SIGKILL)
                    break
                chunk = pipe.read(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        _pid, status = os.waitpid(pid, 0)
    if timed_out:
        raise PdfRenderError(f"rendering the PDF took longer than {timeout:g} s")
    payload = b"".join(chunks)
    if payload[:1] == _OK and os.waitstatus_to_exitcode(status) == 0:
        return payload[1:]
    if payload[:1] == _FAILED:
        raise PdfRenderError(payload[1:].decode("utf-8", "replace"))
    raise PdfRenderError(f"the PDF process ended with status {os.waitstatus_to_exitcode(status)}")


def render_cohort_pdf(report) -> bytes:
    """The cohort report PDF from a ``CohortReport`` (or its JSON dict), outside a request.

    Used by ``flask journey report --format pdf``; the text is in the default
    language, as the CLI speaks it.
    """
    from journey.cohorts.models import Cohort
    from journey.extensions import db
    from journey.reports.pages import render_report_pdf

    if not isinstance(report, dict):
        from journey.reports.queries import annotate_small_cells, report_to_json

        report = annotate_small_cells(report_to_json(report), report)
    cohort = db.session.get(Cohort, report["cohort"]["id"])
    as_of = date.fromisoformat(report["as_of"])
    # Templates use url_for and the locale: give them a request of their own.
    with current_app.test_request_context("/", base_url=OFFLINE_BASE_URL):
        return render_report_pdf(report, cohort, as_of, OFFLINE_BASE_URL)


def pdf_download(pdf: bytes, filename: str):
    """A PDF as an attachment that no shared cache keeps (reports are personal to a manager)."""
    from flask import make_response

    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
