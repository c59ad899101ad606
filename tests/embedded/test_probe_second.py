"""The second trust probe replayed from outside against `make run` itself (SQLite, the
filesystem broker, the demo users), one test per finding; the same findings are tested on
PostgreSQL in tests/trust and per service."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import pytest
import requests

from tests.embedded.test_probe import Person, system  # noqa: F401 - `system` is a fixture

# Starts a whole system of its own (make run, or an embedded one).
pytestmark = pytest.mark.system


def test_the_demo_users_sign_in(system):  # noqa: F811 - the imported fixture
    assert Person(system, "reporter1").call("GET", "/api/identity/me").status_code == 200


# --- 2 and 3: evidence packs ---------------------------------------------------------------

EXPENDITURE = (
    Path(__file__).resolve().parents[2] / "services/workflow/examples/expenditure-2547.csv"
)


def pack_zip(person: Person, body: dict) -> bytes:
    """A pack built for `person` and downloaded."""
    asked = person.call("POST", "/api/evidence/packs", json=body)
    assert asked.status_code == 202, asked.text
    for _ in range(240):
        pack = person.call("GET", f"/api/evidence/packs/{asked.json()['id']}").json()
        if pack["state"] in ("ready", "failed"):
            break
        time.sleep(0.5)
    assert pack["state"] == "ready", pack
    return person.call("GET", f"/api/evidence/packs/{pack['id']}/content").content


@pytest.fixture(scope="module")
def r1_pack(system) -> bytes:  # noqa: F811
    """reporter1's pack of R1's 3.1, once the expenditure file (every region's rows) is in."""
    reviewer = Person(system, "reviewer")
    form = {"year": "2547", "kpi": "3.1", "dry_run": "false"}
    imported = reviewer.call(
        "POST",
        "/api/workflow/imports",
        data=form,
        files={"file": (EXPENDITURE.name, EXPENDITURE.read_bytes())},
    )
    assert imported.status_code == 200, imported.text
    return pack_zip(Person(system, "reporter1"), {"year": 2547, "unit": "R1", "kpi": "3.1"})


def test_2_a_reporters_pack_holds_no_other_units_row(r1_pack):
    zf = zipfile.ZipFile(io.BytesIO(r1_pack))
    files = json.loads(zf.read("manifest.json"))["files"]
    extracts = [e for e in files if "extract_of" in e]
    rows = [
        row
        for e in extracts
        for row in csv.DictReader(io.StringIO(zf.read(e["path"]).decode("utf-8-sig")))
    ]
    assert len(rows) == 12 and {row["unit"] for row in rows} == {"R1"}
    assert {e["unit"] for e in files} == {"R1"}  # the department's whole file is not there


def test_3_a_changed_copy_placed_before_the_original_is_refused_by_the_verifier(
    system,  # noqa: F811
    r1_pack,
    tmp_path,
):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(requests.get(f"{system.url}/api/identity/jwks.json", timeout=30).text)
    original, crafted = tmp_path / "pack.zip", tmp_path / "crafted.zip"
    original.write_bytes(r1_pack)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(r1_pack)) as pack, zipfile.ZipFile(out, "w") as copy:
        first = pack.infolist()[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Duplicate name" is the point
            copy.writestr(first.filename, pack.read(first).replace(b"R1", b"R9"))
            for info in pack.infolist():
                copy.writestr(info, pack.read(info))
    crafted.write_bytes(out.getvalue())
    check = [sys.executable, "-m", "services.evidence.verify_pack"]
    results = [
        subprocess.run([*check, path, "--jwks", jwks], capture_output=True, text=True, timeout=60)
        for path in (original, crafted)
    ]
    assert [r.returncode for r in results] == [0, 1]
    assert f"NOT intact: {first.filename}: in the pack twice" in results[1].stdout
