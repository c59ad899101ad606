"""What the signed-in user may do, as the workflow says it, to offer only those buttons.

The workflow decides (its state machine answers 403/409 to anything else) and tells: each report
carries the `actions` its reader may take and whether it is `editable`; `GET /rights` says in
which units the user acts, on whose behalf, and which roles they may hand to a stand-in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Actor", "actions", "acts_as", "may_edit", "may_submit", "writer_units"]


@dataclass(frozen=True)
class Actor:
    """The user's rights as the workflow answered them (none when it could not be asked)."""

    username: str = ""
    grants: tuple[tuple[str, str], ...] = ()
    sees_all_units: bool = False
    writers: tuple[str, ...] = ()
    submitters: tuple[str, ...] = ()
    delegable: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, rights: Mapping[str, Any]) -> Actor:
        return cls(
            username=rights.get("username", ""),
            grants=tuple((g["unit"], g["role"]) for g in rights.get("grants", [])),
            sees_all_units=bool(rights.get("sees_all_units")),
            writers=tuple(rights.get("writer_units", [])),
            submitters=tuple(rights.get("submitter_units", [])),
            delegable=tuple((d["unit"], d["role"]) for d in rights.get("delegable", [])),
        )


def actions(report: Mapping[str, Any]) -> list[str]:
    """The transitions the reader may take on the report, in workflow order."""
    return list(report.get("actions") or [])


def may_edit(report: Mapping[str, Any]) -> bool:
    return bool(report.get("editable"))


def may_submit(actor: Actor, report: Mapping[str, Any] | None, unit: str) -> bool:
    """Whether the form offers "submit": the report's own answer, or the unit's for a new one."""
    return "submit" in actions(report) if report else unit in actor.submitters


def acts_as(actor: Actor, role: str) -> list[str]:
    """The units where the user holds `role` (own or delegated); [""] for a unit-wide role."""
    return sorted({unit for unit, held in actor.grants if held == role})


def writer_units(actor: Actor) -> list[str]:
    """The units whose reports the user may write (create and edit)."""
    return list(actor.writers)
