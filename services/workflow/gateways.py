"""What the workflow asks other services: the ports its use cases call (`Gateways` and its
parts) and their adapter over HTTP, on behalf of the caller (their token is forwarded).

Without a token the clients use the workflow's own service account (background work). Tests of
the use cases give them an in-memory fake instead (tests/fakes.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO, Protocol

from common.clients import ServiceClient
from common.errors import Invalid, NotFound, Unavailable

# Where an import's source file is filed in evidence: the department, the whole year.
SOURCE_UNIT, SOURCE_PERIOD = "PRD", "Y"


def _problem_of(resp) -> str:
    """The `detail` of another service's problem answer; 503 when it has none (it is down)."""
    try:
        detail = resp.json().get("detail")
    except ValueError:
        detail = None
    if resp.status_code >= 500 or not detail:
        raise Unavailable(f"The evidence service answered {resp.status_code}.")
    return str(detail)


@dataclass(frozen=True)
class Kpi:
    """The facts of a KPI in a year that decide how its reports are written and counted."""

    code: str
    method: str
    cycle: str
    measure: str
    counting_rule: str | None
    item_fields: tuple[dict, ...]
    denominator_label: str | None
    periods: tuple[str, ...] = ()

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Kpi:
        return cls(
            code=body["code"],
            method=body["method"],
            cycle=body.get("cycle", ""),
            measure=body.get("measure") or "count",
            counting_rule=body.get("counting_rule"),
            item_fields=tuple(body.get("item_fields") or ()),
            denominator_label=body.get("denominator_label"),
            periods=tuple(body.get("periods") or ()),
        )


@dataclass(frozen=True)
class Period:
    period: str
    starts_on: date
    ends_on: date
    due_on: date
    # How the unit reports the KPI, from the catalogue's table: entry or template.
    method: str | None = None


class CatalogueGateway(Protocol):
    """The catalogue as the workflow's use cases ask it: 422 (Invalid) for what it refuses."""

    def kpi(self, year: int, code: str) -> Kpi: ...

    def period(self, year: int, unit: str, kpi: str, period: str) -> Period: ...

    def denominator(self, year: int, unit: str, kpi: str) -> dict | None: ...

    def year_status(self, year: int) -> str: ...

    def schedule(self, year: int, **filters: str) -> list[dict]: ...

    def units(self) -> list[dict]: ...


class EvidenceGateway(Protocol):
    """The evidence service: a file's metadata, and where an import's source file is kept."""

    def evidence_file(self, file_id: str | int) -> dict | None: ...

    def store_source(self, filename: str, spool: BinaryIO, year: int, kpi: str) -> dict: ...


class IdentityGateway(Protocol):
    """Identity: an account, with its memberships and whether it is active."""

    def user(self, username: str) -> dict | None: ...


class Gateways(CatalogueGateway, EvidenceGateway, IdentityGateway, Protocol):
    """Everything the workflow's use cases ask other services."""


@dataclass(frozen=True)
class HttpGateways:
    """The catalogue, evidence and identity services asked over HTTP (`Gateways`)."""

    catalogue: ServiceClient
    evidence: ServiceClient
    identity: ServiceClient
    token: str | None = None

    def kpi(self, year: int, code: str) -> Kpi:
        try:
            return Kpi.parse(self.catalogue.get(f"/years/{year}/kpis/{code}", token=self.token))
        except NotFound as exc:
            raise Invalid(
                f"The catalogue has no KPI {code} in {year}.", {"kpi": ["Unknown KPI."]}
            ) from exc

    def period(self, year: int, unit: str, kpi: str, period: str) -> Period:
        """The period's dates when `unit` reports `kpi` in it; 422 with the catalogue's reason."""
        try:
            answer = self.catalogue.get(
                f"/years/{year}/applicability",
                token=self.token,
                unit=unit,
                kpi=kpi,
                period=period,
            )
        except NotFound as exc:
            raise Invalid(
                f"The catalogue has no unit {unit}.", {"unit": ["Unknown unit."]}
            ) from exc
        if not answer.get("reports") or not answer.get("period"):
            reason = answer.get("reason") or f"{unit} does not report {kpi} in {period}"
            raise Invalid(f"{reason}.", {"period": [reason]}, reason=reason)
        # Reports are written while the year is open: not before it is planned, nor once closed.
        status = answer.get("year_status", "open")
        if status != "open":
            reason = f"Year {year} is {status}: its reports cannot be written"
            raise Invalid(f"{reason}.", {"year": [reason]}, reason=reason)
        p = answer["period"]
        return Period(
            p["period"],
            date.fromisoformat(p["starts_on"]),
            date.fromisoformat(p["ends_on"]),
            date.fromisoformat(p["due_on"]),
            (answer.get("reporting") or {}).get("method"),
        )

    def denominator(self, year: int, unit: str, kpi: str) -> dict | None:
        """The unit's target row for the KPI when it names a denominator."""
        rows = self.catalogue.get(f"/years/{year}/targets", token=self.token, unit=unit, kpi=kpi)
        for row in rows:
            if row.get("unit") == unit and row.get("kpi") == kpi and row.get("denominator"):
                return row
        return None

    def evidence_file(self, file_id: str | int) -> dict | None:
        """The file's metadata, or None when it does not exist or the caller may not see it."""
        try:
            return self.evidence.get(f"/files/{file_id}", token=self.token)
        except NotFound:
            return None

    def store_source(self, filename: str, spool: BinaryIO, year: int, kpi: str) -> dict:
        """Keep an import's source file as evidence, on the workflow's own account: one file
        feeds many units, so it is filed under the department for the whole year."""
        spool.seek(0)
        fields = {"unit": SOURCE_UNIT, "year": str(year), "kpi": kpi, "period": SOURCE_PERIOD}
        resp = self.evidence.call(
            "POST", "/files", None, data=fields, files={"file": (filename, spool)}, timeout=120
        )
        spool.seek(0)
        if resp.status_code != 201:
            problem = _problem_of(resp)
            raise Invalid(f"The evidence service refused the file: {problem}", {"file": [problem]})
        return resp.json()

    def year_status(self, year: int) -> str:
        """draft, open or closed; 422 for a year the catalogue does not have."""
        try:
            return self.catalogue.get(f"/years/{year}", token=self.token)["status"]
        except NotFound as exc:
            raise Invalid(f"The catalogue has no year {year}.", {"year": ["Unknown."]}) from exc

    def schedule(self, year: int, **filters: str) -> list[dict]:
        params = {k: v for k, v in filters.items() if v}
        try:
            return self.catalogue.get(f"/years/{year}/schedule", token=self.token, **params)
        except NotFound as exc:
            raise Invalid(f"The catalogue has no year {year}.", {"year": ["Unknown."]}) from exc

    def units(self) -> list[dict]:
        return self.catalogue.get("/units", token=self.token)

    def user(self, username: str) -> dict | None:
        """An account, asked on the workflow's own account (users are not the caller's to read)."""
        try:
            return self.identity.get(f"/users/{username}")
        except NotFound:
            return None
