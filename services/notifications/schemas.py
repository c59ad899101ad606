"""Request and response schemas of notifications (they also make its OpenAPI)."""

from marshmallow import Schema, fields, validate

from common.fields import Limit, Offset, Text, Timestamp
from services.notifications.rules import DELIVERIES, IN_APP_KINDS, KINDS


class NotificationSchema(Schema):
    id = Text()
    kind = Text(metadata={"enum": [*KINDS, *IN_APP_KINDS]})
    report_id = Text(allow_none=True)
    title = Text()
    body = Text()
    created_at = Timestamp()
    read_at = Timestamp(allow_none=True)


class InboxQuerySchema(Schema):
    unread = fields.Boolean(load_default=False, metadata={"description": "only unread ones"})
    limit = Limit(default=20)
    offset = Offset()


class UnreadSchema(Schema):
    unread = fields.Integer()


class MarkedSchema(Schema):
    marked = fields.Integer()


PreferencesSchema = Schema.from_dict(
    {kind: Text(validate=validate.OneOf(DELIVERIES)) for kind in KINDS},
    name="PreferencesSchema",
)


class EmailQuerySchema(Schema):
    status = Text(
        load_default="failed", validate=validate.OneOf(("pending", "sending", "sent", "failed"))
    )
    limit = Limit()


class EmailSchema(Schema):
    id = Text()
    recipient = Text()
    address = Text()
    subject = Text()
    status = Text()
    attempts = fields.Integer()
    last_error = Text(allow_none=True)
    created_at = Timestamp()
    sent_at = Timestamp(allow_none=True)


class DeadLetterQuerySchema(Schema):
    limit = Limit()


class DeadLetterSchema(Schema):
    queue = Text()
    error = Text()
    tries = fields.Integer()
    event_id = Text(allow_none=True)
    type = Text(allow_none=True)
    body = Text()


class MovedSchema(Schema):
    moved = fields.Integer()
