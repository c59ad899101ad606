"""Fixtures of the catalogue tests: catalogue writers, a year of one's own, units of one's own."""

from __future__ import annotations

import random
import uuid

import pytest
from sqlalchemy import func, select

from common.web import runtime_of
from services.catalogue.models import Outbox

API = "/api/catalogue"


@pytest.fixture
def admin(as_user):
    return as_user("admin")


@pytest.fixture
def reviewer(as_user):
    return as_user("reviewer")


@pytest.fixture
def catalogue_db(live):
    """A session factory on the catalogue's own database (for checking what was written)."""
    return runtime_of(live.app("catalogue")).session_factory


@pytest.fixture
def outbox_count(catalogue_db):
    def count(routing_key: str | None = None) -> int:
        query = select(func.count()).select_from(Outbox)
        if routing_key:
            query = query.where(Outbox.routing_key == routing_key)
        with catalogue_db() as session:
            return session.scalar(query)

    return count


def copy_year(http, source: int = 2547) -> dict:
    """Copy `source` to a year no other test uses (2600..2999, retried while taken)."""
    for _ in range(50):
        year = random.randint(2600, 2999)
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
