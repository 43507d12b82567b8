"""Portal access: invites created by the coach, accepted by the participant."""

from flask import Blueprint

bp = Blueprint("portal_invites", __name__)
