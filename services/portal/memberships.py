"""A user's memberships as the admin's form edits them: rows of a unit and a role chosen from
lists, sent to identity as the text it reads (`R1:reporter; R1-01:unit_head`, its one parser),
and identity's refusals placed on the rows they concern, in the user's language.

Pure functions over plain data: no request, no HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import zip_longest

from flask_babel import gettext as _

# identity's words for an entry of the text (services/identity/rules.py) and for a pair it
# cannot keep (services/identity/service.py).
_ENTRY = re.compile(r"Entry (\d+) '(.*?)': (.*)", re.S)
_UNKNOWN_ROLE = re.compile(r"[Uu]nknown role '(.*)': .*")
_UNKNOWN_UNIT = re.compile(r"Unknown unit '(.*)'\.")
_NOT_A_PAIR = re.compile(r"write it as unit:role.*")
_LONG_UNIT = re.compile(r"a unit code has at most (\d+) characters\.")
_ADMIN_KEPT = re.compile(r"Another active administrator is needed first\.")
_IMPORTER_ALONE = re.compile(r"An '(.*)' account holds no other role\.")


def posted_rows(units: Sequence[str], roles: Sequence[str]) -> list[dict[str, str]]:
    """The rows posted (`m-unit` and `m-role`, in order), blank ones included."""
    return [
        {"unit": unit.strip()[:64], "role": role.strip()[:64]}
        for unit, role in zip_longest(units, roles, fillvalue="")
    ][:100]


def stored_rows(memberships: Iterable[Mapping]) -> list[dict[str, str]]:
    return [{"unit": str(m["unit"]), "role": str(m["role"])} for m in memberships]


def _filled(rows: Sequence[Mapping]) -> list[int]:
    return [n for n, row in enumerate(rows) if row["unit"] or row["role"]]


def as_text(rows: Sequence[Mapping]) -> str:
    """The rows as identity reads them, blank rows left out (a half-filled one is sent so that
    identity names it)."""
    return "; ".join(f"{rows[n]['unit']}:{rows[n]['role']}" for n in _filled(rows))


def problem_text(problem: str) -> str:
    """One of identity's problems with a membership, in the user's language."""
    if match := _UNKNOWN_ROLE.fullmatch(problem):
        return _("There is no role %(role)s: choose one from the list.", role=match.group(1))
    if match := _UNKNOWN_UNIT.fullmatch(problem):
        return _("There is no unit %(unit)s.", unit=match.group(1))
    if _NOT_A_PAIR.fullmatch(problem):
        return _("Choose both the unit and the role.")
    if match := _LONG_UNIT.fullmatch(problem):
        return _("A unit code has at most %(n)s characters.", n=match.group(1))
    if _ADMIN_KEPT.fullmatch(problem):
        return _("Another active administrator is needed first.")
    if match := _IMPORTER_ALONE.fullmatch(problem):
        return _("An account of role %(role)s holds no other role.", role=match.group(1))
    return problem


def row_errors(messages: Iterable[str], rows: Sequence[Mapping]) -> dict[int | None, list[str]]:
    """identity's memberships messages by the row (from 0) each concerns; None for the list."""
    filled = _filled(rows)
    out: dict[int | None, list[str]] = {}
    for message in messages:
        at: list[int | None] = [None]
        problem = message
        if match := _ENTRY.fullmatch(message):
            entry = int(match.group(1)) - 1
            at, problem = [filled[entry] if entry < len(filled) else None], match.group(3)
        elif match := _UNKNOWN_UNIT.fullmatch(message):
            at = [n for n in filled if rows[n]["unit"] == match.group(1)] or [None]
        elif match := _UNKNOWN_ROLE.fullmatch(message):
            at = [n for n in filled if rows[n]["role"] == match.group(1)] or [None]
        for row in at:
            out.setdefault(row, []).append(problem_text(problem))
    return out


def edited(rows: list[dict[str, str]], op: str) -> list[dict[str, str]] | None:
    """The rows after the form's "add a row" or "remove" button (posted without the page's
    script); None when the form was sent to be saved."""
    if op == "add":
        return [*rows, {"unit": "", "role": ""}]
    if op.startswith("remove-") and op[7:].isdigit():
        left = [row for n, row in enumerate(rows) if n != int(op[7:])]
        return left or [{"unit": "", "role": ""}]
    return None
