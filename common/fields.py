"""Marshmallow fields for text a database can store: bad input is a 422, never a 500."""

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
