"""Helpers shared by the coach workflow browser tests (not a test module)."""

from datetime import date

from journey.participants.personnummer import luhn_digit
from tests.factories import PASSWORD


def log_in(page, user, password=PASSWORD):
    page.goto("/login")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def wait_for_htmx(page):
    # htmx is a deferred script: only once it has run does a submit become a swap.
    page.wait_for_load_state("load")
    page.wait_for_function("() => typeof window.htmx !== 'undefined'")


def mark_window(page):
    """A marker on ``window``: it survives an htmx swap but not a page load."""
    page.evaluate("window.__workflowMarker = 1")


def assert_no_navigation(page):
    assert page.evaluate("window.__workflowMarker") == 1, (
        "the page navigated instead of swapping in place")


def personnummer(born: date, serial: str = "32", woman: bool = True) -> str:
    """A valid personnummer ``YYYYMMDD-NNNC``; the third serial digit is even for women."""
    assert len(serial) == 2 and serial.isdigit()
    gender_digit = "4" if woman else "5"
    nine = born.strftime("%y%m%d") + serial + gender_digit
    return f"{born:%Y%m%d}-{serial}{gender_digit}{luhn_digit(nine)}"
