"""Pages of the portal."""

from flask_smorest import Blueprint

blp = Blueprint("portal", __name__, description="Web UI")
