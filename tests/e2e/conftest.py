"""Browser tests: the real app served on a loopback port, driven by the system Chromium.

The server runs the session's ``app`` in a background thread, so test data made
with the factories is visible to the browser once it is committed. Every page a
test visits can be checked with axe-core (``axe_check``) and photographed
(``screenshot``) into ``screenshots/e2e/``.

The app sends a strict Content-Security-Policy. Every browser context a test
opens reports each CSP violation (``securitypolicyviolation`` events, and
Chromium's own "Content Security Policy" console messages); ``axe_check`` and
the end of the test fail if any happened.
"""

import contextlib
import os
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe.min.js"
E2E_DIR = Path(__file__).resolve().parent
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(config, items):
    # Conftest hooks see the whole session's items: mark only those in this folder.
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """The Debian Chromium, headless; never a downloaded Playwright build."""
    if not CHROMIUM.exists():
        reason = (f"{CHROMIUM} not found: install the Debian package "
                  "(apt-get install chromium) to run the browser tests")
        if _under_ci():
            pytest.fail(reason + " (CI=true: browser tests are required, not skipped)",
                        pytrace=False)
        pytest.skip(reason)
    return {
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def _read_whole(app):
    """The app with each response read whole (and closed) before Werkzeug sends it.

    When the browser drops a connection mid-response (it navigates on while a static
    file is still downloading), Werkzeug's development server can skip closing the
    response: its clean-up reads the dropped socket first, which raises. The open
    static file is then collected unclosed, and under ``filterwarnings = error`` that
    ResourceWarning failed whichever browser test was running. The test app's
    responses are small, so reading them whole costs nothing.
    """
    def wsgi(environ, start_response):
        iterable = app(environ, start_response)
        try:
            return [b"".join(iterable)]
        finally:
            if hasattr(iterable, "close"):
                iterable.close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(app):
    """Base URL of the session's app served by Werkzeug in a background thread."""
    server = make_server("127.0.0.1", 0, _read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    # A Swedish browser, as most users have (the app defaults to Swedish anyway).
    return {
        **browser_context_args,
        "base_url": live_server,
        "locale": "sv-SE",
        "timezone_id": "Europe/Stockholm",
        "viewport": {"width": 1280, "height": 800},
    }


def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core found {len(violations)} WCAG 2.1 A/AA violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} [{v.get('impact') or 'n/a'}]: {v['help']}")
        lines.append(f"  {v.get('helpUrl', '')}")
        for node in v.get("nodes", []):
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    target: {target}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make install` to copy axe-core into "
                    "static/vendor/", pytrace=False)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # By URL, from the app's own static files: add_script_tag(path=...) would
        # inline the file's text, which the CSP (script-src 'self') blocks.
        origin = page.evaluate("() => window.location.origin")
        page.add_script_tag(url=f"{origin}/static/vendor/axe.min.js")
    return page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )


# Runs in every page before its own scripts (Playwright injects it through the
# DevTools protocol, which the page's CSP does not govern).
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
    window.__journeyReportCsp({
        url: document.location.href,
        directive: e.effectiveDirective || e.violatedDirective,
        blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber,
        sample: e.sample,
    });
}, true);
"""


class CspViolations(list):
    """CSP violations reported by the pages of the test's browser contexts."""

    def watch(self, context) -> None:
        context.expose_binding("__journeyReportCsp",
                               lambda _source, report: self.append(report))
        context.add_init_script(script=_CSP_LISTENER)
        context.on("console", self._on_console)

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.append({"url": message.location.get("url", ""), "console": message.text})

    def report(self) -> str:
        lines = [f"{len(self)} Content-Security-Policy violation(s):"]
        lines += [f"- {v}" for v in self]
        return "\n".join(lines)

    def check(self, pages=()) -> None:
        for page in pages:
            # A round trip, so that reports still in flight are delivered.
            with contextlib.suppress(PlaywrightError):
                if not page.is_closed():
                    page.evaluate("() => 0")
        if self:
            pytest.fail(self.report(), pytrace=False)


@pytest.fixture
def csp_violations() -> CspViolations:
    return CspViolations()


@pytest.fixture
def new_context(new_context, csp_violations):
    """pytest-playwright's ``new_context``, each context watched for CSP violations."""
    contexts = []

    def _new_context(**kwargs):
        context = new_context(**kwargs)
        csp_violations.watch(context)
        contexts.append(context)
        return context

    yield _new_context
    csp_violations.check([page for context in contexts for page in context.pages])


@pytest.fixture
def axe_check(csp_violations):
    """``axe_check(page)`` fails the test with a readable list of axe violations.

    It also fails when a Content-Security-Policy violation has happened so far.
    """

    def _check(page):
        csp_violations.check([page])
        violations = run_axe(page)
        if violations:
            pytest.fail(_format_violations(page.url, violations), pytrace=False)
        csp_violations.check([page])

    return _check


@pytest.fixture
def screenshot(pytestconfig, request):
    """``screenshot(page, "name")`` saves a full-page PNG to screenshots/e2e/."""
    # Not under --output: pytest-playwright empties that folder at every run.
    folder = Path(pytestconfig.rootpath) / "screenshots" / "e2e"
    folder.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")

    def _shot(page, name: str) -> Path:
        path = folder / f"{test_name}--{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
