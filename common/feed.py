"""A producer's feed of its numbered events (`GET /events?after=N&limit=M`), and its reader.

The outbox is the source of truth and the broker the fast path: consumers read the feeds of
the services they listen to for whatever the broker did not bring, and read models are rebuilt
from them. Only the service accounts granted a producer's feed read it (common/grants.py: the
consumers of its events).
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from common.auth import SERVICE, require_roles
from common.clients import ServiceClient
from common.config import Settings
from common.messaging import read_feed

MAX_PAGE = 500
MAX_SEQ = 2**53  # JSON-safe integers


class FeedQuerySchema(Schema):
    after = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_SEQ),
        metadata={"description": "number of the last event already read (0: from the start)"},
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "at most this many events"},
    )


class FeedEventSchema(Schema):
    seq = fields.Integer(metadata={"description": "the producer's number of the event, from 1"})
    id = fields.String()
    type = fields.String(metadata={"description": "routing key, `<service>.<noun>.<verb>`"})
    occurred_at = fields.String(metadata={"format": "date-time"})
    actor = fields.String(allow_none=True)
    data = fields.Dict()
    schema_version = fields.Integer()
    correlation_id = fields.String(allow_none=True)


class FeedPageSchema(Schema):
    events = fields.List(fields.Nested(FeedEventSchema))
    head = fields.Integer(metadata={"description": "number of the newest event so far"})


def feed_blueprint(outbox_model: type) -> Blueprint:
    blp = Blueprint("events", __name__, description="This service's events, numbered, in order")

    @blp.route("/events")
    class Events(MethodView):
        @blp.arguments(FeedQuerySchema, location="query")
        @blp.response(200, FeedPageSchema)
        @blp.alt_response(401, description="No valid bearer token")
        @blp.alt_response(403, description="Not a service account granted this feed")
        def get(self, query):
            """Events after number `after`, oldest first (kept for the retention period)."""
            require_roles(SERVICE)
            runtime = current_app.extensions["rbm"]
            return read_feed(runtime.session_factory, outbox_model, query["after"], query["limit"])

    return blp


class HttpFeed:
    """Reads other services' feeds over HTTP on this service's own account."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.clients: dict[str, ServiceClient] = {}

    def page(self, producer: str, after: int, limit: int) -> dict[str, Any]:
        if producer not in self.clients:
            self.clients[producer] = ServiceClient(self.settings, producer)
        return self.clients[producer].get("/events", after=after, limit=limit)
