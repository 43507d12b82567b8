"""Parsing and validating personnummer and samordningsnummer."""

from datetime import date

import pytest

from journey.enums import Gender
from journey.participants.personnummer import (
    PersonnummerError,
    looks_like_number,
    luhn_digit,
    mask,
    parse,
)
from tests.participants.helpers import luhn_valid, make_id, with_wrong_check_digit

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize("number", ["811218-9876", "19121212-1212", "701063-2391"])
def test_published_example_numbers_pass_the_independent_luhn_check(number):
    digits = number.replace("-", "")[-10:]
    assert luhn_valid(digits)
    assert luhn_digit(digits[:9]) == int(digits[9])


def test_tolvan_in_every_accepted_form():
    # Tolvan is over 100, so the short form takes a "+" ("-" would mean 2012).
    for text in ("19121212-1212", "191212121212", "121212+1212", " 1912 1212-1212 "):
        result = parse(text, today=TODAY)
        assert result.digits12 == "191212121212"
        assert result.birth_date == date(1912, 12, 12)
        assert result.is_coordination is False
        assert result.gender_hint == Gender.man  # second-to-last digit 1: odd


def test_ten_digit_form_without_separator_is_accepted():
    assert parse("8112189876", today=TODAY).digits12 == "198112189876"


def test_century_is_inferred_relative_to_today():
    number = make_id(date(2005, 3, 1))
    short = f"{number[2:8]}-{number[8:]}"
    assert parse(short, today=TODAY).birth_date == date(2005, 3, 1)
    # Seen from 2004 the same digits cannot be a date in the future: 1905.
    assert parse(short, today=date(2004, 1, 1)).birth_date == date(1905, 3, 1)


def test_birthday_later_this_year_belongs_to_the_previous_century():
    number = make_id(date(1926, 12, 24))
    short = f"{number[2:8]}-{number[8:]}"
    assert parse(short, today=TODAY).birth_date == date(1926, 12, 24)
    number = make_id(date(2026, 11, 27))
    assert parse(f"{number[2:8]}-{number[8:]}", today=TODAY).birth_date == date(2026, 11, 27)


def test_plus_means_a_hundred_years_or_older():
    number = make_id(date(1918, 5, 2))
    plus = f"{number[2:8]}+{number[8:]}"
    result = parse(plus, today=TODAY)
    assert result.birth_date == date(1918, 5, 2)
    assert result.digits12 == number
    # With a hyphen the same digits mean 2018.
    assert parse(f"{number[2:8]}-{number[8:]}", today=TODAY).birth_date == date(2018, 5, 2)


def test_coordination_number_has_day_plus_sixty():
    number = make_id(date(1970, 10, 3), 239, coordination=True)
    assert number[6:8] == "63"
    result = parse(number, today=TODAY)
    assert result.is_coordination is True
    assert result.birth_date == date(1970, 10, 3)
    assert result.digits12 == number  # stored with the coded day
    assert result.gender_hint == Gender.man
    assert result.masked == number[:8] + "-****"


def test_gender_hint_from_second_to_last_digit():
    assert parse(make_id(date(1990, 1, 1), 238), today=TODAY).gender_hint == Gender.woman
    assert parse(make_id(date(1990, 1, 1), 237), today=TODAY).gender_hint == Gender.man


def test_leap_days():
    assert parse(make_id(date(2000, 2, 29)), today=TODAY).birth_date == date(2000, 2, 29)
    assert parse(make_id(date(1996, 2, 29)), today=TODAY).birth_date == date(1996, 2, 29)
    # 1900 was not a leap year; 1999 neither.
    for year in ("1900", "1999"):
        nine = f"{year[2:]}0229238"
        number = f"{year}0229238{luhn_digit(nine)}"
        with pytest.raises(PersonnummerError) as exc:
            parse(number, today=TODAY)
        assert exc.value.code == "date"


@pytest.mark.parametrize("text", [
    "", "abc", "12345", "19900101-123", "19900101-12345", "199001011238x",
    "900101--1238", "1990-01-01-1238", "19900101+1238",
])
def test_bad_format(text):
    with pytest.raises(PersonnummerError) as exc:
        parse(text, today=TODAY)
    assert exc.value.code == "format"
    assert "ÅÅÅÅMMDD-NNNN" in exc.value.message


@pytest.mark.parametrize("digits", ["199013011238", "199002301238", "199001001238",
                                    "199001601238", "199001921238"])
def test_impossible_date(digits):
    # The check digit is made right, so only the date is wrong.
    number = digits[:11] + str(luhn_digit(digits[2:11]))
    with pytest.raises(PersonnummerError) as exc:
        parse(number, today=TODAY)
    assert exc.value.code == "date"
    assert exc.value.message == "Numret innehåller inget giltigt födelsedatum."


def test_future_date_is_refused():
    number = make_id(date(2027, 1, 5))
    with pytest.raises(PersonnummerError) as exc:
        parse(number, today=TODAY)
    assert exc.value.code == "future"
    assert "framtiden" in exc.value.message


def test_wrong_check_digit():
    number = with_wrong_check_digit(make_id(date(1985, 6, 15), 456))
    with pytest.raises(PersonnummerError) as exc:
        parse(number, today=TODAY)
    assert exc.value.code == "checksum"
    assert "Kontrollsiffran" in exc.value.message
    assert number not in exc.value.message and number not in str(exc.value)


def test_messages_follow_the_locale(app):
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("en"):
            try:
                parse("1990", today=TODAY)
            except PersonnummerError as exc:
                assert exc.message == "Write the number as YYYYMMDD-NNNN or YYMMDD-NNNN."


def test_helpers():
    assert mask("199001011238") == "19900101-****"
    assert mask(None) == ""
    assert looks_like_number("Anna 1") and not looks_like_number("Anna Öberg")
