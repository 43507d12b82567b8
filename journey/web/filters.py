"""Jinja filters and globals: Swedish number and date formats, enum labels."""

from datetime import date, datetime

from flask import Flask
from flask_babel import get_locale, to_user_timezone

from journey import enums
from journey.i18n import format_number, format_percent_share
from journey.web.urls import url_pattern


def fmt_date(value: date | datetime | None) -> str:
    # ISO dates read naturally in Swedish (2026-11-27) and are unambiguous in English.
    if value is None:
        return "–"
    # The same text as Babel's "yyyy-MM-dd (HH:mm)" patterns in every locale, without
    # Babel's pattern machinery (a list page formats a few hundred dates).
    if isinstance(value, datetime):
        return to_user_timezone(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def fmt_number(value) -> str:
    if value is None:
        return "–"
    return format_number(value, 2)  # Babel's "#,##0.##"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["date"] = fmt_date
    app.jinja_env.filters["number"] = fmt_number
    app.jinja_env.filters["percent"] = format_percent_share
    app.jinja_env.globals["label"] = enums.label
    app.jinja_env.globals["labels"] = enums.labels
    # Row links of long lists: url_pattern(endpoint, "item_id", ...) % item.id
    app.jinja_env.globals["url_pattern"] = url_pattern
    app.jinja_env.globals["E"] = enums
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "sv")
    app.jinja_env.globals["today"] = date.today
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions
