"""Jinja filters and globals: Swedish number and date formats, enum labels."""

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from journey import enums
from journey.i18n import format_percent_share


def fmt_date(value: date | datetime | None) -> str:
    # ISO dates read naturally in Swedish (2026-11-27) and are unambiguous in English.
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return format_datetime(value, "yyyy-MM-dd HH:mm")
    return format_date(value, "yyyy-MM-dd")


def fmt_number(value) -> str:
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0.##")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["date"] = fmt_date
    app.jinja_env.filters["number"] = fmt_number
    app.jinja_env.filters["percent"] = format_percent_share
    app.jinja_env.globals["label"] = enums.label
    app.jinja_env.globals["E"] = enums
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "sv")
    app.jinja_env.globals["today"] = date.today
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
