"""Fixtures of the security tests: identity's users, a team of one's own (the workflow's crew)."""

from tests.evidence.conftest import evidence, reporter, unchanged  # noqa: F401 - fixtures
from tests.identity.conftest import admin, new_user  # noqa: F401 - fixtures used here
from tests.workflow.conftest import crew  # noqa: F401 - fixture used here
