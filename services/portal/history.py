"""A report's audit entries as sentences people read: who (by name), when, and what changed.

The workflow records each change as `{field: {before, after}}` in its own terms (state codes,
evidence as `[{id, sha256}]`); here a state reads as its label, a file as its name and the
first 8 hex digits of its SHA-256, a value as old → new.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal import thai
from services.portal.labels import FIELD, SOURCE, STATE, lang, number
from services.portal.names import display_names, file_names

SHORT_SHA = 8
# What an entry's action did, as a whole sentence (a verb alone reads wrong in Thai).
DID = {
    "create": _l("%(who)s created the report on %(when)s."),
    "edit": _l("%(who)s changed the report on %(when)s."),
    "submit": _l("%(who)s submitted the report on %(when)s."),
    "endorse": _l("%(who)s endorsed the report on %(when)s."),
    "approve": _l("%(who)s approved the report on %(when)s."),
    "return": _l("%(who)s returned the report for changes on %(when)s."),
    "reopen": _l("%(who)s reopened the report for changes on %(when)s."),
    "recount": _l("%(who)s recounted the report on %(when)s."),
}


@dataclass(frozen=True)
class Told:
    """One audit entry told: its sentence, the changes it made, and its comment."""

    sentence: str
    changes: tuple[str, ...]
    comment: str


def _short(sha: str | None) -> str:
    return (sha or "")[:SHORT_SHA] or "—"


def _files(value: Any) -> dict[str, str]:
    """{id: sha256} of an evidence list as the trail records it."""
    return {f["id"]: f.get("sha256") or "" for f in value or [] if isinstance(f, Mapping)}


def _evidence(change: Mapping, names: Mapping[str, str]) -> list[str]:
    before, after = _files(change.get("before")), _files(change.get("after"))

    def named(file_id: str, sha: str) -> dict[str, str]:
        return {"name": names.get(file_id) or _("a file"), "sha": _short(sha)}

    return [
        *(
            _("File attached: %(name)s (SHA-256 %(sha)s)", **named(i, after[i]))
            for i in after.keys() - before.keys()
        ),
        *(
            _("File removed: %(name)s (SHA-256 %(sha)s)", **named(i, before[i]))
            for i in before.keys() - after.keys()
        ),
    ]


def _old_new(label: str, before: str, after: str) -> str:
    return _("%(field)s: %(before)s → %(after)s", field=label, before=before, after=after)


def _rows(value: Any) -> str:
    return _("%(n)d rows", n=len(value)) if isinstance(value, list) else "—"


def _text(value: Any) -> str:
    return f"“{value}”" if value else "—"


def _code(table: Mapping) -> Callable[[Any], str]:
    return lambda value: str(table.get(value, value)) if value else "—"


# How each field's before and after read; any other field is only named as changed.
_SHOWN: Mapping[str, Callable[[Any], str]] = {
    "state": _code(STATE),
    "value": number,
    "value_source": _code(SOURCE),
    "items": _rows,
    "note": _text,
    "frozen_sha256": lambda sha: f"SHA-256 {_short(sha)}" if sha else "—",
}


def changes_of(entry: Mapping, names: Mapping[str, str]) -> tuple[str, ...]:
    """What an entry changed, one phrase a field: a file by name and short SHA-256, old → new."""
    told: list[str] = []
    for field, change in (entry.get("changes") or {}).items():
        if not isinstance(change, Mapping):
            continue
        label = str(FIELD.get(field, field))
        if field == "evidence":
            told += _evidence(change, names)
        elif field in _SHOWN:
            show = _SHOWN[field]
            told.append(_old_new(label, show(change.get("before")), show(change.get("after"))))
        else:
            told.append(_("%(field)s changed.", field=label))
    return tuple(told)


def tell(entry: Mapping, people: Mapping[str, str], files: Mapping[str, str]) -> Told:
    """One audit entry as a sentence with the person's name and a Thai (or English) time."""
    who = people.get(entry.get("actor") or "", entry.get("actor") or "—")
    if entry.get("on_behalf_of"):
        behalf = people.get(entry["on_behalf_of"], entry["on_behalf_of"])
        who = _("%(who)s (for %(name)s)", who=who, name=behalf)
    when = thai.show_moment(entry.get("at"), lang())
    action = entry.get("action") or ""
    if action in DID:
        sentence = str(DID[action]) % {"who": who, "when": when}
    else:
        sentence = _("%(who)s acted on the report on %(when)s.", who=who, when=when)
    return Told(sentence, changes_of(entry, files), entry.get("comment") or "")


def told(entries: list[dict]) -> list[Told]:
    """A report's audit entries told, the people and files they name looked up once."""
    people = display_names(
        name for e in entries for name in (e.get("actor"), e.get("on_behalf_of")) if name
    )
    ids = [
        f["id"]
        for e in entries
        for side in ("before", "after")
        for f in ((e.get("changes") or {}).get("evidence") or {}).get(side) or []
        if isinstance(f, Mapping) and f.get("id")
    ]
    return [tell(e, people, file_names(ids)) for e in entries]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(told=told)
