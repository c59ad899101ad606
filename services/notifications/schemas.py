"""Request and response schemas of notifications (they also make its OpenAPI)."""

from marshmallow import Schema, fields, validate

from common.fields import Limit, Offset, Timestamp
from services.notifications.rules import DELEGATION_ENDED, DELIVERIES, KINDS


class NotificationSchema(Schema):
    id = fields.String()
    kind = fields.String(metadata={"enum": [*KINDS, DELEGATION_ENDED]})
    report_id = fields.String(allow_none=True)
    title = fields.String()
    body = fields.String()
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
    {kind: fields.String(validate=validate.OneOf(DELIVERIES)) for kind in KINDS},
    name="PreferencesSchema",
)


class EmailQuerySchema(Schema):
    status = fields.String(
        load_default="failed", validate=validate.OneOf(("pending", "sending", "sent", "failed"))
    )
    limit = Limit()


class EmailSchema(Schema):
    id = fields.String()
    recipient = fields.String()
    address = fields.String()
    subject = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = Timestamp()
    sent_at = Timestamp(allow_none=True)


class DeadLetterQuerySchema(Schema):
    limit = Limit()


class DeadLetterSchema(Schema):
    queue = fields.String()
    error = fields.String()
    tries = fields.Integer()
    event_id = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    body = fields.String()


class MovedSchema(Schema):
    moved = fields.Integer()
