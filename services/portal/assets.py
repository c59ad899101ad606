"""Static files of the portal (style sheets and scripts: pages carry no inline code)."""

from flask import Blueprint

assets = Blueprint("assets", __name__, static_folder="static", static_url_path="/assets")
