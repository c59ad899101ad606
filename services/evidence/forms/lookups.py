"""What a form is prefilled with, asked of the catalogue (and of identity for people's names)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.clients import ServiceClient
from common.errors import DomainError, NotFound


@dataclass
class Lookups:
    """Catalogue facts on behalf of the caller; display names on evidence's own account."""

    catalogue: ServiceClient
    identity: ServiceClient
    token: str | None

    def _get(self, path: str, missing: str, **params: Any) -> Any:
        try:
            return self.catalogue.get(path, token=self.token, **params)
        except NotFound as exc:
            raise NotFound(missing) from exc

    def kpi(self, year: int, code: str) -> dict:
        return self._get(f"/years/{year}/kpis/{code}", f"There is no KPI {code} in {year}.")

    def unit(self, code: str) -> dict:
        return self._get(f"/units/{code}", f"There is no unit {code}.")

    def applicability(self, year: int, unit: str, kpi: str, period: str) -> dict:
        return self._get(
            f"/years/{year}/applicability",
            f"Year {year}, unit {unit} or KPI {kpi} is unknown.",
            unit=unit,
            kpi=kpi,
            period=period,
        )

    def target(self, year: int, unit: str, kpi: str) -> dict | None:
        rows = self._get(f"/years/{year}/targets", "No targets.", unit=unit, kpi=kpi)
        return rows[0] if rows else None

    def scoring(self, year: int, kpi: str) -> dict:
        """The KPI's scoring criteria of the year: its form prints their levels."""
        return self._get(f"/years/{year}/kpis/{kpi}/scoring", f"There is no KPI {kpi} in {year}.")

    def assignment(self, year: int, unit: str, kpi: str) -> dict | None:
        rows = self._get(f"/years/{year}/assignments", "No assignments.", unit=unit, kpi=kpi)
        return rows[0] if rows else None

    def display_names(self, unit: str) -> dict[str, str]:
        """Username -> display name of the unit's people; {} when identity cannot say."""
        try:
            users = self.identity.get("/users", unit=unit)
        except DomainError:
            return {}  # the form still shows usernames
        return {u["username"]: u.get("display_name") or u["username"] for u in users}
