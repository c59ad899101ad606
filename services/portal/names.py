"""Names for what the APIs name by code: people, evidence files, perspectives.

Each is asked of its service once per request (kept in `g`) and falls back to the code itself
where the user may not read the name.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, g

from services.portal.core import fetch_or, principal
from services.portal.labels import localized


def display_names(usernames: Iterable[str]) -> dict[str, str]:
    """Each username's display name where the portal may read it (the user's own always;
    everyone's for whom identity lists users), else the username itself; once per request."""
    if "display_names" not in g:
        me = principal()
        known = {u["username"]: u["display_name"] for u in fetch_or([], "identity", "/users")}
        known.setdefault(me.username, me.display_name or me.username)
        g.display_names = known
    return {name: g.display_names.get(name) or name for name in usernames if name}


def person(username: str | None) -> str:
    """One person's display name (template global)."""
    return display_names([username or ""]).get(username or "", "—")


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


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(person=person, perspective_name=perspective_name)
