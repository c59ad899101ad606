"""The second trust probe replayed from outside against `make run` itself (SQLite, the
filesystem broker, the demo users), one test per finding; the same findings are tested on
PostgreSQL in tests/trust and per service."""

from __future__ import annotations

import pytest

from tests.embedded.test_probe import Person, system  # noqa: F401 - `system` is a fixture

# Starts a whole system of its own (make run, or an embedded one).
pytestmark = pytest.mark.system


def test_the_demo_users_sign_in(system):  # noqa: F811 - the imported fixture
    assert Person(system, "reporter1").call("GET", "/api/identity/me").status_code == 200
