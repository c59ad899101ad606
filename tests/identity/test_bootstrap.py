"""The first administrator of a deployment, made from the command line (no demo data)."""

import os

import pytest

from deploy.migrate import migrate_all
from services.identity import bootstrap
from services.identity.app import create_app

PASSWORD = "first-admin-password"


@pytest.fixture
def deployment(tmp_path, monkeypatch):
    """A fresh identity on SQLite with no users at all."""
    for name in ("RBM_DATABASE_URL", "RBM_IDENTITY_DATABASE_URL", "RBM_DEMO"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RBM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RBM_BROKER_URL", f"filesystem://{tmp_path}/broker")
    monkeypatch.setenv("RBM_ADMIN_PASSWORD", PASSWORD)
    migrate_all(["identity"], os.environ)


def test_bootstrap_makes_an_administrator_who_can_log_in(deployment):
    assert bootstrap.main(["Boss"]) == 0
    client = create_app().test_client()
    token = client.post("/token", json={"username": "boss", "password": PASSWORD})
    me = client.get("/me", headers={"Authorization": f"Bearer {token.json['access_token']}"})
    assert me.json["roles"] == ["admin"] and me.json["units"] == ["PRD"]


def test_bootstrap_refuses_a_weak_password(deployment, monkeypatch):
    monkeypatch.setenv("RBM_ADMIN_PASSWORD", "short")
    assert bootstrap.main(["boss"]) == 1


def test_bootstrap_refuses_a_name_that_is_taken(deployment):
    bootstrap.main(["boss"])
    assert bootstrap.main(["boss"]) == 1
