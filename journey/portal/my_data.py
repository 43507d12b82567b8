"""The participant's own data: what is stored, downloads, who viewed it."""

from flask import Blueprint

bp = Blueprint("portal_data", __name__, url_prefix="/portal/my-data")
