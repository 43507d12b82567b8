"""The Swedish catalogue is complete, and users switch language per account."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from journey.auth.models import User
from journey.enums import Role
from journey.i18n import format_percent_share
from journey.web.filters import fmt_number
from tests import factories
from tests.conftest import page_token

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _extracted_msgids() -> set[str]:
    found = set()
    # Walk only the two source trees (not .venv or node_modules).
    for folder, method in (("journey", "python"), ("templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(ROOT / folder), method_map=[(pattern, method)], keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_string_in_code_and_templates_has_a_swedish_translation():
    with open(ROOT / "journey/translations/sv/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh, locale="sv")
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings) and not message.fuzzy:
            translated[key] = strings
    extracted = _extracted_msgids()
    assert extracted, "extraction found no strings"
    missing = sorted(extracted - set(translated))
    assert missing == [], f"untranslated (run `make translations`, then translate): {missing}"


def test_swedish_number_and_percent_formats(app):
    with app.test_request_context():
        assert fmt_number(1234) == "1\u00a0234"
        assert format_percent_share(0.617) == "62\u00a0%"
        assert format_percent_share(None) == "–"


def test_locale_switch_is_remembered_on_the_user(client, login_as, db):
    coach = factories.user(Role.coach)
    login_as(coach)
    html = client.get("/caseload").get_data(as_text=True)
    assert '<html lang="sv">' in html and "Mina deltagare" in html
    token = page_token(client, "/caseload")
    response = client.post("/locale", data={"locale": "en", "next": "/caseload",
                                            "csrf_token": token})
    assert response.headers["Location"] == "/caseload"
    html = client.get("/caseload").get_data(as_text=True)
    assert '<html lang="en">' in html and "My caseload" in html
    db.session.expire_all()
    assert db.session.get(User, coach.id).locale == "en"


def test_anonymous_visitor_can_switch_the_login_page_to_english(client):
    token = page_token(client, "/login")
    client.post("/locale", data={"locale": "en", "next": "/login", "csrf_token": token})
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html and "Log in to Journey" in html


def test_locale_switch_rejects_unknown_language_and_offsite_next(client, login_as, db):
    coach = factories.user(Role.coach)
    login_as(coach)
    token = page_token(client, "/caseload")
    response = client.post("/locale", data={"locale": "xx", "next": "//evil.example",
                                            "csrf_token": token})
    assert response.headers["Location"] == "/"
    db.session.expire_all()
    assert db.session.get(User, coach.id).locale == "sv"


def test_cached_translations_follow_force_locale_and_refresh(app):
    """The per-request translations cache still switches with force_locale/refresh."""
    from datetime import datetime

    from flask_babel import force_locale, refresh

    from journey.enums import Attendance, label
    from journey.i18n import gettext, lazy_gettext, ngettext
    from journey.web.filters import fmt_date

    lazy = lazy_gettext("Activities")
    with app.test_request_context("/"):
        assert gettext("Activities") == "Aktiviteter" == str(lazy)
        assert label(Attendance, "no_show") == "Uteblev"
        with force_locale("en"):
            assert gettext("Activities") == "Activities" == str(lazy)
            assert label(Attendance, "no_show") == "No-show"
            assert ngettext("%(num)d participant", "%(num)d participants", 2) == \
                "2 participants"
        assert gettext("Activities") == "Aktiviteter" == str(lazy)
        app.config["BABEL_DEFAULT_LOCALE"] = "en"
        try:
            refresh()
            assert gettext("Activities") == "Activities"
        finally:
            app.config["BABEL_DEFAULT_LOCALE"] = "sv"
        # Dates keep Babel's ISO text; times are shown in Stockholm time.
        assert fmt_date(datetime(2026, 1, 15, 23, 30)) == "2026-01-16 00:30"
    # Outside a request: the untranslated text, no error.
    assert str(lazy) == "Activities"


def test_template_gettext_escapes_variables_formats_percent_and_translates(app):
    """``_``, ``gettext``, ``ngettext`` and ``{% trans %}`` in templates behave as
    Jinja's newstyle gettext: translated, variables escaped in an autoescaped
    template (and not in a plain one), ``%%`` printed as ``%``."""
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context("/"):
        page = render_template_string(
            '{{ _("Activities") }}|{{ gettext("Activities") }}'
            '|{{ _("at %(time)s", time="<b>") }}|{{ _("Job or studies (95 %% interval)") }}'
            '|{{ ngettext("%(num)d participant", "%(num)d participants", 3) }}'
            '|{% trans %}Activities{% endtrans %}|{{ _("Activities") is string }}')
        assert page == ("Aktiviteter|Aktiviteter|kl. &lt;b&gt;"
                        "|Arbete eller studier (95 %-intervall)|3 deltagare|Aktiviteter|True")
        with force_locale("en"):
            assert render_template_string('{{ _("at %(time)s", time="<b>") }}') == "at &lt;b&gt;"
        # A template without autoescaping (a plain-text body) gets the variables as they are.
        plain = app.jinja_env.from_string(
            '{% autoescape false %}{{ _("at %(time)s", time="<b>") }}'
            '{{ _("Activities") is string }}{% endautoescape %}')
        with force_locale("en"):
            assert plain.render() == "at <b>True"
        # Python code's gettext is old-style: a lone "%" is just text there.
        from journey.i18n import gettext
        assert gettext("Job or studies per programme, with 95 % intervals") == \
            "Arbete eller studier per program, med 95 %-intervall"
