"""HTTP routes of the workflow service."""

from flask_smorest import Blueprint

blp = Blueprint("workflow", __name__, description="Workflow service")
