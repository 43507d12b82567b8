"""Browser tests: the real app served on a loopback port, driven by the system Chromium.

The server runs the session's ``app`` in a background thread, so test data made
with the factories is visible to the browser once it is committed. Every page a
test visits can be checked with axe-core (``axe_check``) and photographed
(``screenshot``) into ``screenshots/e2e/``.
"""

import os
import re
import threading
from pathlib import Path

import pytest
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


@pytest.fixture(scope="session")
def live_server(app):
    """Base URL of the session's app served by Werkzeug in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
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
        page.add_script_tag(path=str(AXE_JS))
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


@pytest.fixture
def axe_check():
    """``axe_check(page)`` fails the test with a readable list of axe violations."""

    def _check(page):
        violations = run_axe(page)
        if violations:
            pytest.fail(_format_violations(page.url, violations), pytrace=False)

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
