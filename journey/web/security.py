"""Security headers on every response (filled in by the security work of issue 6)."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass
