"""HTTP routes of the notifications service."""

from flask_smorest import Blueprint

blp = Blueprint("notifications", __name__, description="Notifications service")
