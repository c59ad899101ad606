"""The file intake (findings 4, 5, 6 and 12 of the second trust probe) replayed from outside
against `make run` itself: every case of the hostile corpus (tests/trust/test_uploads.py) is
uploaded as evidence, and an import's formula cell and a .txt file are sent dry and for real."""

from __future__ import annotations

import pytest
import requests

from tests.embedded.test_probe import Person, system  # noqa: F401 - `system` is a fixture
from tests.trust.test_uploads import HOSTILE_IMAGES, HOSTILE_OFFICE, HOSTILE_PDFS

# Starts a whole system of its own (make run, or an embedded one).
pytestmark = pytest.mark.system

HOSTILE = [
    *((data, "evidence.pdf", reason) for data, reason in HOSTILE_PDFS.values()),
    *HOSTILE_OFFICE.values(),
    *HOSTILE_IMAGES.values(),
]


def test_4_5_6_every_hostile_file_of_the_corpus_is_refused_naming_why(system):  # noqa: F811
    reporter = Person(system, "reporter1")
    fields = {"unit": "R1", "year": "2547", "kpi": "2.1", "period": "M04"}
    before = reporter.call("GET", "/api/evidence/files", params={"unit": "R1"}).json()
    wrong = []
    for data, filename, reason in HOSTILE:
        file = {"file": (filename, data)}
        resp = reporter.call("POST", "/api/evidence/files", data=fields, files=file)
        if (resp.status_code, resp.json().get("reason")) != (422, reason):
            wrong.append((filename, reason, resp.status_code, resp.text[:200]))
    assert wrong == []
    assert reporter.call("GET", "/api/evidence/files", params={"unit": "R1"}).json() == before


def import_file(who: Person, content: bytes, filename: str, dry_run: bool) -> requests.Response:
    fields = {"year": "2547", "kpi": "1.1", "dry_run": str(dry_run).lower()}
    files = {"file": (filename, content)}
    return who.call("POST", "/api/workflow/imports", data=fields, files=files)


@pytest.mark.parametrize("dry_run", [True, False])
def test_5_12_a_formula_in_an_imports_note_and_a_txt_file_are_refused_dry_or_not(
    system,  # noqa: F811
    dry_run,
):
    reviewer = Person(system, "reviewer")
    formula = b"unit,period,targets,targets_met,note\nR1,M01,8,6,=cmd|' /C calc'!A0\n"
    refused = import_file(reviewer, formula, "progress.csv", dry_run)
    assert (refused.status_code, refused.json()["reason"]) == (422, "formula"), refused.text
    assert "column E (note)" in refused.json()["errors"]["file"][0]
    text = import_file(reviewer, b"unit,period,targets,targets_met\nR1,M01,8,6\n", "p.txt", dry_run)
    assert (text.status_code, text.json()["reason"]) == (415, "type-not-allowed"), text.text
