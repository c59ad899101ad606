"""The units identity's use cases check memberships against: they live in the catalogue and are
asked once per request, before its transaction opens (no pooled connection waits on the
catalogue), and only when the request names any."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from common.clients import ServiceClient

UnitExists = Callable[[str], bool]


class Units(Protocol):
    def checker(self, needed: bool) -> UnitExists:
        """Whether a unit code exists; asked of the catalogue now, when `needed`."""
        ...


@dataclass(frozen=True)
class CatalogueUnits:
    """The catalogue's units, read on behalf of the caller (their token)."""

    client: ServiceClient
    token: str | None

    def checker(self, needed: bool) -> UnitExists:
        if not needed:
            return frozenset[str]().__contains__
        units = self.client.get("/units", token=self.token)
        return frozenset(u["code"] for u in units).__contains__


@dataclass(frozen=True)
class KnownUnits:
    """Units known without asking: the department for the first administrator (the catalogue
    may not run yet), or every unit (`codes=None`) where units are not the question."""

    codes: frozenset[str] | None = None

    def checker(self, needed: bool) -> UnitExists:
        codes = self.codes
        return (lambda _unit: True) if codes is None else codes.__contains__
