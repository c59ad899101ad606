"""What notifications asks other services: the ports its use cases call (identity's people, the
catalogue's units and schedules) and their adapters over HTTP, on its own service account.
Tests of the use cases give them in-memory fakes instead (tests/fakes.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from common.clients import ServiceClient
from common.errors import NotFound


class People(Protocol):
    """Identity's accounts with their memberships: everyone's, or one unit's."""

    def users(self, unit: str | None = None) -> list[dict]: ...


class Catalogue(Protocol):
    """The catalogue's units, and a year's schedule (None: no such year or unit)."""

    def units(self) -> list[dict]: ...

    def schedule(self, year: int, unit: str | None = None) -> list[dict] | None: ...


def _only(unit: str | None) -> dict[str, str]:
    return {"unit": unit} if unit else {}


@dataclass(frozen=True)
class HttpPeople:
    client: ServiceClient

    def users(self, unit: str | None = None) -> list[dict]:
        return self.client.get("/users", **_only(unit))


@dataclass(frozen=True)
class HttpCatalogue:
    client: ServiceClient

    def units(self) -> list[dict]:
        return self.client.get("/units")

    def schedule(self, year: int, unit: str | None = None) -> list[dict] | None:
        try:
            return self.client.get(f"/years/{year}/schedule", **_only(unit))
        except NotFound:
            return None
