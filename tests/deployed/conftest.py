"""The deployed topology (deploy/topology.py) started once for these tests and removed after."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest
import requests

from deploy.topology import Topology, rabbitmqctl
from tests.conftest import DEMO_PASSWORD, BaseUrlSession, unavailable

# Two gunicorn workers per replica, as the image runs them (WEB_CONCURRENCY of compose).
os.environ.setdefault("WEB_CONCURRENCY", "2")


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
