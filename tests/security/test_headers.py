"""Security headers on every response, and templates that a strict CSP can serve.

The policy (journey/web/security.py) allows scripts, styles, fonts and images
only from the app itself: no inline script or style, no eval. The template scan
below catches markup that would break under it before a browser does.
"""

import json
import re
from pathlib import Path

import pytest
from flask import Response

from journey import create_app
from journey.config import DEV_DATA_KEYS, DEV_HASH_KEY, Config
from journey.extensions import db as _db
from tests.conftest import csrf_from

HX = {"HX-Request": "true"}
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Rendered by WeasyPrint into PDFs, never served to a browser: their print CSS
# (@page rules) may stay inline. By convention they live in a pdf/ folder or are
# named pdf.html (DESIGN.md: templates/reports/pdf/).


def is_pdf_only(relative: Path) -> bool:
    return "pdf" in relative.parts[:-1] or relative.name == "pdf.html"

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
ALWAYS = {
    "Content-Security-Policy": EXPECTED_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_security_headers(response) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp
    # The test app runs the testing profile: no HSTS (it would pin localhost to HTTPS).
    assert "Strict-Transport-Security" not in response.headers


def assert_no_store(response) -> None:
    assert "no-store" in response.headers.get("Cache-Control", ""), response.headers


def cohort_id(world) -> int:
    return world["enr_a"].cohort_id


# -- headers on the kinds of responses the app serves ---------------------------------


def test_public_login_page(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert_security_headers(response)
    assert_no_store(response)  # an HTML page: may carry a typed e-mail address after an error


def test_logged_in_page(client, login_as, world):
    login_as(world["coach_a"])
    response = client.get(f"/enrollments/{world['enr_a'].id}")
    assert response.status_code == 200
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_htmx_partial(client, login_as, world):
    login_as(world["coach_a"])
    response = client.get("/participants?q=Amina", headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Amina" in html and "<html" not in html
    assert_security_headers(response)
    assert_no_store(response)


def test_htmx_post_with_validation_errors(client, login_as, world):
    """The 422 answer htmx swaps in (data-swap-status) carries the headers too."""
    login_as(world["coach_a"])
    enr = world["enr_a"]
    token = csrf_from(client.get(f"/enrollments/{enr.id}").get_data(as_text=True))
    response = client.post(f"/enrollments/{enr.id}/activities",
                           data={"kind": "coaching", "date": "", "duration_minutes": "60",
                                 "attendance": "planned"},
                           headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 422
    assert 'data-swap-status="422"' in response.get_data(as_text=True)
    assert_security_headers(response)
    assert_no_store(response)


@pytest.mark.parametrize("logged_in", [False, True])
def test_not_found(client, login_as, world, logged_in):
    if logged_in:
        login_as(world["coach_a"])
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert_security_headers(response)
    assert_no_store(response)


def test_redirect_to_login(client, world):
    response = client.get(f"/enrollments/{world['enr_a'].id}")
    assert response.status_code == 302
    assert_security_headers(response)


def test_json_report(client, login_as, world):
    login_as(world["manager1"])
    response = client.get(f"/cohorts/{cohort_id(world)}/report.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_csv_export(client, login_as, world):
    login_as(world["manager1"])
    response = client.get(f"/cohorts/{cohort_id(world)}/report.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert_security_headers(response)
    assert_no_store(response)


def test_pdf_keeps_its_own_stricter_cache_control(client, login_as, world):
    login_as(world["manager1"])
    response = client.get(f"/cohorts/{cohort_id(world)}/report.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "private, no-store"


def test_healthz_without_a_session_is_not_forced_to_no_store(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("logged_in", [False, True])
@pytest.mark.parametrize("path", ["/static/css/app.css", "/static/js/app.js",
                                  "/static/vendor/htmx.min.js"])
def test_static_files_keep_normal_caching(client, login_as, world, logged_in, path):
    if logged_in:
        login_as(world["coach_a"])
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers.get("ETag") or response.headers.get("Last-Modified")
    response.close()


def test_javascript_is_served_as_javascript(client):
    response = client.get("/static/js/app.js")
    assert response.mimetype in ("text/javascript", "application/javascript")
    response.close()


# -- apps built for one test: production profile, views with their own caching --------


@pytest.fixture
def make_app(app):
    """``make_app(config)`` another app on the test database; its engine is disposed after."""
    made = []

    def _make(config, routes=None):
        other = create_app(config)
        for rule, view in (routes or {}).items():
            other.add_url_rule(rule, rule.strip("/").replace("-", "_"), view)
        made.append(other)
        return other

    yield _make
    for other in made:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()


def test_hsts_only_in_production(app, make_app):
    class ProductionLike(Config):
        SECRET_KEY = "production-like-test-secret"  # noqa: S105
        JOURNEY_DATA_KEYS, JOURNEY_HASH_KEY = DEV_DATA_KEYS, DEV_HASH_KEY
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

    production = make_app(ProductionLike)
    assert production.config["ENV_NAME"] == "production"
    for path in ("/login", "/healthz", "/static/css/app.css", "/no-such-page"):
        response = production.test_client().get(path)
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"), path
        assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
        response.close()

    development = make_app({"ENV_NAME": "development",
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    response = development.test_client().get("/login")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers


def test_cache_control_set_by_a_view(app, make_app):
    def html_page_cached_publicly():
        return Response("<p>personal</p>", mimetype="text/html",
                        headers={"Cache-Control": "public, max-age=600"})

    def json_cached_publicly():
        return Response("{}", mimetype="application/json",
                        headers={"Cache-Control": "public, max-age=600"})

    def html_no_store_private():
        return Response("<p>x</p>", mimetype="text/html",
                        headers={"Cache-Control": "private, no-store, max-age=0"})

    other = make_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]},
                     routes={"/t-html": html_page_cached_publicly,
                             "/t-json": json_cached_publicly,
                             "/t-strict": html_no_store_private})
    client = other.test_client()
    # An HTML page may carry personal data: a weaker directive is replaced.
    assert client.get("/t-html").headers["Cache-Control"] == "no-store"
    # Anonymous, not HTML: the view's own caching stands.
    assert client.get("/t-json").headers["Cache-Control"] == "public, max-age=600"
    # Already no-store: left as the view wrote it.
    assert client.get("/t-strict").headers["Cache-Control"] == "private, no-store, max-age=0"
    # A logged-in user's responses are never stored, whatever their type.
    with client.session_transaction() as session:
        session["_user_id"] = "1:token"
    assert client.get("/t-json").headers["Cache-Control"] == "no-store"


# -- what the pages ask of htmx ------------------------------------------------------


def test_htmx_runs_without_eval_and_without_a_history_cache(client):
    html = client.get("/login").get_data(as_text=True)
    match = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    assert match
    config = json.loads(match.group(1))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["historyCacheSize"] == 0
    # Settling a style attribute would be an inline style the CSP blocks.
    assert "style" not in config["attributesToSettle"]
    codes = {rule["code"]: rule for rule in config["responseHandling"]}
    assert codes["(400|409|422)"] == {"code": "(400|409|422)", "swap": True, "error": False}
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == [
        '<script src="/static/vendor/htmx.min.js" defer>',
        '<script src="/static/js/app.js" defer>',
    ]


def test_app_js_handles_the_data_attributes_the_templates_use():
    source = (TEMPLATES.parent / "static" / "js" / "app.js").read_text(encoding="utf-8")
    used = set()
    for path in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r"\b(data-(?:swap-status|upload-progress|no-request-with-"
                               r"digits))\b", path.read_text(encoding="utf-8")))
    assert used == {"data-swap-status", "data-upload-progress", "data-no-request-with-digits"}
    for attribute in used:
        assert f'"{attribute}"' in source, attribute
    for event in ("htmx:beforeSwap", "htmx:xhr:progress", "htmx:confirm"):
        assert f'"{event}"' in source
    assert "eval(" not in source and "Function(" not in source and "innerHTML" not in source


# -- the template scan ---------------------------------------------------------------

COMMENTS = re.compile(r"\{#.*?#\}|<!--.*?-->", re.S)
FORBIDDEN = {
    "hx-on attribute (needs eval)": re.compile(r"\bhx-on\b"),
    "inline event handler": re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.S),
    "inline <script> (no src)": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.S),
    "style attribute": re.compile(r"\sstyle\s*=", re.S),
    "<style> element": re.compile(r"<style\b"),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "js: value in hx-vals/hx-headers (needs eval)": re.compile(
        r"hx-(?:vals|headers)\s*=\s*['\"]\s*js:"),
    "hx-vars (needs eval)": re.compile(r"\bhx-vars\b"),
    "[filter] in hx-trigger (needs eval)": re.compile(r"hx-trigger\s*=\s*\"[^\"]*\["),
}


def problems_in(text: str) -> list[str]:
    text = COMMENTS.sub("", text)
    return [name for name, pattern in FORBIDDEN.items() if pattern.search(text)]


def browser_templates() -> list[Path]:
    paths = sorted(p for p in TEMPLATES.rglob("*.html")
                   if not is_pdf_only(p.relative_to(TEMPLATES)))
    assert len(paths) > 50
    return paths


def test_no_template_served_to_browsers_needs_inline_script_style_or_eval():
    found = {}
    for path in browser_templates():
        problems = problems_in(path.read_text(encoding="utf-8"))
        if problems:
            found[path.relative_to(TEMPLATES).as_posix()] = problems
    assert found == {}


def test_only_pdf_templates_are_exempt():
    exempt = {p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")
              if is_pdf_only(p.relative_to(TEMPLATES))}
    assert {"reports/pdf/report.html", "reports/program/pdf.html"} <= exempt
    assert all(name.endswith("pdf.html") or "/pdf/" in name for name in exempt)
    assert "layout/base.html" not in exempt


@pytest.mark.parametrize("snippet, problem", [
    ('<div hx-on::before-swap="x()">', "hx-on attribute (needs eval)"),
    ('<section\n  hx-on:htmx:xhr:progress="x">', "hx-on attribute (needs eval)"),
    ('<button type="button" onclick="go()">', "inline event handler"),
    ('<body\n onload="x()">', "inline event handler"),
    ("<script>alert(1)</script>", "inline <script> (no src)"),
    ('<script type="module">x</script>', "inline <script> (no src)"),
    ('<p style="color: red">', "style attribute"),
    ('<rect width="4" style="fill: red"/>', "style attribute"),
    ("<style>p { color: red }</style>", "<style> element"),
    ('<a href="javascript:void(0)">', "javascript: URL"),
    ("<div hx-vals='js:{a: 1}'>", "js: value in hx-vals/hx-headers (needs eval)"),
    ('<div hx-vars="a:1">', "hx-vars (needs eval)"),
    ('<input hx-trigger="keyup[key==\'Enter\']">', "[filter] in hx-trigger (needs eval)"),
])
def test_the_scan_catches(snippet, problem):
    assert problem in problems_in(snippet)


@pytest.mark.parametrize("snippet", [
    '<script src="/static/js/app.js" defer></script>',
    '<div data-swap-status="409 422" hx-trigger="change, submit">',
    "{# hx-on and <script> in a comment #}",
    "{% set only = 1 %}<p class=\"one\">Once</p>",
    '<rect x="0" width="4" fill="#333"/>',
])
def test_the_scan_allows(snippet):
    assert problems_in(snippet) == []
