"""Helpers of evidence's tests: upload through the API, and look into the bucket and tables."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from common.db import unit_of_work
from common.web import runtime_of
from services.evidence.models import EvidenceFile, Outbox, TemplateVersion

FILES = "/api/evidence/files"


def post_file(http, content: bytes, filename: str, **fields):
    """Upload bytes from memory as one multipart request; return the response."""
    fields = {"unit": "R1", "year": "2547", "kpi": "2.1", "period": "M01", **fields}
    return http.post(FILES, data=fields, files={"file": (filename, content)})


def free_report() -> dict[str, str]:
    """A year and KPI code no other test uses, so that a version chain starts at 1."""
    return {
        "year": str(random.randint(2560, 2700)),
        "kpi": f"{random.randint(20, 99)}.{random.randint(1, 99)}",
    }


@dataclass(frozen=True)
class Snapshot:
    """Everything an upload could leave behind."""

    objects: frozenset
    open_uploads: frozenset
    rows: int
    templates: int
    events: int


class Evidence:
    """Read-only look at evidence's bucket and tables, to prove what was (not) written."""

    def __init__(self, app):
        self.runtime = runtime_of(app)
        self.store = self.runtime.deps.store

    def snapshot(self) -> Snapshot:
        listing = self.store.client.list_objects(
            self.store.bucket, recursive=True, include_version=True
        )
        with unit_of_work(self.runtime.session_factory) as session:
            rows, templates, events = (
                session.scalar(select(func.count()).select_from(model))
                for model in (EvidenceFile, TemplateVersion, Outbox)
            )
        return Snapshot(
            objects=frozenset((o.object_name, o.version_id) for o in listing),
            open_uploads=frozenset(key for key, _, _ in self.store.open_uploads()),
            rows=rows,
            templates=templates,
            events=events,
        )

    def row(self, file_id: str) -> EvidenceFile:
        with unit_of_work(self.runtime.session_factory) as session:
            return session.get(EvidenceFile, file_id)

    def events_about(self, file_id: str) -> list[dict]:
        with unit_of_work(self.runtime.session_factory) as session:
            rows = session.scalars(
                select(Outbox).where(Outbox.body.contains(file_id)).order_by(Outbox.created_at)
            ).all()
            return [json.loads(row.body) for row in rows]


@pytest.fixture
def evidence(live) -> Evidence:
    return Evidence(live.app("evidence"))


@pytest.fixture
def reporter(as_user):
    return as_user("reporter1")


@pytest.fixture
def unchanged(evidence):
    """`with unchanged():` asserts that nothing reached the bucket or the tables inside it."""

    class Guard:
        def __enter__(self):
            self.before = evidence.snapshot()

        def __exit__(self, *exc):
            if exc[0] is None:
                after = evidence.snapshot()
                assert after == self.before, (
                    f"objects added {sorted(after.objects - self.before.objects)}, "
                    f"removed {sorted(self.before.objects - after.objects)}"
                )

    return Guard
