"""Data-subject export and manual anonymisation (being written)."""

from flask import Blueprint

bp = Blueprint("gdpr", __name__)
