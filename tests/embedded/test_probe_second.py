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
import uuid
import warnings
import zipfile
from pathlib import Path

import jwt
import pytest
import requests

from common.auth import AUDIENCE, ISSUER, KEY_REFETCH_SECONDS, new_private_key_pem
from common.secrets import derive_password
from tests.embedded.test_probe import (  # noqa: F401 - `system` is a fixture
    Person,
    act,
    delegation,
    system,
)
from tests.waiting import eventually

# Starts a whole system of its own (make run, or an embedded one).
pytestmark = pytest.mark.system


def test_the_demo_users_sign_in(system):  # noqa: F811 - the imported fixture
    assert Person(system, "reporter1").call("GET", "/api/identity/me").status_code == 200


# --- 9: text that reads backwards ----------------------------------------------------------

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


def test_9_a_note_or_a_name_that_reads_backwards_is_refused(system):  # noqa: F811
    reporter, admin = Person(system, "reporter1"), Person(system, "admin")
    body = {"year": 2547, "kpi": "2.1", "unit": "R1", "period": "M02", "note": f"1{RLO}5"}
    note = reporter.call("POST", "/api/workflow/reports", json=body)
    user = {"username": "probe-bidi", "display_name": f"a{RLO}b", "password": "a-long-password-1"}
    name = admin.call("POST", "/api/identity/users", json=user)
    unit = admin.call("PATCH", "/api/catalogue/units/R1", json={"name_en": f"{RLO}1R"})
    for resp, field in ((note, "note"), (name, "display_name"), (unit, "name_en")):
        assert resp.status_code == 422, resp.text
        assert field in resp.json()["errors"]


# --- 7: made-up key ids ----------------------------------------------------------------------


def jwks_fetches(run) -> float:
    """How many times identity has served its JWKS, from its own /metrics."""
    text = requests.get(f"{run.url}/api/identity/metrics", timeout=30).text
    lines = (line for line in text.splitlines() if line.startswith("rbm_http_requests_total{"))
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines if 'route="/jwks.json"' in line)


WARM = (
    "/api/workflow/reports",
    "/api/catalogue/units",
    "/api/evidence/files",
    "/api/notifications/inbox",
    "/api/scorecard/2547?unit=R1",
)


def test_7_twenty_made_up_key_ids_cost_at_most_one_key_fetch(system):  # noqa: F811
    key = new_private_key_pem()
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60}
    # Every service verifies a real token first: each has fetched identity's keys once.
    reporter = Person(system, "reporter1")
    for path in WARM:
        assert reporter.call("GET", path).status_code == 200, path
    before = jwks_fetches(system)
    assert before >= 1
    started = time.monotonic()
    for _ in range(20):
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": uuid.uuid4().hex})
        resp = requests.get(
            f"{system.url}/api/workflow/reports",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert resp.status_code == 401, resp.text
    # At most one fetch in every pause, however slow a loaded machine makes the 20 requests.
    pauses = 1 + int((time.monotonic() - started) // KEY_REFETCH_SECONDS)
    assert jwks_fetches(system) - before <= pauses


# --- 2 and 3: evidence packs ---------------------------------------------------------------

EXPENDITURE = (
    Path(__file__).resolve().parents[2] / "services/workflow/examples/expenditure-2547.csv"
)


def pack_zip(person: Person, body: dict) -> bytes:
    """A pack built for `person` and downloaded."""
    asked = person.call("POST", "/api/evidence/packs", json=body)
    assert asked.status_code == 202, asked.text

    def finished() -> dict | None:
        pack = person.call("GET", f"/api/evidence/packs/{asked.json()['id']}").json()
        return pack if pack["state"] in ("ready", "failed") else None

    pack = eventually(finished, timeout=120, interval=0.5, what="the pack built")
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


# --- 8: the revocation list ------------------------------------------------------------------


def test_8_the_revocation_list_is_for_services_and_stays_small(system):  # noqa: F811
    admin, name = Person(system, "admin"), f"probe-out-{uuid.uuid4().hex[:6]}"
    user = {"username": name, "display_name": "ผู้ทดสอบ", "password": "a-long-password-1"}
    made = admin.call("POST", "/api/identity/users", json=user)
    assert made.status_code == 201, made.text
    for _ in range(20):
        person = Person(system, name, "a-long-password-1")
        assert person.call("POST", "/api/identity/logout").status_code == 204
    url = f"{system.url}/api/identity/revocations"
    assert requests.get(url, timeout=30).status_code == 401
    assert person.call("GET", "/api/identity/revocations").status_code == 401  # signed out
    assert admin.call("GET", "/api/identity/revocations").status_code == 403
    secret = (system.data_dir / "service-secret").read_text()
    service = {"username": "svc-workflow", "password": derive_password(secret, "workflow")}
    token = requests.post(f"{system.url}/api/identity/token", json=service, timeout=30).json()
    listed = requests.get(
        url, headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=30
    ).json()["entries"]
    assert len([e for e in listed if e["user_id"] == made.json()["id"]]) <= 6


# --- 1: one person writes, endorses and approves a report ----------------------------------


def test_1_whoever_changed_a_report_neither_endorses_nor_approves_it(system):  # noqa: F811
    reporter, head, reviewer = (Person(system, n) for n in ("reporter1", "head1", "reviewer"))
    admin = Person(system, "admin")
    body = {"year": 2547, "kpi": "2.1", "unit": "R1", "period": "M10"}
    items = [{"order_no": f"สปข.1 ที่ {n}/2547", "committee": f"คณะทำงาน {n}"} for n in range(5)]
    made = reporter.call("POST", "/api/workflow/reports", json={**body, "items": items[:1]})
    assert made.status_code == 201 and made.json()["value"] == 1, made.text
    report = made.json()["id"]
    path = f"/api/workflow/reports/{report}"
    edited = head.call("PATCH", path, json={"items": items})
    assert edited.status_code == 200 and edited.json()["value"] == 5, edited.text
    assert act(reporter, report, "submit").status_code == 200
    assert "endorse" not in head.call("GET", path).json()["actions"]
    refused = act(head, report, "endorse")
    assert refused.status_code == 403, refused.text
    assert refused.json()["reason"] == "separation_of_duties"
    # Another head of R1 endorses; the reviewer's stand-in is the head who changed the data.
    other = {"username": "probe-head-r1", "display_name": "หัวหน้าทดสอบ"}
    other_made = admin.call(
        "POST",
        "/api/identity/users",
        json={
            **other,
            "password": "a-long-password-1",
            "memberships": [{"unit": "R1", "role": "unit_head"}],
        },
    )
    assert other_made.status_code == 201, other_made.text
    second = Person(system, "probe-head-r1", "a-long-password-1")
    assert act(second, report, "endorse").status_code == 200
    given = reviewer.call("POST", "/api/workflow/delegations", json=delegation("head1"))
    assert given.status_code == 201, given.text
    assert "approve" not in head.call("GET", path).json()["actions"]
    refused = act(head, report, "approve")
    reviewer.call("DELETE", f"/api/workflow/delegations/{given.json()['id']}")
    assert refused.status_code == 403, refused.text
    assert refused.json()["reason"] == "separation_of_duties"
    assert reviewer.call("GET", path).json()["state"] == "endorsed"


# --- 10: each service account reaches what its own service needs --------------------------


def service_session(run, service: str) -> requests.Session:
    """A session on `svc-<service>`'s own account, its password derived from the data dir."""
    secret = (run.data_dir / "service-secret").read_text()
    account = {"username": f"svc-{service}", "password": derive_password(secret, service)}
    token = requests.post(f"{run.url}/api/identity/token", json=account, timeout=30)
    assert token.status_code == 200, token.text
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return http


def test_10_a_service_account_reaches_only_what_its_service_needs(system):  # noqa: F811
    portal, scorecard = service_session(system, "portal"), service_session(system, "scorecard")
    feed = f"{system.url}/api/workflow/events?after=0&limit=1"
    people = f"{system.url}/api/identity/users"
    assert scorecard.get(feed, timeout=30).status_code == 200
    assert portal.get(feed, timeout=30).status_code == 403
    assert portal.get(people, timeout=30).status_code == 403
    assert scorecard.get(people, timeout=30).status_code == 403
