"""In-memory stand-ins for what a service's use cases ask of the world outside its database
(the ports: other services, the object store), so that the use cases run on SQLite in the fast
tier. The real adapters keep their own tests against the running services."""

from __future__ import annotations

import hashlib
import io
import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from common.auth import Principal
from common.errors import Invalid, NotFound
from services.workflow.gateways import Kpi, Period

YEAR = 2547


def person(username: str, *memberships: tuple[str, str]) -> Principal:
    """A signed-in person holding these (unit, role) memberships."""
    return Principal(
        user_id=username,
        username=username,
        roles=frozenset(role for _, role in memberships),
        units=frozenset(unit for unit, _ in memberships),
        memberships=frozenset(memberships),
    )


# --- the workflow's gateways (services/workflow/gateways.py) -------------------------------

UNITS = [
    {"code": "PRD", "kind": "department", "parent": None, "name_th": "กรมประชาสัมพันธ์"},
    {"code": "R1", "kind": "region", "parent": "PRD", "name_th": "สำนักงานเขต 1"},
    {"code": "R1-10", "kind": "province", "parent": "R1", "name_th": "สำนักงานจังหวัด 10"},
]
# A catalogue of the fakes' own, not 2547's: 4.1 a count the unit types each month.
KPIS = {
    "4.1": Kpi("4.1", "entry", "monthly", "count", None, (), None),
}
MONTHS = {
    "M01": (date(2003, 10, 1), date(2003, 10, 31)),
    "M02": (date(2003, 11, 1), date(2003, 11, 30)),
}


@dataclass
class FakeGateways:
    """The catalogue, evidence and identity as the workflow's use cases ask them (`Gateways`):
    2547 open, units PRD > R1 > R1-10, KPI 4.1 monthly for R1-10, evidence files and accounts
    as the test puts them in."""

    statuses: dict[int, str] = field(default_factory=lambda: {YEAR: "open"})
    files: dict[str, dict] = field(default_factory=dict)
    accounts: dict[str, dict] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def kpi(self, year: int, code: str) -> Kpi:
        self.asked.append(f"kpi {code}")
        if year not in self.statuses or code not in KPIS:
            raise Invalid(f"The catalogue has no KPI {code} in {year}.", {"kpi": ["Unknown KPI."]})
        return KPIS[code]

    def period(self, year: int, unit: str, kpi: str, period: str) -> Period:
        if unit not in {u["code"] for u in UNITS}:
            raise Invalid(f"The catalogue has no unit {unit}.", {"unit": ["Unknown unit."]})
        if unit != "R1-10" or period not in MONTHS:
            reason = f"{unit} does not report {kpi} in {period}"
            raise Invalid(f"{reason}.", {"period": [reason]}, reason=reason)
        if self.statuses[year] != "open":
            reason = f"Year {year} is {self.statuses[year]}: its reports cannot be written"
            raise Invalid(f"{reason}.", {"year": [reason]}, reason=reason)
        starts, ends = MONTHS[period]
        return Period(period, starts, ends, date(ends.year, ends.month, 28), KPIS[kpi].method)

    def denominator(self, year: int, unit: str, kpi: str) -> dict | None:
        return None

    def year_status(self, year: int) -> str:
        if year not in self.statuses:
            raise Invalid(f"The catalogue has no year {year}.", {"year": ["Unknown."]})
        return self.statuses[year]

    def schedule(self, year: int, **filters: str) -> list[dict]:
        rows = [
            {
                "unit": "R1-10",
                "kpi": code,
                "period": period,
                "due_on": f"{ends.year}-{ends.month:02d}-28",
            }
            for code in ("4.1",)
            for period, (_, ends) in MONTHS.items()
        ]
        return [r for r in rows if all(r.get(k) == v for k, v in filters.items() if v)]

    def units(self) -> list[dict]:
        return list(UNITS)

    def evidence_file(self, file_id: str | int) -> dict | None:
        return self.files.get(str(file_id))

    def store_source(self, filename: str, spool: BinaryIO, year: int, kpi: str) -> dict:
        self.sources.append(filename)
        return {"id": f"source-{len(self.sources)}", "filename": filename}

    def user(self, username: str) -> dict | None:
        return self.accounts.get(username)


# --- evidence's object store (services/evidence/store.py) ----------------------------------


class FakeStaging:
    """A file on its way into `FakeObjectStore`: kept once promoted, gone if discarded."""

    def __init__(self, store: FakeObjectStore, key: str, content_type: str):
        self.store, self.key, self.content_type = store, key, content_type
        self.spool: BinaryIO | None = None

    def attach(self, spool: BinaryIO) -> None:
        self.spool = spool

    def grown(self, size: int) -> None:
        self.store.open_uploads.add(self.key)

    def promote(self, size: int) -> str | None:
        assert self.spool is not None
        self.spool.seek(0)
        version = next(self.store.versions)
        self.store.objects[(self.key, version)] = self.spool.read(size)
        self.store.open_uploads.discard(self.key)
        return version

    def discard(self) -> None:
        self.store.open_uploads.discard(self.key)
        self.store.discarded.append(self.key)


@dataclass
class FakeObjectStore:
    """A versioned bucket in memory (`FileStore`): objects by (key, version), open uploads."""

    objects: dict[tuple[str, str | None], bytes] = field(default_factory=dict)
    open_uploads: set[str] = field(default_factory=set)
    discarded: list[str] = field(default_factory=list)
    versions: Any = field(default_factory=lambda: (f"v{n}" for n in itertools.count(1)))

    def stage(self, key: str, content_type: str) -> FakeStaging:
        return FakeStaging(self, key, content_type)

    def purge(self, key: str, version_id: str | None) -> bool:
        return self.objects.pop((key, version_id), None) is not None

    def open_verified(self, key: str, version_id: str | None, sha256: str) -> BinaryIO:
        if (key, version_id) not in self.objects:
            raise NotFound(f"No object {key}.")
        data = self.objects[(key, version_id)]
        assert hashlib.sha256(data).hexdigest() == sha256
        return io.BytesIO(data)


# --- notifications' gateways (services/notifications/gateways.py) --------------------------


@dataclass
class FakePeople:
    """Identity's accounts (`People`): each a user as `GET /users` lists it."""

    accounts: list[dict] = field(default_factory=list)
    asked: list[str | None] = field(default_factory=list)

    def add(self, username: str, *memberships: tuple[str, str], active: bool = True) -> None:
        self.accounts.append(
            {
                "id": username,
                "username": username,
                "display_name": username.title(),
                "email": f"{username}@example.invalid",
                "active": active,
                "memberships": [{"unit": u, "role": r} for u, r in memberships],
            }
        )

    def users(self, unit: str | None = None) -> list[dict]:
        self.asked.append(unit)
        return [
            a
            for a in self.accounts
            if unit is None or unit in {m["unit"] for m in a["memberships"]}
        ]


@dataclass
class FakeCatalogue:
    """The catalogue's units and each year's schedule rows (`Catalogue`)."""

    schedules: dict[int, list[dict]] = field(default_factory=dict)

    def units(self) -> list[dict]:
        return list(UNITS)

    def schedule(self, year: int, unit: str | None = None) -> list[dict] | None:
        if year not in self.schedules:
            return None
        return [row for row in self.schedules[year] if unit in (None, row["unit"])]


# --- identity's units (services/identity/units.py) -----------------------------------------


@dataclass
class FakeUnits:
    """The catalogue's units as identity's use cases check memberships against them (`Units`),
    counting how often the catalogue was asked."""

    codes: frozenset[str] = frozenset(u["code"] for u in UNITS)
    asked: int = 0

    def checker(self, needed: bool):
        if not needed:
            return frozenset[str]().__contains__
        self.asked += 1
        return self.codes.__contains__
