"""`make run` itself: one port, the contract served, a clean stop, data kept across runs."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from deploy.lifecycle import alive, read_lock
from deploy.migrate import behind, with_database
from deploy.seaweedfs import free_port
from tests.waiting import eventually

# Starts a whole system of its own (make run, or an embedded one).
pytestmark = pytest.mark.system

PREFIXES = [
    "/api/identity",
    "/api/catalogue",
    "/api/evidence",
    "/api/workflow",
    "/api/notifications",
    "",
]


class MakeRun:
    """`make run` on a data dir; on port 0 the URL is read from the runner's lock file. Its
    demo is the small one unless `demo_size` says otherwise: the tests' own writes stay few."""

    def __init__(
        self,
        repo: Path,
        data_dir: Path,
        port: int = 0,
        env: dict | None = None,
        demo_size: str = "small",
    ):
        self.data_dir = data_dir
        self.url = f"http://127.0.0.1:{port}" if port else ""
        env = {k: v for k, v in (env or os.environ).items() if not k.startswith("RBM_")}
        env.update(
            RBM_DATA_DIR=str(data_dir),
            RBM_PORT=str(port),
            RBM_LOG_LEVEL="WARNING",
            RBM_DEMO_SIZE=demo_size,
        )
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.log = (data_dir.parent / f"make-run-{port or time.monotonic_ns()}.log").open("wb")
        self.proc = subprocess.Popen(
            ["make", "run"],
            cwd=repo,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 120) -> float:
        started = time.monotonic()

        def serving() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"make run exited early: {self.proc.returncode}")
            self.url = self.url or self.lock_url()
            try:
                return (
                    bool(self.url)
                    and requests.get(f"{self.url}/api/identity/healthz", timeout=2).ok
                )
            except requests.RequestException:  # not listening, or still starting
                return False

        eventually(serving, timeout=timeout, interval=0.5, what="make run serving")
        return time.monotonic() - started

    def lock(self) -> dict:
        return read_lock(self.data_dir / "rbm.lock")

    def lock_url(self) -> str:
        """The URL of this run once its runner is up (the file may still name an earlier one)."""
        lock = self.lock()
        runner = (lock.get("processes") or [{}])[0]
        return lock.get("url", "") if lock.get("state") == "running" and alive(runner) else ""

    def token(self, username: str) -> dict[str, str]:
        resp = requests.post(
            f"{self.url}/api/identity/token",
            json={"username": username, "password": "demo-password"},
            timeout=10,
        )
        assert resp.status_code == 200, resp.text
        return {"Authorization": f"Bearer {resp.json()['access_token']}"}

    def interrupt(self, timeout: float = 60) -> str:
        """What Ctrl-C does: SIGINT to the foreground process group; returns what was printed."""
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            # make itself re-raises the SIGINT once its child has finished.
            assert self.proc.wait(timeout) in (0, -signal.SIGINT)
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.log.close()
        return Path(self.log.name).read_text(errors="replace")


def processes_using(data_dir: Path) -> list[str]:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if str(data_dir) in line and "ps -eo" not in line]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, repo_root_module):
    data_dir = tmp_path_factory.mktemp("make-run") / "var"
    run = MakeRun(repo_root_module, data_dir, free_port())
    run.ready_after = run.wait_ready()
    yield run
    if run.proc.poll() is None:
        run.interrupt()


@pytest.fixture(scope="module")
def repo_root_module() -> Path:
    return Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_service_answers_health_readiness_and_openapi(first_run, prefix):
    for path in ("healthz", "readyz", "openapi.json"):
        resp = requests.get(f"{first_run.url}{prefix}/{path}", timeout=10)
        assert resp.status_code == 200, (prefix, path, resp.text)


@pytest.mark.slow
def test_demo_users_log_in_and_see_the_2547_catalogue(first_run):
    headers = first_run.token("reporter1")
    me = requests.get(f"{first_run.url}/api/identity/me", headers=headers, timeout=10).json()
    assert me["units"] == ["R1"]
    years = requests.get(f"{first_run.url}/api/catalogue/years", headers=headers, timeout=10)
    assert 2547 in [y["year"] for y in years.json()]
    kpis = requests.get(
        f"{first_run.url}/api/catalogue/years/2547/kpis", headers=headers, timeout=10
    ).json()
    assert len(kpis) == 24


@pytest.mark.slow
def test_the_runner_migrated_every_store_before_the_apps_started(first_run):
    # The apps only check their store is at head: on a fresh data dir the runner migrated it.
    env = {"RBM_DATA_DIR": str(first_run.data_dir)}
    assert {name: behind(name, env) for name in with_database()} == dict.fromkeys(with_database())


def test_without_a_token_the_api_answers_401(first_run):
    resp = requests.get(f"{first_run.url}/api/catalogue/years", timeout=10)
    assert resp.status_code == 401


@pytest.mark.slow
def test_ctrl_c_stops_every_process_and_a_second_run_keeps_the_data(first_run, repo_root_module):
    admin = first_run.token("admin")
    created = requests.post(
        f"{first_run.url}/api/identity/users",
        headers=admin,
        timeout=10,
        json={
            "username": "kept-user",
            "display_name": "ยังอยู่",
            "password": "kept-password-1",
            "memberships": [{"unit": "R3", "role": "reporter"}],
        },
    )
    assert created.status_code == 201, created.text
    data_dir = Path(first_run.log.name).parent / "var"
    assert "rbm stopped." in first_run.interrupt()
    assert processes_using(data_dir) == []

    second = MakeRun(repo_root_module, data_dir, free_port())
    try:
        second.wait_ready()
        resp = requests.post(
            f"{second.url}/api/identity/token",
            timeout=10,
            json={"username": "kept-user", "password": "kept-password-1"},
        )
        assert resp.status_code == 200
    finally:
        assert "rbm stopped." in second.interrupt()
