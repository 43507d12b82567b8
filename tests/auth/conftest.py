import pytest

from journey.extensions import limiter


@pytest.fixture(autouse=True)
def _fresh_login_limits(app):
    """Throttling counters live in memory:// in tests: every test starts from zero."""
    limiter.reset()
    yield
    limiter.reset()
