"""Locale selection and Swedish-first formatting helpers."""

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_decimal
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


def format_percent_share(value: float | None, digits: int = 0) -> str:
    """0.617 -> '62 %' in Swedish; '–' for a missing value."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return f"{format_decimal(value * 100, format=pattern)}\u00a0%"
