"""HTTP routes of the catalogue service."""

from flask_smorest import Blueprint

blp = Blueprint("catalogue", __name__, description="Catalogue service")
