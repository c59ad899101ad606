"""Fixtures of the catalogue tests: catalogue writers, a year of one's own, units of one's own."""

from __future__ import annotations

import json
import random
import uuid

import pytest
from sqlalchemy import func, select

from common.db import unit_of_work
from common.web import runtime_of
from services.catalogue.models import Base, Outbox

API = "/api/catalogue"


class CatalogueTables:
    """Read-only look at the catalogue's own database, to prove what was (not) written."""

    def __init__(self, session_factory):
        self.factory = session_factory

    def state(self) -> dict[str, object]:
        """Every row of every table but the outbox, and how many events the outbox holds."""
        with unit_of_work(self.factory) as session:
            state: dict[str, object] = {
                table.name: sorted(map(repr, session.execute(table.select()).all()))
                for table in Base.metadata.sorted_tables
                if table.name not in ("outbox", "inbox")
            }
            state["events"] = session.scalar(select(func.count()).select_from(Outbox))
        return state

    def events(self, routing_key: str, **match) -> list[dict]:
        """Envelopes of one event type whose data has the given values, oldest first."""
        with unit_of_work(self.factory) as session:
            rows = session.scalars(
                select(Outbox).where(Outbox.routing_key == routing_key).order_by(Outbox.created_at)
            ).all()
            envelopes = [json.loads(row.body) for row in rows]
        return [e for e in envelopes if all(e["data"].get(k) == v for k, v in match.items())]


@pytest.fixture
def admin(as_user):
    return as_user("admin")


@pytest.fixture
def reviewer(as_user):
    return as_user("reviewer")


@pytest.fixture
def tables(live) -> CatalogueTables:
    return CatalogueTables(runtime_of(live.app("catalogue")).session_factory)


def copy_year(http, source: int = 2547, last: int = 2999) -> dict:
    """Copy `source` to a year no other test uses (2600..`last`, retried while taken)."""
    for _ in range(50):
        year = random.randint(2600, last)
        resp = http.post(f"{API}/years", json={"year": year, "copy_from": source})
        if resp.status_code == 201:
            return resp.json()
        assert resp.status_code == 409, resp.text
    raise AssertionError("no free year found")


@pytest.fixture
def own_year(admin) -> int:
    """A draft copy of 2547 that only this test uses."""
    return copy_year(admin)["year"]


def new_unit(http, kind: str = "bureau", parent: str | None = "PRD", **extra) -> dict:
    prefix = {"province": f"{parent}-", "region": "RX"}.get(kind, "T")
    code = f"{prefix}{uuid.uuid4().hex[:8].upper()}"
    body = {"code": code, "name_th": f"หน่วยทดสอบ {code}", "kind": kind, "parent": parent}
    resp = http.post(f"{API}/units", json={**body, **extra})
    assert resp.status_code == 201, resp.text
    return resp.json()


@pytest.fixture
def own_bureau(admin) -> str:
    return new_unit(admin)["code"]


@pytest.fixture
def own_region(admin) -> str:
    return new_unit(admin, kind="region")["code"]


@pytest.fixture
def own_province(admin, own_region) -> str:
    return new_unit(admin, kind="province", parent=own_region)["code"]
