"""Fixtures of the security tests: identity's users made through its admin API."""

from tests.identity.conftest import admin, new_user  # noqa: F401 - fixtures used here
