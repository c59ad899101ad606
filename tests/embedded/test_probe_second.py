"""The second trust probe replayed from outside against `make run` itself (SQLite, the
filesystem broker, the demo users), one test per finding; the same findings are tested on
PostgreSQL in tests/trust and per service."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
import requests

from common.auth import AUDIENCE, ISSUER, new_private_key_pem
from tests.embedded.test_probe import Person, system  # noqa: F401 - `system` is a fixture

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
    for _ in range(20):
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": uuid.uuid4().hex})
        resp = requests.get(
            f"{system.url}/api/workflow/reports",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert resp.status_code == 401, resp.text
    assert jwks_fetches(system) - before <= 1
