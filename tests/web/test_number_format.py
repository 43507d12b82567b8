"""format_number prints exactly what Babel's format_decimal prints, only faster."""

import random
from decimal import Decimal

import pytest
from flask import render_template_string
from flask_babel import force_locale, format_decimal

from journey.i18n import format_number, format_percent_share
from journey.reports.charts import num, pct_range
from journey.web.filters import fmt_number

# (max_fraction, min_fraction) -> the Babel pattern the callers used to pass.
PATTERNS = {
    (0, 0): "#,##0",
    (1, 0): "#,##0.#",
    (2, 0): "#,##0.##",
    (1, 1): "#,##0.0",
    (2, 2): "#,##0.00",
    (3, 1): "#,##0.0##",
}


def _values() -> list:
    rng = random.Random(20260115)
    values: list = [
        0, 1, -1, 7, 999, 1000, -1000, 9999, 12345, 123456, 1234567, -7654321,
        10**12, 10**15 - 1, 10**15, -(10**15), 10**20, 10**26, 10**27, 10**30,
        0.0, -0.0, 0.04, -0.04, 0.05, -0.05, 0.125, 0.375, 2.675, 1.005, 0.5, 1.5,
        2.5, -2.5, 0.95, 9.95, 9.995, 99.95, 999.95, 999.5, 999999.5, -999.96,
        1234.5, 1234567.891, -1234567.891, 1e-7, -1e-7, 1e15, 1e16, 1.5e20, 0.1 + 0.2,
        61.7, 0.617 * 100, 0.345 * 100, 0.615 * 100, 1 / 3, 2 / 3, -2 / 3,
        float("inf"), float("-inf"), float("nan"),
        Decimal("2.675"), Decimal("0.125"), Decimal("-0.04"), Decimal("-0.00"),
        Decimal("0"), Decimal("1E+3"), Decimal("1.50"), Decimal("12345.6789"),
        Decimal("-9999.95"), Decimal("0.0000001"), Decimal("625") / 10,
        Decimal("123456789012345678901234567890.125"), Decimal("NaN"), Decimal("-Infinity"),
        # More digits than the decimal context keeps (28): rounded before quantizing.
        Decimal("1.23456789012345678901234567890125"),
        Decimal("-0.1250000000000000000000000000001"),
        Decimal("0.04999999999999999999999999999999"),
        Decimal("12345678901234567890.1250000000001"),
        "1234.5", "-0.05",
    ]
    # Exact binary halves and the usual decimal "halves" that are not exact.
    values += [k / 8 for k in range(-40, 41)]
    values += [k / 20 for k in range(-60, 61)]
    values += [k / 200 for k in range(-300, 301)]
    values += [k / 2000 for k in range(0, 2001, 7)]
    values += [Decimal(k) / 200 for k in range(-300, 301, 3)]
    for _ in range(1500):
        magnitude = 10 ** rng.randint(-4, 12)
        values.append(round(rng.uniform(-1, 1) * magnitude, rng.randint(0, 6)))
        values.append(rng.uniform(-1, 1) * magnitude)
        values.append(rng.randint(-(10**9), 10**9))
    return values


VALUES = _values()


def _outcome(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - errors must match too
        return type(error)


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_same_text_as_babel_for_every_pattern_and_value(app, locale):
    with app.test_request_context(), force_locale(locale):
        mismatches = []
        for (max_fraction, min_fraction), pattern in PATTERNS.items():
            for value in VALUES:
                expected = _outcome(format_decimal, value, format=pattern)
                got = _outcome(format_number, value, max_fraction, min_fraction)
                if got != expected:
                    mismatches.append((pattern, value, expected, got))
        assert mismatches == []


def test_same_text_as_babel_without_a_request(app):
    # An app context but no request: the default locale, as Flask-Babel does.
    for value in VALUES[:200]:
        assert _outcome(format_number, value, 2) == _outcome(format_decimal, value,
                                                             format="#,##0.##")
    assert format_number(1234.5, 1) == "1\u00a0234,5"


def test_swedish_and_english_texts(app):
    with app.test_request_context():
        assert format_number(1234.5, 1) == "1\u00a0234,5"
        assert format_number(-1234567.891, 2) == "-1\u00a0234\u00a0567,89"
        assert format_number(-0.04, 1) == "-0"
        assert format_number(2.675, 2) == "2,68"
        assert format_number(0.125, 2) == "0,12"
        assert fmt_number(1234) == "1\u00a0234"
        assert fmt_number(1234.5) == "1\u00a0234,5"
        assert fmt_number(None) == "–"
        assert num(12.25) == "12,2"
        assert format_percent_share(0.617) == "62\u00a0%"
        assert format_percent_share(0.625, 1) == "62,5\u00a0%"
        assert format_percent_share(0.5, 2) == "50,00\u00a0%"
        assert pct_range(0.345, 0.75) == "34\u201375\u00a0%"
        html = render_template_string("{{ 1234.5|number }} {{ 0.617|percent }}")
        assert html == "1\u00a0234,5 62\u00a0%"
        with force_locale("en"):
            assert format_number(1234.5, 1) == "1,234.5"
            assert fmt_number(1234567.891) == "1,234,567.89"
            assert format_percent_share(0.625, 1) == "62.5\u00a0%"
            assert render_template_string("{{ 1234.5|number }}") == "1,234.5"
