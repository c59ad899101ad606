"""The whole system in one process: every service mounted under one origin, with its workers."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from common.config import Settings, from_env
from common.web import Worker, runtime_of

# Mounted under /api/<name>; the portal serves "/" itself.
API_SERVICES = ("identity", "catalogue", "evidence", "workflow", "notifications", "scorecard")
SERVICES = (*API_SERVICES, "portal")


def create_service(name: str, env: Mapping[str, str] | None = None) -> Flask:
    """The service's app, on a store already migrated and seeded (see `deploy.migrate`)."""
    module = importlib.import_module(f"services.{name}.app")
    return module.create_app(from_env(name, env))


def seed_service(name: str, settings: Settings, sessions: sessionmaker[Session]) -> None:
    """The service's seed data (`seed` in its app module, if it has one), on a migrated store."""
    seed = getattr(importlib.import_module(f"services.{name}.app"), "seed", None)
    if seed is not None:
        seed(settings, sessions)


@dataclass
class System:
    apps: dict[str, Flask]
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def wsgi(self):
        mounts = {f"/api/{name}": self.apps[name] for name in API_SERVICES}
        return DispatcherMiddleware(self.apps["portal"], mounts)

    @property
    def workers(self) -> list[Worker]:
        return [w for app in self.apps.values() for w in runtime_of(app).workers]

    def start_workers(self) -> None:
        """Run every service's outbox relay and event consumers in background threads."""
        for worker in self.workers:
            thread = threading.Thread(
                target=worker.run, args=(self.stop,), name=type(worker).__name__, daemon=True
            )
            thread.start()
            self.threads.append(thread)

    def shutdown(self, timeout: float = 10.0) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)
        for app in self.apps.values():
            if runtime_of(app).engine is not None:
                runtime_of(app).engine.dispose()


def build_system(env: Mapping[str, str] | None = None) -> System:
    """Create every service app from one environment, on stores already migrated and seeded."""
    return System(apps={name: create_service(name, env) for name in SERVICES})
