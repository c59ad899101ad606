"""Fixtures of the workflow tests: a team of one's own, its sessions, and report helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import select

from common.db import unit_of_work
from common.web import runtime_of
from services.workflow.models import Outbox
from tests.conftest import Team, login

API = "/api/workflow"
YEAR = 2547


@dataclass
class Crew:
    """A fresh provincial office with its reporter and head, and the demo reviewer."""

    team: Team
    reporter: requests.Session
    head: requests.Session
    reviewer: requests.Session

    @property
    def unit(self) -> str:
        return self.team.unit

    def create(self, kpi: str = "2.2", period: str = "M03", **data) -> dict:
        """A new draft of this unit; fails the test unless it is created."""
        body = {"year": YEAR, "kpi": kpi, "unit": self.unit, "period": period, **data}
        resp = self.reporter.post(f"{API}/reports", json=body)
        assert resp.status_code == 201, resp.text
        return resp.json()

    def act(self, who: requests.Session, report: dict, action: str, **body) -> requests.Response:
        url = f"{API}/reports/{report['id']}/transitions"
        return who.post(url, json={"action": action, **body})

    def endorsed(self, **create) -> dict:
        """A report the reporter submitted and the head endorsed."""
        report = self.create(**create)
        assert self.act(self.reporter, report, "submit").status_code == 200
        resp = self.act(self.head, report, "endorse")
        assert resp.status_code == 200, resp.text
        return resp.json()


@pytest.fixture
def crew(live, make_team, as_user) -> Crew:
    team = make_team()
    return Crew(
        team,
        login(live, team.reporter, team.password),
        login(live, team.head, team.password),
        as_user("reviewer"),
    )


def agencies(*names: str, month: str = "2003-12") -> list[dict]:
    """2.2 items: agencies served on successive days of a month (M03 of 2547 is December 2003)."""
    return [{"agency": name, "date": f"{month}-{i + 1:02d}"} for i, name in enumerate(names)]


@pytest.fixture
def outbox_events(live):
    """`outbox_events(key, report_id=...)`: envelopes the workflow recorded, oldest first."""

    def events(routing_key: str, **match) -> list[dict]:
        with unit_of_work(runtime_of(live.app("workflow")).session_factory) as session:
            rows = session.scalars(
                select(Outbox).where(Outbox.routing_key == routing_key).order_by(Outbox.created_at)
            ).all()
            envelopes = [json.loads(row.body) for row in rows]
        return [e for e in envelopes if all(e["data"].get(k) == v for k, v in match.items())]

    return events
