"""Swedish personal identity numbers (personnummer) and coordination numbers.

Accepted input: ``YYMMDD-NNNC``, ``YYMMDD+NNNC`` (``+`` from the year the
person turns 100), ``YYMMDDNNNC``, ``YYYYMMDDNNNC`` and ``YYYYMMDD-NNNC``
(spaces are ignored). Stored as 12 digits ``YYYYMMDDNNNC``.

The check digit C is the Luhn digit over the nine digits ``YYMMDDNNN`` (the
century is not part of it; weights 2, 1, 2, …). A coordination number
(samordningsnummer) carries the day of birth plus 60. The second-to-last
digit is odd for men and even for women.

Error messages never repeat the number: they may end up next to a form field,
but nothing here logs or echoes it.
"""

import re
from dataclasses import dataclass
from datetime import date

from journey.enums import Gender
from journey.i18n import lazy_gettext as _l

_PATTERN = re.compile(
    r"^(?P<century>\d{2})?(?P<date>\d{6})(?P<sep>[-+]?)(?P<serial>\d{3})(?P<check>\d)$"
)
COORDINATION_OFFSET = 60


class PersonnummerError(ValueError):
    """An invalid number; ``code`` is ``format``, ``date``, ``future`` or ``checksum``."""

    MESSAGES = {
        "format": _l("Write the number as YYYYMMDD-NNNN or YYMMDD-NNNN."),
        "date": _l("The number does not contain a real date of birth."),
        "future": _l("The date of birth in the number is in the future."),
        "checksum": _l(
            "The check digit (the last digit) does not match. Check the number for typos."
        ),
    }

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.code])

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class NationalId:
    digits12: str
    birth_date: date
    is_coordination: bool
    gender_hint: Gender  # Gender.man or Gender.woman, from the second-to-last digit

    @property
    def masked(self) -> str:
        return f"{self.digits12[:8]}-****"


def luhn_digit(nine: str) -> int:
    """The check digit for nine digits (weights 2, 1, 2, …; digits of products summed)."""
    total = 0
    for i, ch in enumerate(nine):
        value = int(ch) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def looks_like_number(text: str) -> bool:
    """True when a search text contains a digit: it is then treated as an ID number."""
    return any(ch.isdigit() for ch in text)


def _infer_year(yy: int, month: int, day: int, plus: bool, today: date) -> int:
    """The century of a 10-digit number: the latest year not in the future.

    ``+`` means the person is 100 or older, so the year goes back a further
    century. Compared as (year, month, day) tuples, so an impossible date
    (e.g. 0230) still gets a century and fails later as a date error.
    """
    year = today.year - today.year % 100 + yy
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    if plus:
        year -= 100
    return year


def parse(value: str, *, today: date | None = None) -> NationalId:
    """Parse and validate a personnummer or samordningsnummer.

    :param value: the number as typed.
    :param today: the reference date for century inference and the future check.
    :raises PersonnummerError: with ``code`` ``format``, ``date``, ``future`` or
        ``checksum``.
    """
    today = today or date.today()
    text = "".join((value or "").split())
    match = _PATTERN.match(text)
    if match is None:
        raise PersonnummerError("format")
    century, ymd, sep = match["century"], match["date"], match["sep"]
    if century is not None and sep == "+":
        # With the full year written out the "+" carries no information and is
        # more likely a typo than a deliberate choice.
        raise PersonnummerError("format")
    yy, month, day_code = int(ymd[:2]), int(ymd[2:4]), int(ymd[4:6])
    is_coordination = day_code > COORDINATION_OFFSET
    day = day_code - COORDINATION_OFFSET if is_coordination else day_code
    if century is not None:
        year = int(century) * 100 + yy
    else:
        year = _infer_year(yy, month, day, sep == "+", today)
    try:
        birth_date = date(year, month, day)
    except ValueError:
        raise PersonnummerError("date") from None
    if birth_date > today:
        raise PersonnummerError("future")
    ten = ymd + match["serial"] + match["check"]
    if luhn_digit(ten[:9]) != int(ten[9]):
        raise PersonnummerError("checksum")
    gender_digit = int(match["serial"][2])
    return NationalId(
        digits12=f"{year:04d}{ten[2:]}",
        birth_date=birth_date,
        is_coordination=is_coordination,
        gender_hint=Gender.man if gender_digit % 2 else Gender.woman,
    )


def mask(digits12: str | None) -> str:
    """``YYYYMMDD-****`` for a stored number, empty for none."""
    return f"{digits12[:8]}-****" if digits12 else ""
