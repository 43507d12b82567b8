"""Locale selection and Swedish-first formatting helpers."""

from flask import Flask, current_app, has_request_context, session
from flask.globals import _cv_app  # the app context itself, without LocalProxy lookups
from flask_babel import LazyString, format_decimal, get_translations
from flask_login import current_user

from journey.extensions import babel


def select_locale() -> str:
    if not has_request_context():
        # CLI and background work speak the default language (Swedish).
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "sv")
    if current_user and current_user.is_authenticated:
        return str(current_user.locale)
    chosen = session.get("locale")
    if chosen in ("sv", "en"):
        return chosen
    # Swedish by default, whatever the browser asks for: the product's language
    # is Swedish and English is a per-user choice.
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "sv")


def init_babel(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    install_jinja_gettext(app)


def format_percent_share(value: float | None, digits: int = 0) -> str:
    """0.617 -> '62 %' in Swedish; '–' for a missing value."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return f"{format_decimal(value * 100, format=pattern)}\u00a0%"


def translations():
    """The request's translations, looked up once per request and locale.

    Flask-Babel keeps the locale per request but finds it again on every
    ``gettext`` through several context-local lookups and a locale-to-string
    conversion; a page with a few hundred strings spent a fifth of its time
    there. The cached object is keyed on Flask-Babel's own locale object, so
    ``force_locale()`` and ``refresh()`` still switch languages.
    """
    ctx = _cv_app.get(None)
    if ctx is None:
        return get_translations()
    ns = ctx.g.__dict__.get("_flask_babel")
    if ns is not None:
        cached = getattr(ns, "journey_translations", None)
        if cached is not None and cached[0] is getattr(ns, "babel_locale", None):
            return cached[1]
    found = get_translations()
    ns = ctx.g.__dict__.get("_flask_babel")
    if ns is not None:
        ns.journey_translations = (getattr(ns, "babel_locale", None), found)
    return found


def gettext(string: str, **variables) -> str:
    """``flask_babel.gettext`` with the per-request translations lookup."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """``flask_babel.ngettext`` with the per-request translations lookup."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """Translated when turned into a string, in the locale of that moment."""
    return LazyString(gettext, string, **variables)


def install_jinja_gettext(app: Flask) -> None:
    """Jinja's ``_``/``gettext``/``ngettext`` through :func:`translations`."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
