"""Names for what the APIs name by code: people, evidence files, perspectives.

Each is asked of its service once per request (kept in `g`) and falls back to the code itself
where the user may not read the name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from flask import Flask, before_render_template, g, session

from services.portal.core import fetch_or, principal
from services.portal.labels import localized

PEOPLE_AT_ONCE = 200
# The fields by which the APIs' rows name a person: a page's rows are named before it renders.
PERSON_FIELDS = (
    "created_by", "updated_by", "uploaded_by", "requested_by", "actor", "on_behalf_of", "delegate",
)  # fmt: skip


def display_names(usernames: Iterable[str]) -> dict[str, str]:
    """Each username's display name (identity names people to anyone signed in), else the
    username itself; the names not yet known this request are asked in one call."""
    known = g.setdefault("display_names", {})
    wanted = {name for name in usernames if name}
    missing = sorted(wanted - known.keys())
    if missing:
        me = principal()
        known.setdefault(me.username, me.display_name or me.username)
        for chunk in _chunks([name for name in missing if name not in known]):
            found = fetch_or([], "identity", "/people", username=chunk)
            known.update({p["username"]: p["display_name"] for p in found})
        known.update({name: name for name in missing if name not in known})
    return {name: known[name] or name for name in wanted}


def _chunks(names: list[str]) -> Iterator[list[str]]:
    """Identity names at most `PEOPLE_AT_ONCE` people a call."""
    for start in range(0, len(names), PEOPLE_AT_ONCE):
        yield names[start : start + PEOPLE_AT_ONCE]


def person(username: str | None) -> str:
    """One person's display name (template global)."""
    return display_names([username or ""]).get(username or "", "—")


def people_named(text: str) -> list[str]:
    """The usernames of the people whose display name or username holds `text` (at most 20)."""
    return [p["username"] for p in fetch_or([], "identity", "/people", q=text)]


def file_names(ids: Iterable[str]) -> dict[str, str]:
    """Evidence files' names by id, for the ones the user may see; once per file a request."""
    cache = g.setdefault("file_names", {})
    for file_id in set(ids) - cache.keys():
        cache[file_id] = fetch_or({}, "evidence", f"/files/{file_id}").get("filename") or ""
    return cache


def perspective_name(year: int, code: str) -> str:
    """A perspective's name in the user's language ("ด้านประสิทธิผลตามพันธกิจ"), else its code."""
    cache = g.setdefault("perspectives", {})
    if year not in cache:
        listed = fetch_or([], "catalogue", f"/years/{year}/perspectives")
        cache[year] = {p["code"]: localized(p) for p in listed}
    return cache[year].get(code) or code


def _people_in(value: Any) -> Iterator[str]:
    """The usernames a row (or each row of a list) of a page names."""
    for row in value if isinstance(value, list) else [value]:
        if isinstance(row, Mapping):
            yield from (row[f] for f in PERSON_FIELDS if isinstance(row.get(f), str))


def _name_the_page(_app: Flask, template: Any, context: dict, **_extra: Any) -> None:
    """Everyone a page is about to show by username, named in one call before it renders."""
    shown = [name for value in context.values() for name in _people_in(value)]
    if shown and session.get("token"):
        display_names(shown)


def init_app(app: Flask) -> None:
    before_render_template.connect(_name_the_page, app)
    app.jinja_env.globals.update(person=person, perspective_name=perspective_name)
