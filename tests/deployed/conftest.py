"""The deployed topology (deploy/topology.py) started once for these tests and removed after."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from deploy.topology import Topology, rabbitmqctl
from tests.conftest import DEMO_PASSWORD, BaseUrlSession, create_team, unavailable
from tests.waiting import eventually

# One gunicorn worker per replica (the image runs two): two replicas of each service already
# make some 25 processes, and the database server is shared with other test sessions.
os.environ.setdefault("WEB_CONCURRENCY", "1")


@pytest.fixture(scope="session")
def deployed(tmp_path_factory, smtp) -> Iterator[Topology]:
    for tool in ("nginx", "rabbitmqctl"):
        try:
            subprocess.run([tool, "-h" if tool == "nginx" else "version"], capture_output=True)
        except FileNotFoundError as exc:
            unavailable(tool, exc)
    topology = Topology(tmp_path_factory.mktemp("topology"), smtp.port)
    try:
        topology.start()
    except (OSError, RuntimeError) as exc:
        unavailable("the deployed topology", exc)
    yield topology
    topology.stop()


class Client:
    """Demo users' sessions through the gateway of the topology."""

    def __init__(self, topology: Topology):
        self.topology = topology
        self.tokens: dict[str, str] = {}

    def session(self, username: str | None = None, password: str = DEMO_PASSWORD):
        http = BaseUrlSession(self.topology.url)
        if username:
            if username not in self.tokens:
                resp = requests.post(
                    f"{self.topology.url}/api/identity/token",
                    json={"username": username, "password": password},
                    timeout=30,
                )
                assert resp.status_code == 200, resp.text
                self.tokens[username] = resp.json()["access_token"]
            http.headers["Authorization"] = f"Bearer {self.tokens[username]}"
        return http


@pytest.fixture(scope="session")
def gateway(deployed) -> Client:
    return Client(deployed)


def queues(topology: Topology) -> list[dict]:
    """Every queue of the run's vhost as RabbitMQ lists it."""
    out = rabbitmqctl("list_queues", "-p", topology.vhost, "name", "type", "durable", "consumers")
    rows = [line.split("\t") for line in out.splitlines()[1:] if line]
    return [
        {"name": n, "type": t, "durable": d == "true", "consumers": int(c)} for n, t, d, c in rows
    ]


@dataclass
class DeployedTeam:
    """A provincial office of one test, its reporter and head logged in through the gateway."""

    unit: str
    reporter_name: str
    head_name: str
    reporter: requests.Session
    head: requests.Session
    password: str


def new_team(topology: Topology, gateway: Client) -> DeployedTeam:
    """A fresh unit and its two users, once notifications knows them (they are told first)."""
    team = create_team(gateway.session("admin"))
    eventually(
        lambda: (
            len(topology.sql("SELECT 1 FROM notifications.memberships WHERE unit = %s", team.unit))
            == 2
        ),
        what="the team known to notifications",
    )
    return DeployedTeam(
        team.unit,
        team.reporter,
        team.head,
        gateway.session(team.reporter, team.password),
        gateway.session(team.head, team.password),
        team.password,
    )


def draft_reports(team: DeployedTeam) -> list[str]:
    """24 drafts of the team's unit (KPIs 2.1 and 2.2, every month): room for a burst."""
    ids = []
    for kpi in ("2.1", "2.2"):
        for month in range(1, 13):
            body = {"year": 2547, "kpi": kpi, "unit": team.unit, "period": f"M{month:02d}"}
            resp = team.reporter.post("/api/workflow/reports", json=body)
            assert resp.status_code == 201, resp.text
            ids.append(resp.json()["id"])
    return ids


def act(session: requests.Session, report_id: str, action: str, answers=None) -> int:
    """A transition as a client of the contract makes it: a 503 is sent again after a moment,
    and a 409 after a 503 means the first attempt's commit got through before its answer.
    Returns the final status; `answers` (a Counter) counts every status seen."""
    body = {"action": action, "comment": "ขอแก้ไข" if action == "return" else ""}
    retried = False
    for _ in range(50):
        resp = session.post(f"/api/workflow/reports/{report_id}/transitions", json=body)
        if answers is not None:
            answers[resp.status_code] += 1
        if resp.status_code != 503:
            assert resp.status_code == 200 or (retried and resp.status_code == 409), resp.text
            return resp.status_code
        assert resp.headers["Content-Type"] == "application/problem+json", resp.text
        retried = True
        time.sleep(0.2)
    raise AssertionError(f"{action} of {report_id} still refused after 50 tries")
