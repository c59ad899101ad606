"""Evidence's upload use case on SQLite with the object store faked in memory (tests/fakes.py):
what is checked before and after the bytes arrive, and that a refusal leaves no row, no event
and no object. The S3 adapter keeps its own tests (test_store.py, test_upload_refusals.py)."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from common.auth import REPORTER
from common.db import unit_of_work
from common.errors import DomainError, Forbidden, Invalid
from services.evidence.models import EvidenceFile, Outbox
from services.evidence.service import open_content, upload_file
from tests.evidence import samples
from tests.evidence.test_checks import BAD_FILES
from tests.evidence.test_upload_refusals import multipart
from tests.fakes import FakeObjectStore, person

BOUNDARY = "b0undary"
LIMIT = 8 * 1024 * 1024
REPORTER_R1 = person("somchai", ("R1", REPORTER))


@pytest.fixture
def sessions(sqlite_store):
    return sqlite_store("evidence")


@pytest.fixture
def store() -> FakeObjectStore:
    return FakeObjectStore()


def no_scoring(year: int, kpi: str) -> dict:
    raise AssertionError("only a filled form asks for its KPI's scoring")


def upload(sessions, store, data: bytes, filename: str, who=REPORTER_R1, unit: str = "R1"):
    fields = [(name, None, value.encode()) for name, value in _fields(unit).items()]
    body = multipart([*fields, ("file", filename, data)], BOUNDARY)
    stream = io.BytesIO(body)
    return upload_file(sessions, store, who, stream, BOUNDARY.encode(), LIMIT, no_scoring)


def _fields(unit: str) -> dict[str, str]:
    return {"unit": unit, "year": "2547", "kpi": "2.1", "period": "M01"}


def rows_and_events(sessions) -> tuple[list[EvidenceFile], list[dict]]:
    with unit_of_work(sessions) as session:
        rows = list(session.scalars(select(EvidenceFile).order_by(EvidenceFile.version)))
        events = [json.loads(row.body) for row in session.scalars(select(Outbox))]
    return rows, events


def test_a_file_is_stored_with_its_row_and_event_and_a_second_one_is_its_next_version(
    sessions, store
):
    pdf = samples.pdf_file()
    first = upload(sessions, store, pdf, "หลักฐาน.pdf")
    second = upload(sessions, store, samples.png_file(), "ภาพ.png")
    rows, events = rows_and_events(sessions)
    assert [(r.version, r.previous_id) for r in rows] == [(1, None), (2, first.id)]
    assert [e["data"]["file_id"] for e in events] == [first.id, second.id]
    assert store.objects[(first.object_key, first.object_version)] == pdf
    _, content = open_content(sessions, store, REPORTER_R1, first.id)
    assert content.read() == pdf


def test_a_reporter_of_another_unit_is_refused_before_anything_reaches_the_store(sessions, store):
    with pytest.raises(Forbidden):
        upload(sessions, store, samples.pdf_file(), "a.pdf", who=person("anong", ("R2", REPORTER)))
    assert store.objects == {} and store.discarded == [] and rows_and_events(sessions) == ([], [])


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_refused_and_its_upload_discarded(sessions, store, case):
    build, filename, status, reason = BAD_FILES[case]
    with pytest.raises(DomainError) as refused:
        upload(sessions, store, build(), filename)
    assert (refused.value.status, refused.value.extra.get("reason")) == (status, reason)
    assert store.objects == {} and store.open_uploads == set()
    assert rows_and_events(sessions) == ([], [])


def test_an_empty_file_and_a_bad_field_are_refused_naming_them(sessions, store):
    with pytest.raises(Invalid) as empty:
        upload(sessions, store, b"", "a.pdf")
    assert "file" in empty.value.errors
    with pytest.raises(Invalid) as bad_unit:
        upload(sessions, store, samples.pdf_file(), "a.pdf", unit="R1; DROP")
    assert "unit" in bad_unit.value.errors
    assert store.objects == {} and rows_and_events(sessions) == ([], [])
