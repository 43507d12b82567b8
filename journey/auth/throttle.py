"""Login throttling: per client IP and per account, on Flask-Limiter's storage.

The counters live in the storage Flask-Limiter was configured with
(``RATELIMIT_STORAGE_URI``): ``memory://`` counts per process, which is fine for
one process; with several gunicorn workers or hosts set a Redis URL
(``redis://host:6379/0``) so that every process sees the same counts.

Two limits, both as a moving window (no burst at a window edge):

- ``LOGIN_LIMIT_PER_IP``: every login attempt from one address (password spraying
  across many accounts);
- ``LOGIN_LIMIT_PER_ACCOUNT``: *failed* attempts at one email address from any
  address (guessing one account's password from many machines). A successful
  login clears it, so a user who mistyped a few times is not punished later.

The limits are read from the config at each request, so a test can lower them.
"""

import math
import time
from dataclasses import dataclass

from flask import current_app, request
from limits import RateLimitItem, parse
from limits.strategies import MovingWindowRateLimiter

from journey.extensions import limiter

IP_SCOPE = "login-ip"
ACCOUNT_SCOPE = "login-account"


@dataclass(frozen=True)
class Throttled:
    wait_seconds: int

    @property
    def wait_minutes(self) -> int:
        return max(1, math.ceil(self.wait_seconds / 60))


def _strategy() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(limiter.storage)


def _ip_limit() -> RateLimitItem:
    return parse(current_app.config["LOGIN_LIMIT_PER_IP"])


def _account_limit() -> RateLimitItem:
    return parse(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])


def _ip() -> str:
    return request.remote_addr or "unknown"


def _account(email: str) -> str:
    return email.strip().lower()


def _wait(strategy, item: RateLimitItem, *identifiers: str) -> int:
    reset_at = strategy.get_window_stats(item, *identifiers).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def check_and_count(email: str) -> Throttled | None:
    """Count this attempt against the client's address, unless a limit is reached.

    ``Throttled`` (and nothing counted) when the account has no failed attempts
    left or the address no attempts at all. Taking the address's entry is atomic
    in the storage, so parallel requests cannot overrun that limit.
    """
    strategy = _strategy()
    account, ip = _account_limit(), _ip_limit()
    if not strategy.test(account, ACCOUNT_SCOPE, _account(email)):
        return Throttled(_wait(strategy, account, ACCOUNT_SCOPE, _account(email)))
    if not strategy.hit(ip, IP_SCOPE, _ip()):
        return Throttled(_wait(strategy, ip, IP_SCOPE, _ip()))
    return None


def count_failure(email: str) -> None:
    """A failed attempt counts against the account."""
    _strategy().hit(_account_limit(), ACCOUNT_SCOPE, _account(email))


def clear_failures(email: str) -> None:
    _strategy().clear(_account_limit(), ACCOUNT_SCOPE, _account(email))
