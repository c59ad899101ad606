"""The contract of every service, tried from outside on a running embedded system.

Each OpenAPI document is valid; schemathesis (positive and negative data, stateful links
inferred from `Location` headers) finds no 5xx and no answer its document does not describe.
"""

from __future__ import annotations

import pytest
import requests
from openapi_spec_validator import validate

from services.system import API_SERVICES, SERVICES
from tests.conftest import embedded_system
from tests.contract import fuzzing

# Starts a whole system of its own (make run, or an embedded one).
pytestmark = pytest.mark.system

# Identity last: the fuzzer may change the demo users whose tokens the others use.
FUZZED = sorted(API_SERVICES, key=lambda name: name == "identity")
MAX_EXAMPLES = 5
TOTALS = {"services": 0, "operations": 0, "cases": 0}


@pytest.fixture(scope="module")
def fuzzed(system_env, tmp_path_factory):
    """A system of its own: what the fuzzer changes (users, years, units) stays there."""
    with embedded_system(system_env, tmp_path_factory.mktemp("fuzzed")) as system:
        yield system
    print(
        "\nschemathesis tried {operations} operations of {services} services"
        " with {cases} cases".format(**TOTALS)
    )


@pytest.fixture(scope="module")
def tokens(fuzzed) -> dict[str, str]:
    return {user: fuzzed.token(user) for user in fuzzing.USERS}


@pytest.fixture(scope="module")
def known(fuzzed, tokens) -> dict[str, str]:
    """Ids of things that exist, so that operations on one thing get past their 404."""
    agency = {"agency": "กรมทดสอบ", "date": "2003-12-05"}
    draft = requests.post(
        f"{fuzzed.url}/api/workflow/reports",
        json={"year": 2547, "kpi": "2.2", "unit": "R1", "period": "M03", "items": [agency]},
        headers={"Authorization": f"Bearer {tokens['reporter1']}"},
        timeout=30,
    )
    assert draft.status_code == 201, draft.text
    return {"report_id": draft.json()["id"], "username": "reporter2"}


@pytest.mark.parametrize("service", SERVICES)
def test_the_openapi_document_is_valid(fuzzed, service):
    prefix = "" if service == "portal" else f"/api/{service}"
    document = requests.get(f"{fuzzed.url}{prefix}/openapi.json", timeout=30)
    assert document.status_code == 200
    validate(document.json())


@pytest.mark.parametrize("service", FUZZED)
def test_fuzzing_finds_no_server_error_and_no_undocumented_answer(
    fuzzed, tokens, known, service, tmp_path
):
    outcome = fuzzing.run(fuzzed.url, service, tokens, tmp_path, MAX_EXAMPLES, known)
    TOTALS["services"] += 1
    TOTALS["operations"] += outcome.operations
    TOTALS["cases"] += outcome.cases
    print(f"\n{service}: {outcome.operations} operations, {outcome.cases} cases")
    assert outcome.operations > 0, outcome.output
    assert outcome.returncode == 0, outcome.output
