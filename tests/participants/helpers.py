"""Test helpers of the participants feature: valid ID numbers, logins, users."""

from datetime import date

from journey.extensions import db
from tests.conftest import login

HX = {"HX-Request": "true"}


def luhn_valid(digits: str) -> bool:
    """Classic Luhn from the right: every second digit doubled; written independently
    of the application's check-digit function."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def make_id(birth: date, serial: int = 238, *, coordination: bool = False) -> str:
    """A valid 12-digit number for ``birth``; ``serial``'s last digit odd = man."""
    day = birth.day + (60 if coordination else 0)
    nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
    check = next(c for c in range(10) if luhn_valid(f"{nine}{c}"))
    return f"{birth.year:04d}{birth.month:02d}{day:02d}{serial:03d}{check}"


def with_wrong_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def switch_user(client, user):
    """Log out whoever is logged in on ``client`` and log ``user`` in."""
    db.session.commit()
    client.delete_cookie("journey_session")
    login(client, user)
    return client


def client_for(app, user):
    """A second browser, logged in as ``user``."""
    db.session.commit()
    other = app.test_client()
    login(other, user)
    return other


def profile(**overrides) -> dict:
    """Form data of a valid intake (a woman born 1990-01-01 with a personnummer)."""
    number = make_id(date(1990, 1, 1), 238)
    data = {
        "first_name": "Sara",
        "last_name": "Nilsson",
        "id_kind": "personnummer",
        "national_id": f"{number[2:8]}-{number[8:]}",
        "birth_date": "",
        "gender": "woman",
        "birth_region": "outside_europe",
        "arrival_year": "2015",
        "district": "Bäckby",
        "education_level": "upper_secondary",
        "swedish_level": "sfi_c",
        "phone": "070-123 45 67",
        "email": "sara@example.se",
    }
    data.update(overrides)
    return data
