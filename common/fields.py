"""Marshmallow fields for JSON input taken at its word: bad input is a 422, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from marshmallow import ValidationError, fields, validate

# The bidirectional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI,
# PDI): they make text display in an order other than the one it is stored and read in
# ("Trojan Source"), so a note or a name could show an auditor something else than it says. The
# marks (LRM, RLM, ALM) only nudge neutral characters and stay allowed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BIDI_PROBLEM = "Must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069)."
# What `Text` holds to, said in its OpenAPI (a field with a pattern of its own says it there).
PLAIN_TEXT = r"^[^\x00\u202a-\u202e\u2066-\u2069]*$"


def text_problem(text: str) -> str | None:
    """Why `text` may not be stored as text (NUL, a lone surrogate, a bidi control), or None."""
    if "\x00" in text:
        return "Must be Unicode text without NUL characters."
    try:
        text.encode("utf-8")  # JSON may carry lone surrogates ("\ud800") that no codec takes
    except UnicodeEncodeError:
        return "Must be Unicode text without NUL characters."
    if not BIDI_CONTROLS.isdisjoint(text):
        return BIDI_PROBLEM
    return None


class Text(fields.String):
    """A string fit to store and show: valid Unicode (PostgreSQL refuses lone surrogates)
    without NUL or bidirectional control characters (see `text_problem`)."""

    def __init__(self, **kwargs):
        given = kwargs.get("validate") or ()
        checks = given if isinstance(given, list | tuple) else (given,)
        if not any(isinstance(check, validate.Regexp) for check in checks):
            kwargs["metadata"] = {"pattern": PLAIN_TEXT, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if problem := text_problem(text):
            raise ValidationError(problem)
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


# Ranges every service documents and holds its inputs to: a number outside is a 422 naming the
# parameter, never an overflow in the database.
MIN_YEAR, MAX_YEAR = 2500, 3000
MAX_ID = 2**31 - 1
MAX_OFFSET = 1_000_000
MAX_LIMIT = 1000
YEARS = validate.Range(min=MIN_YEAR, max=MAX_YEAR)


def Year(**kwargs) -> fields.Integer:  # noqa: N802 - a field factory reads like a field class
    """A Buddhist Era fiscal year, as query text or a JSON integer (`strict` for bodies)."""
    cls = Integer if kwargs.pop("strict", False) else fields.Integer
    return cls(validate=YEARS, metadata={"example": 2547, **kwargs.pop("metadata", {})}, **kwargs)


def Limit(default: int = 100, maximum: int = MAX_LIMIT) -> fields.Integer:  # noqa: N802
    """How many rows a list answers at most."""
    return fields.Integer(load_default=default, validate=validate.Range(min=1, max=maximum))


def Offset() -> fields.Integer:  # noqa: N802
    """How many rows a list skips."""
    return fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_OFFSET))


def Count(**kwargs) -> fields.Integer:  # noqa: N802
    """A whole number of things (a version, a size, a sequence number) in a query."""
    return fields.Integer(validate=validate.Range(min=0, max=MAX_ID), **kwargs)


class Timestamp(fields.AwareDateTime):
    """A moment in ISO 8601 with its offset; what the database gives back naive is UTC."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def unique(*keys: str) -> Callable[[list], None]:
    """A list validator: no two entries with the same `keys` (a repeat is a 422, not a 409)."""

    def check(entries: list) -> None:
        seen = set()
        for entry in entries:
            key = tuple(entry.get(k) for k in keys) if isinstance(entry, dict) else entry
            if key in seen:
                raise ValidationError(f"Listed twice: {', '.join(map(str, key))}.")
            seen.add(key)

    return check
