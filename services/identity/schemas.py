"""Request and response schemas of identity (they also make its OpenAPI).

Every text that comes in is a `Text` (valid Unicode, no NUL); unknown fields are refused (422),
marshmallow's default.
"""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from common.auth import ROLES
from common.fields import Email, Text, Timestamp, unique
from services.identity import rules


class TokenRequest(Schema):
    username = Text(required=True, validate=validate.Length(min=1, max=64))
    password = Text(required=True, validate=validate.Length(min=1, max=256))


class TokenResponse(Schema):
    access_token = Text()
    token_type = Text()
    expires_in = fields.Integer()


class JwksSchema(Schema):
    keys = fields.List(fields.Dict(), metadata={"description": "public keys as JWK (RFC 7517)"})


class MembershipSchema(Schema):
    unit = Text(required=True, validate=validate.Length(min=1, max=32))
    role = Text(required=True, validate=validate.OneOf(ROLES))


class Memberships(fields.List):
    """A user's memberships: a list of `{unit, role}`, or the text an admin types and a CSV
    import holds, `R1:reporter; R1-01:unit_head`, read by identity's one rule for it
    (`rules.parse_memberships`), which names each entry that is wrong."""

    def __init__(self, **kwargs):
        description = "a list of {unit, role}, or the text 'R1:reporter; R1-01:unit_head'"
        super().__init__(
            fields.Nested(MembershipSchema),
            validate=[validate.Length(max=100), unique("unit", "role")],
            metadata={"description": description},
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs) -> list:
        if not isinstance(value, str):
            return super()._deserialize(value, attr, data, **kwargs)
        pairs, problems = rules.parse_memberships(value)
        if problems:
            raise ValidationError(problems)
        return [{"unit": unit, "role": role} for unit, role in pairs]


class MeSchema(Schema):
    username = Text()
    display_name = Text()
    email = Text()
    roles = fields.List(Text())
    units = fields.List(Text())
    memberships = fields.List(fields.Nested(MembershipSchema))


class UserSchema(Schema):
    id = Text(dump_only=True)
    username = Text(required=True, validate=validate.Length(min=2, max=64))
    display_name = Text(required=True, validate=validate.Length(min=1, max=200))
    email = Email(validate=validate.Length(max=254), metadata={"description": "none: no email"})
    active = fields.Boolean(dump_only=True)
    password = Text(required=True, load_only=True, validate=validate.Length(max=256))
    memberships = Memberships(load_default=list)
    created_at = Timestamp(dump_only=True)


class UserUpdateSchema(Schema):
    display_name = Text(validate=validate.Length(min=1, max=200))
    email = Email(validate=validate.Length(max=254))
    active = fields.Boolean()
    password = Text(load_only=True, validate=validate.Length(max=256))


class MembershipsSchema(Schema):
    memberships = Memberships(required=True)


class UserQuerySchema(Schema):
    unit = Text(validate=validate.Length(max=32))
    role = Text(validate=validate.OneOf(ROLES))
    q = Text(
        validate=validate.Length(max=200),
        metadata={"description": "part of a display name or username, any case"},
    )


class PeopleQuerySchema(Schema):
    """Either the usernames a page shows, or the text a person is searched by."""

    username = fields.List(
        Text(validate=validate.Length(max=64)),
        validate=validate.Length(max=200),
        metadata={"description": "repeat for each person (at most 200)"},
    )
    q = Text(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "part of a display name or username, any case (20 found)"},
    )

    @validates_schema
    def _one_way(self, data, **kwargs):
        if ("username" in data) == ("q" in data):
            raise ValidationError("Give either usernames or q.", "q")


class PersonSchema(Schema):
    """A person as anyone signed in may see them: the name only, never email or roles."""

    username = Text()
    display_name = Text()


class ImportQuerySchema(Schema):
    commit = fields.Boolean(load_default=False)


class ImportFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ImportRowSchema(Schema):
    line = fields.Integer()
    username = Text()
    errors = fields.Dict(keys=Text(), values=fields.List(Text()))


class ImportResultSchema(Schema):
    committed = fields.Boolean()
    valid = fields.Boolean()
    rows = fields.List(fields.Nested(ImportRowSchema))


class AuditQuerySchema(Schema):
    subject = Text(validate=validate.Length(min=1, max=64))


class AdminAuditSchema(Schema):
    seq = fields.Integer()
    at = Timestamp()
    actor = Text()
    action = Text()
    subject = Text()
    changes = fields.Dict()
    prev_hash = Text()
    hash = Text()


class AuditVerificationSchema(Schema):
    intact = fields.Boolean()
    entries = fields.Integer()
    first_bad = fields.Integer()


class RevocationSchema(Schema):
    user_id = Text()
    token_id = Text(allow_none=True)
    not_before = fields.Float(allow_none=True, metadata={"description": "epoch seconds"})


class RevocationsSchema(Schema):
    entries = fields.List(fields.Nested(RevocationSchema))
