"""The gateway as an attacker meets it: no service-account sign-in and no service-only path
from outside (its published listener), while services use both on its internal listener."""

from __future__ import annotations

import pytest
import requests

from common import grants
from common.config import from_env
from common.secrets import service_password
from tests.deployed.test_deploy_files import SERVICE_ONLY


def service_login(base: str, deployed, headers=None, account="workflow") -> requests.Response:
    settings = from_env(account, {"RBM_SERVICE_SECRET": deployed.secrets["RBM_SERVICE_SECRET"]})
    body = {"username": f"svc-{account}", "password": service_password(settings, account)}
    return requests.post(f"{base}/api/identity/token", json=body, headers=headers, timeout=30)


def granted_account(path: str) -> str | None:
    """A service account whose scopes open this service-only path (common/grants.py)."""
    service, rule = (
        path.removeprefix("/api/").split("/", 1) if path.startswith("/api/") else ("", "")
    )
    for account, scopes in sorted(grants.GRANTS.items()):
        if grants.opens(scopes, service, "GET", f"/{rule}"):
            return account
    return None


@pytest.mark.parametrize("forged", [None, {"X-RBM-Outside": ""}, {"X-RBM-Outside": "0"}])
def test_a_service_account_cannot_sign_in_through_the_published_gateway(deployed, forged):
    refused = service_login(deployed.url, deployed, forged)
    assert refused.status_code == 401, refused.text
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert service_login(deployed.internal_url, deployed).status_code == 200


def test_service_only_paths_do_not_exist_from_outside(deployed):
    for path in SERVICE_ONLY:
        # Inside, a service account that is granted the path reads it (metrics need none);
        # no account is granted the feed nobody consumes.
        account = granted_account(path)
        login = service_login(deployed.internal_url, deployed, account=account or "workflow")
        bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
        outside = requests.get(f"{deployed.url}{path}", headers=bearer, timeout=30)
        assert outside.status_code == 404, path
        assert outside.headers["Content-Type"] == "application/problem+json", path
        inside = requests.get(f"{deployed.internal_url}{path}", headers=bearer, timeout=30)
        expected = 200 if account or path.endswith("/metrics") else 403
        assert inside.status_code == expected, (path, inside.text)
    # Written another way, the path is still the same one.
    sneaky = requests.get(f"{deployed.url}/api/workflow//./events?after=0", timeout=30)
    assert sneaky.status_code == 404


def test_a_service_token_is_refused_through_the_published_gateway(deployed):
    # The evidence service reads the reports it packs.
    token = service_login(deployed.internal_url, deployed, account="evidence").json()[
        "access_token"
    ]
    bearer = {"Authorization": f"Bearer {token}"}
    outside = requests.get(f"{deployed.url}/api/workflow/reports", headers=bearer, timeout=30)
    assert outside.status_code == 401, outside.text
    inside = requests.get(
        f"{deployed.internal_url}/api/workflow/reports", headers=bearer, timeout=30
    )
    assert inside.status_code == 200, inside.text


def test_the_portal_runs_with_no_database_or_object_store_credential(deployed):
    for replica in deployed.replicas("portal"):
        assert replica.alive
        assert not [k for k in replica.env if k.startswith(("RBM_DATABASE", "RBM_S3_"))]
    assert not [k for p in deployed.replicas("scorecard") for k in p.env if "RBM_S3_" in k]
    assert requests.get(f"{deployed.url}/readyz", timeout=30).status_code == 200
    login = requests.get(f"{deployed.url}/login", timeout=30)
    assert login.status_code == 200 and 'name="password"' in login.text


def test_only_identity_holds_the_service_secret_and_each_service_its_own_password(deployed):
    for proc in deployed.processes:
        service = proc.env.get("RBM_SERVICE")
        assert ("RBM_SERVICE_SECRET" in proc.env) == (service == "identity"), proc.name
        # identity signs tokens itself; evidence's beat only sends a task to the queue.
        needs_account = service != "identity" and not proc.name.startswith("evidence-beat")
        assert ("RBM_SERVICE_PASSWORD" in proc.env) == needs_account, proc.name
    (workflow, *_) = deployed.replicas("workflow")
    body = {"username": "svc-workflow", "password": workflow.env["RBM_SERVICE_PASSWORD"]}
    resp = requests.post(f"{deployed.internal_url}/api/identity/token", json=body, timeout=30)
    assert resp.status_code == 200, resp.text
    body["username"] = "svc-evidence"
    resp = requests.post(f"{deployed.internal_url}/api/identity/token", json=body, timeout=30)
    assert resp.status_code == 401
