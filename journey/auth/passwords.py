"""Password rules shared by every place a password is chosen.

Length first (NIST SP 800-63B: at least 12 characters here, at most 128 so the
hashing cost stays bounded), then a list of common passwords, then the user's
own name and email address. No composition rules ("one digit, one symbol"):
they push people to ``Sommar2026!``, which the list check below refuses.
"""

import re
import unicodedata
from functools import cache
from pathlib import Path

from flask_babel import LazyString

from journey.i18n import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128
# Shorter parts of a name or an email address ("Bo", "a@k.se") would refuse too
# many good passwords by chance.
MIN_PERSONAL_PART = 4

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

_EDGE_NON_LETTERS = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_TRAILING_NON_LETTERS = re.compile(r"[\W\d_]+$")
_SEPARATORS = re.compile(r"[\W_]+")
# Runs typed along a keyboard row or counted up/down: "123456789012", "qwertyuiopå".
_SEQUENCES = (
    "01234567890123456789", "abcdefghijklmnopqrstuvwxyzåäö",
    "qwertyuiopåasdfghjklöäzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0pöå",
)
_FOLD = str.maketrans("åäöéèüæø", "aaoeeuao")
MIN_DISTINCT_CHARACTERS = 5


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list, normalised; read once per process."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as fh:
        return frozenset(
            _normalise(line.strip()) for line in fh if line.strip() and not line.startswith("#")
        )


def _variants(password: str) -> set[str]:
    """The password as typed and with the digits/symbols people tack on stripped."""
    low = _normalise(password)
    variants = {low, _TRAILING_NON_LETTERS.sub("", low), _EDGE_NON_LETTERS.sub("", low)}
    variants |= {v.translate(_FOLD) for v in variants}
    return {v for v in variants if v}


def is_common(password: str) -> bool:
    """True for listed passwords, also as ``Sommar2026!``, and for trivial patterns."""
    low = _normalise(password)
    if len(set(low)) < MIN_DISTINCT_CHARACTERS:
        return True
    if any(low in seq or low in seq[::-1] for seq in _SEQUENCES):
        return True
    listed = common_passwords()
    return any(v in listed for v in _variants(password))


def _personal_parts(email: str | None, name: str | None) -> tuple[list[str], list[str]]:
    email_parts: list[str] = []
    if email:
        local = _normalise(email).partition("@")[0]
        email_parts = [local, *_SEPARATORS.split(local)]
    name_parts: list[str] = []
    if name:
        full = _normalise(name)
        name_parts = [_SEPARATORS.sub("", full), *_SEPARATORS.split(full)]
    return _long_enough(email_parts), _long_enough(name_parts)


def _long_enough(parts: list[str]) -> list[str]:
    return [p for p in dict.fromkeys(parts) if len(p) >= MIN_PERSONAL_PART]


def _contains(password: str, part: str) -> bool:
    low = _normalise(password)
    squeezed = _SEPARATORS.sub("", low)
    return any(part in text or part.translate(_FOLD) in text.translate(_FOLD)
               for text in (low, squeezed))


def password_problems(
    password: str, *, email: str | None = None, name: str | None = None
) -> list[LazyString]:
    """Every reason to refuse ``password``; an empty list means it is acceptable.

    :param email: the account's email address; its local part may not be in the password.
    :param name: the user's name; none of its parts may be in the password.
    """
    problems: list[LazyString] = []
    if len(password) < MIN_LENGTH:
        problems.append(_l("The password must be at least %(n)d characters long.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_l("The password can be at most %(n)d characters long.", n=MAX_LENGTH))
    # A short password already has its message; "too common" on top would only confuse.
    if not problems and is_common(password):
        problems.append(_l("This password is too common and easy to guess. Choose another one."))
    email_parts, name_parts = _personal_parts(email, name)
    if any(_contains(password, part) for part in email_parts):
        problems.append(_l("The password must not contain your email address or parts of it."))
    if any(_contains(password, part) for part in name_parts):
        problems.append(_l("The password must not contain your name."))
    return problems
