from flask import Blueprint

bp = Blueprint("outcomes", __name__)
