"""HTTP routes of the evidence service."""

from flask_smorest import Blueprint

blp = Blueprint("evidence", __name__, description="Evidence service")
