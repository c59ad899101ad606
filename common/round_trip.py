"""A PUT takes back the body its GET returned.

The GET's fields the PUT does not set (read-only: keys, derived values, who changed it last)
are accepted when they hold what is stored and named in a 422 when they do not, so that a
client may read, change one field and write the whole back. So is a null the GET shows where
the PUT takes no null ("none of these").
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from typing import Any, cast

from marshmallow import Schema, fields, post_load
from marshmallow.schema import SchemaMeta

from common.errors import Invalid

# Where a loaded body keeps what was sent back of the GET, apart from what the PUT sets.
SENT_BACK = "sent_back"
READ_ONLY = "As the GET returns it: ignored when it holds the stored value, else a 422."


def round_trip(name: str, writable: type[Schema], shown: type[Schema]) -> type[Schema]:
    """The schema `name`: `writable`, also taking what `shown` (the GET's schema) has and
    `writable` does not set, kept apart under `SENT_BACK` for `held`."""
    own = {key: f for key, f in writable._declared_fields.items() if not f.dump_only}
    read_only = {
        key: fields.Raw(allow_none=True, metadata={"readOnly": True, "description": READ_ONLY})
        for key in shown._declared_fields
        if key not in own
    }
    nulls = {
        key: _nullable(own[key])
        for key, field in shown._declared_fields.items()
        if key in own and field.allow_none and not own[key].allow_none
    }

    @post_load
    def set_apart(self, data: dict[str, Any], **_kwargs) -> dict[str, Any]:
        sent = {key: data.pop(key) for key in read_only if key in data}
        sent.update({key: data.pop(key) for key in nulls if key in data and data[key] is None})
        return {**data, SENT_BACK: sent}

    namespace = {**read_only, **nulls, "set_apart": set_apart, "__module__": writable.__module__}
    return cast("type[Schema]", SchemaMeta(name, (writable,), namespace))


def _nullable(field: fields.Field) -> fields.Field:
    """`field`, also taking a null: one the GET shows, held like a read-only field."""
    nullable = copy.deepcopy(field)
    nullable.allow_none = True
    return nullable


def held(sent: Mapping[str, Any], shown: Schema) -> Callable[[Any], None]:
    """A check of the stored object, as `shown` dumps it: 422 naming each field `sent` back
    with another value."""

    def check(current: Any) -> None:
        if errors := differences(sent, shown.dump(current)):
            raise Invalid("Read-only fields must be sent back as they are.", errors)

    return check


def differences(sent: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, list[str]]:
    """Each field of `sent` whose value is not the one `stored` (a dumped object) holds."""
    return {
        key: [f"Read-only: it is {json.dumps(stored.get(key))}; send that or leave it out."]
        for key, value in sent.items()
        if value != stored.get(key)
    }


def rows_held(rows: list[dict[str, Any]], stored: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of a list body without what they sent back; 422 naming, row by row, each
    field sent back with another value than `stored` (what every row shares, such as the
    year in the path)."""
    errors = {
        str(index): problems
        for index, row in enumerate(rows)
        if (problems := differences(row[SENT_BACK], stored))
    }
    if errors:
        raise Invalid("Read-only fields must be sent back as they are.", errors)
    return [{key: value for key, value in row.items() if key != SENT_BACK} for row in rows]
