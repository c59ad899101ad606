"""Marshmallow fields for JSON input taken at its word: bad input is a 422, never a 500."""

from __future__ import annotations

from marshmallow import fields


class Text(fields.String):
    """A string that is valid Unicode without NUL characters (PostgreSQL refuses both)."""

    default_error_messages = {"unstorable": "Must be Unicode text without NUL characters."}

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("unstorable")
        try:
            text.encode("utf-8")  # JSON may carry lone surrogates ("\ud800") that no codec takes
        except UnicodeEncodeError as exc:
            raise self.make_error("unstorable") from exc
        return text


class Email(Text, fields.Email):
    """An email address held to the same rule as `Text`."""


class StrictBoolean(fields.Boolean):
    """Only JSON true or false."""

    truthy = {True}
    falsy = {False}


class Integer(fields.Integer):
    """A JSON integer: strings, booleans and fractions are refused."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class Number(fields.Float):
    """A finite JSON number: strings, booleans, NaN and infinities are refused."""

    def __init__(self, **kwargs):
        super().__init__(allow_nan=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)
