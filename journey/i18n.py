"""Locale selection and Swedish-first formatting helpers."""

from flask import Flask, request, session
from flask_babel import format_decimal
from flask_login import current_user

from journey.extensions import babel


def select_locale() -> str:
    if current_user and current_user.is_authenticated:
        return str(current_user.locale)
    chosen = session.get("locale")
    if chosen in ("sv", "en"):
        return chosen
    # Swedish unless the visitor's browser asks for English only.
    best = request.accept_languages.best_match(["sv", "en"]) if request else None
    return best or "sv"


def init_babel(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)


def format_percent_share(value: float | None, digits: int = 0) -> str:
    """0.617 -> '62 %' in Swedish; '–' for a missing value."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return f"{format_decimal(value * 100, format=pattern)}\u00a0%"
