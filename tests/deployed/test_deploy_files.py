"""Checked without running: docker-compose.yml against the compose specification, deploy/k8s/
against the Kubernetes API schemas, and every deployment file against services/system.py and the
`RBM_*` variables the code reads. A new service is registered in services/system.py; these tests
then name every file that still lacks it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from deploy.envfile import (
    WITH_ACCOUNT,
    database_password_variable,
    fresh,
    k8s_secret,
    password_variable,
)
from deploy.migrate import role_variable, with_database
from deploy.topology import compose_services, gateway_config, image_command
from services.system import API_SERVICES, SERVICES

ROOT = Path(__file__).resolve().parents[2]
K8S_VERSION = "1.30"
# Read by code but not deployment settings: each says why.
NOT_DEPLOYMENT_SETTINGS = {
    "RBM_PORT": "embedded mode's one port (a container's port is PORT)",
    "RBM_ADMIN_PASSWORD": "input of the one-off bootstrap command",
    "RBM_EVENTS_EXCHANGE": "lets test sessions share a broker; the default is the deployment's",
    "RBM_QUEUE_PREFIX": "lets test sessions share a broker; the default is the deployment's",
    "RBM_TOPOLOGY_PG_URL": "deploy/topology.py, the topology run on one machine",
    "RBM_TOPOLOGY_AMQP_URL": "deploy/topology.py, the topology run on one machine",
    "RBM_URL": "the import command line's origin",
    "RBM_TOKEN": "the import command line's token",
    "RBM_PASSWORD": "the import command line's password",
    "RBM_DEMO_SIZE": "the size of embedded mode's demo department (make run)",
}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def manifests() -> list[dict]:
    return [
        doc
        for path in sorted((ROOT / "deploy/k8s").glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


def deployments() -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in manifests() if d["kind"] == "Deployment"}


def container_env(deployment: dict) -> dict[str, str | None]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def secret_refs(container: dict) -> dict[str, dict]:
    """The container's variables taken from a Secret: the Secret and key each comes from."""
    return {
        e["name"]: e["valueFrom"]["secretKeyRef"]
        for e in container.get("env", [])
        if "secretKeyRef" in e.get("valueFrom", {})
    }


def database_key(service: str) -> dict[str, str]:
    """Where in Kubernetes a service's own database URL (its role's) is kept."""
    return {"name": "rbm-backends", "key": f"RBM_{service.upper()}_DATABASE_URL"}


def prefix(service: str) -> str:
    return f"/api/{service}" if service in API_SERVICES else ""


def test_the_compose_file_follows_the_compose_specification():
    schema = json.loads((Path(__file__).parent / "schemas/compose-spec.json").read_text())
    jsonschema.Draft7Validator(schema).validate(compose())


@pytest.mark.parametrize("doc", manifests(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_each_manifest_follows_the_kubernetes_api(doc):
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_kustomization_lists_every_manifest():
    listed = set(yaml.safe_load((ROOT / "deploy/kustomization.yaml").read_text())["resources"])
    assert listed == {f"k8s/{p.name}" for p in (ROOT / "deploy/k8s").glob("*.yaml")}


def test_compose_runs_each_service_as_a_web_container_on_its_prefix():
    webs = {s.service: s for s in compose_services({}, strict=False) if s.is_web}
    assert set(webs) == set(SERVICES)
    for service, spec in webs.items():
        assert spec.name == service
        assert spec.environment.get("SCRIPT_NAME", "") == prefix(service)
    assert image_command()[:3] == ["gunicorn", "-c", "deploy/gunicorn.conf.py"]


def test_kubernetes_runs_the_same_containers_as_compose():
    in_compose = {s.name: s for s in compose_services({}, strict=False) if not s.is_migration}
    found = deployments()
    assert set(found) == set(in_compose) | {"gateway"}
    for name, spec in in_compose.items():
        env = container_env(found[name])
        assert env["RBM_SERVICE"] == spec.service, name
        assert env.get("SCRIPT_NAME") == spec.environment.get("SCRIPT_NAME"), name
        (container,) = found[name]["spec"]["template"]["spec"]["containers"]
        assert container.get("command", image_command()) == spec.command, name


def test_kubernetes_migrates_once_in_a_job_running_what_compose_runs_first():
    (migrate,) = [s for s in compose_services({}, strict=False) if s.is_migration]
    (job,) = [d for d in manifests() if d["kind"] == "Job"]
    spec = job["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert container["command"] == migrate.command == ["python", "-m", "deploy.migrate"]
    assert spec["restartPolicy"] == "Never" and job["spec"]["backoffLimit"] > 0
    assert "ttlSecondsAfterFinished" in job["spec"]  # gone before the next image's apply
    # Of the Secrets, only the database's URLs: the owner's, and each service's role's to make.
    assert container["envFrom"] == [{"configMapRef": {"name": "rbm-config"}}]
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"]}
    assert refs == {
        "RBM_DATABASE_URL": {"name": "rbm-backends", "key": "RBM_DATABASE_URL"},
        **{role_variable(s): database_key(s) for s in with_database()},
    }


def test_every_pod_of_a_service_with_tables_waits_for_its_migrations():
    waiting = set()
    for name, deployment in deployments().items():
        spec = deployment["spec"]["template"]["spec"]
        (container,) = spec["containers"]
        env = container_env(deployment)
        service = env.get("RBM_SERVICE")
        if service not in with_database() or "RBM_DATABASE_URL" not in env:  # e.g. a beat
            assert "initContainers" not in spec, name
            continue
        (init,) = spec["initContainers"]
        assert init["image"] == container["image"], name
        assert init["command"] == ["python", "-m", "deploy.migrate", "--wait", service], name
        # As the service itself connects: the same database settings, nothing more.
        assert init["envFrom"] == container["envFrom"], name
        assert secret_refs(init) == {"RBM_DATABASE_URL": database_key(service)}, name
        waiting.add(name)
    containers = [s for s in compose_services({}, strict=False) if not s.is_migration]
    assert waiting == {
        s.name
        for s in containers
        if s.service in with_database() and "RBM_DATABASE_URL" in s.environment
    }


def test_kubernetes_probes_and_ports_match_the_service_and_the_gateway():
    services = {d["metadata"]["name"]: d for d in manifests() if d["kind"] == "Service"}
    for service in SERVICES:
        (container,) = deployments()[service]["spec"]["template"]["spec"]["containers"]
        assert container["ports"][0]["containerPort"] == 8000  # gunicorn.conf.py's PORT
        assert container["readinessProbe"]["httpGet"]["path"] == f"{prefix(service)}/readyz"
        for probe in ("livenessProbe", "startupProbe"):
            assert container[probe]["httpGet"]["path"] == f"{prefix(service)}/healthz"
        assert services[service]["spec"]["ports"][0]["port"] == 8000, service


def test_each_celery_worker_serves_its_metrics_on_the_port_kubernetes_exposes():
    workers = [s for s in compose_services({}, strict=False) if s.is_celery_worker]
    assert {s.name for s in workers} == {"evidence-celery", "notifications-celery"}
    (config,) = [d["data"] for d in manifests() if d["metadata"]["name"] == "rbm-config"]
    port = config["RBM_CELERY_METRICS_PORT"]
    for spec in workers:
        assert spec.environment["RBM_CELERY_METRICS_PORT"] == port, spec.name
        (container,) = deployments()[spec.name]["spec"]["template"]["spec"]["containers"]
        assert {"name": "metrics", "containerPort": int(port)} in container["ports"], spec.name


def test_the_compose_healthcheck_is_the_readyz_of_each_web_container():
    for name, spec in compose()["services"].items():
        if spec.get("command") is None and name in SERVICES:
            assert spec["healthcheck"]["test"][-2:] == ["deploy.healthcheck", "readyz"], name


def test_the_gateway_routes_each_api_service_to_its_upstream():
    config = (ROOT / "deploy/gateway/nginx.conf").read_text()
    routed = set()
    for location, body in re.findall(r"location ([^{]+)\{([^}]*)\}", config):
        upstream = re.search(r"set \$rbm_upstream http://(\$1|\w+)\$rbm_service_suffix:8000", body)
        if upstream and upstream.group(1) == "$1":
            routed.update(re.search(r"\^/api/\(([^)]+)\)/", location).group(1).split("|"))
        elif upstream:
            routed.add(upstream.group(1))
    assert routed == set(SERVICES)
    redirects = re.search(r"location ~ \^/api/\(([^)]+)\)\$", config).group(1).split("|")
    assert set(redirects) == set(API_SERVICES)
    local = gateway_config(Path("/x"), 1234, 1235)
    assert "listen 127.0.0.1:1234;" in local and "listen 127.0.0.1:1235;" in local


# Only services call these: the event feeds (of the services that publish events), every
# service's metrics, identity's list of revoked tokens.
FEEDS = ("identity", "catalogue", "evidence", "workflow")
SERVICE_ONLY = [
    *(f"/api/{service}/events" for service in FEEDS),
    *(f"/api/{service}/metrics" for service in API_SERVICES),
    "/api/identity/revocations",
    "/metrics",
]


def gateway_map(name: str) -> dict[str, str]:
    """A `map` block of the gateway's nginx.conf: its patterns and values."""
    config = (ROOT / "deploy/gateway/nginx.conf").read_text()
    body = re.search(r"map \S+ \$" + name + r" \{([^}]*)\}", config).group(1)
    return dict(re.findall(r"^\s*(\S+)\s+(\S+);", body, re.M))


def test_the_gateway_marks_everything_on_the_published_port_as_from_outside():
    assert gateway_map("rbm_outside") == {"8081": "$http_x_rbm_outside", "default": "1"}
    config = (ROOT / "deploy/gateway/nginx.conf").read_text()
    assert "proxy_set_header X-RBM-Outside $rbm_outside;" in config
    # Published: only 8080, where every request is marked; services call each other on 8081.
    assert compose()["services"]["gateway"]["ports"] == ["${RBM_HTTP_PORT:-8000}:8080"]
    assert compose()["x-rbm-env"]["RBM_GATEWAY_URL"] == "http://gateway:8081"
    (ingress,) = [d for d in manifests() if d["kind"] == "Ingress"]
    (path,) = ingress["spec"]["rules"][0]["http"]["paths"]
    assert path["backend"]["service"] == {"name": "gateway", "port": {"name": "http"}}
    (gateway,) = [
        d for d in manifests() if d["kind"] == "Service" and d["metadata"]["name"] == "gateway"
    ]
    ports = {p["name"]: p["port"] for p in gateway["spec"]["ports"]}
    assert ports == {"http": 8080, "internal": 8081}
    config_map = next(d for d in manifests() if d["kind"] == "ConfigMap")
    assert config_map["data"]["RBM_GATEWAY_URL"] == "http://gateway:8081"


@pytest.mark.parametrize("path", SERVICE_ONLY)
def test_the_gateway_refuses_service_only_paths_from_outside(path):
    patterns = [
        p.strip('"').removeprefix("~") for p in gateway_map("rbm_service_only") if p != "default"
    ]
    assert any(re.fullmatch(p, path) for p in patterns), path
    assert not any(re.fullmatch(p, "/api/workflow/reports") for p in patterns)


def code_variables() -> set[str]:
    found = set()
    for folder in ("common", "services", "deploy"):
        for path in (ROOT / folder).rglob("*.py"):
            found.update(re.findall(r"[\"'](RBM_[A-Z0-9_]+)[\"']", path.read_text()))
    return found


def deployment_variables() -> set[str]:
    compose_env = {
        key for s in compose()["services"].values() for key in s.get("environment", {}) or {}
    }
    k8s = set()
    for doc in manifests():
        if doc["kind"] == "ConfigMap":
            k8s.update(doc.get("data", {}))
        elif doc["kind"] == "Deployment":
            k8s.update(container_env(doc))
    readme = (ROOT / "deploy/README.md").read_text()
    k8s.update(re.findall(r"--from-literal=(RBM_[A-Z0-9_]+)=", readme))
    return compose_env & k8s


def test_every_variable_the_code_reads_is_set_by_compose_and_by_kubernetes():
    unset = code_variables() - deployment_variables() - set(NOT_DEPLOYMENT_SETTINGS)
    assert not unset, f"read by the code, set by no deployment file: {sorted(unset)}"


# Credentials and the services that may hold them; any other container holds none of them.
CREDENTIALS = {
    "RBM_DATABASE_URL": {"migrate", *SERVICES} - {"portal"},
    "RBM_S3_ENDPOINT": {"evidence", "workflow"},
    "RBM_S3_ACCESS_KEY": {"evidence", "workflow"},
    "RBM_S3_SECRET_KEY": {"evidence", "workflow"},
    "RBM_SMTP_USER": {"notifications"},
    "RBM_SMTP_PASSWORD": {"notifications"},
    "RBM_JWT_PRIVATE_KEY": {"identity"},
    "RBM_EVIDENCE_SIGNING_KEY": {"evidence"},
    "RBM_PORTAL_SECRET": {"portal"},
    "RBM_SERVICE_SECRET": {"identity"},
    **{role_variable(s): {"migrate"} for s in SERVICES},
}


def held_variables() -> dict[str, tuple[str, set[str]]]:
    """Each container of compose and Kubernetes: its service and the variables it is given."""
    held = {
        s.name: (s.environment.get("RBM_SERVICE", "migrate"), set(s.environment))
        for s in compose_services({}, strict=False)
    }
    for name, deployment in deployments().items():
        if name != "gateway":
            env = container_env(deployment)
            held[f"k8s {name}"] = (env["RBM_SERVICE"], set(env))
    return held


def test_each_container_gets_only_its_own_services_credentials():
    for name, (service, variables) in held_variables().items():
        for variable in variables & set(CREDENTIALS):
            assert service in CREDENTIALS[variable], f"{name} holds {variable}"
        without_database = service == "portal" or name.endswith("evidence-beat")  # sends a task
        assert ("RBM_DATABASE_URL" in variables) != without_database, name
    for name, deployment in deployments().items():
        spec = deployment["spec"]["template"]["spec"]
        sources = [
            s
            for c in spec["containers"] + spec.get("initContainers", [])
            for s in c.get("envFrom", [])
        ]
        whole = [s for s in sources if "secretRef" in s]
        assert not whole, f"{name} takes a whole Secret, not the keys it needs"


def test_the_portal_has_no_database_or_object_store_setting_at_all():
    portal = compose()["services"]["portal"]["environment"]
    assert not [k for k in portal if k.startswith(("RBM_DATABASE", "RBM_S3_"))], portal
    assert not [k for k in container_env(deployments()["portal"]) if "DATABASE" in k]


def test_only_s3_of_seaweedfs_is_served_and_only_to_those_holding_its_keys():
    services = compose()["services"]
    seaweedfs = services["seaweedfs"]
    assert seaweedfs["networks"] == ["storage"] and "ports" not in seaweedfs
    assert compose()["networks"]["storage"] == {"internal": True}
    command = seaweedfs["command"][-1]
    # Master, volume and filer (and their gRPC) bind to the container's loopback; S3 to all.
    assert "-ip.bind=127.0.0.1" in command and "-s3.ip.bind=0.0.0.0" in command
    assert "-ip=127.0.0.1" in command
    on_storage = {name for name, spec in services.items() if "storage" in spec.get("networks", [])}
    with_keys = {
        s.name for s in compose_services({}, strict=False) if "RBM_S3_ENDPOINT" in s.environment
    }
    assert on_storage == with_keys | {"seaweedfs"}
    assert all("default" in services[name]["networks"] for name in with_keys)


def network_policies() -> dict[str, dict]:
    return {d["metadata"]["name"]: d["spec"] for d in manifests() if d["kind"] == "NetworkPolicy"}


def selected(spec: dict, name: str, component: str = "web") -> bool:
    """Whether a NetworkPolicy's podSelector selects the pods of service `name`."""
    selector = spec["podSelector"]
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/component": component}
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for rule in selector.get("matchExpressions", []):
        inside = labels.get(rule["key"]) in rule["values"]
        if inside != (rule["operator"] == "In"):
            return False
    return True


def test_kubernetes_lets_each_pod_reach_only_the_backends_it_holds_keys_for():
    policies = network_policies()
    assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    holders: dict[str, set[str]] = {}  # policies select a service's pods by its name
    for deployment in deployments().values():
        name = deployment["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
        holders.setdefault(name, set()).update(container_env(deployment))
    for name, variables in holders.items():
        s3 = selected(policies["egress-object-store"], name)
        assert s3 == ("RBM_S3_ACCESS_KEY" in variables), name
        database = selected(policies["egress-database"], name)
        assert database == ("RBM_DATABASE_URL" in variables), name
    # The services only from the gateway; the gateway's internal port only from rbm's pods.
    assert [r["from"] for r in policies["web-from-gateway"]["ingress"]] == [
        [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}}]
    ]
    public, internal = policies["gateway-ingress"]["ingress"]
    assert "from" not in public and public["ports"] == [{"port": "http"}]
    assert internal["ports"] == [{"port": "internal"}] and internal["from"]


def test_each_service_is_given_its_own_account_password_only():
    # identity signs tokens itself; evidence's beat only sends a task to the queue.
    without = (None, "identity")
    for name, spec in compose()["services"].items():
        service = (spec.get("environment") or {}).get("RBM_SERVICE")
        if service not in without and name != "evidence-beat":
            own = password_variable(service)
            assert spec["environment"]["RBM_SERVICE_PASSWORD"] == f"${{{own}:?set {own}}}", name
    for name, deployment in deployments().items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        refs = {
            e["name"]: e.get("valueFrom", {}).get("secretKeyRef") for e in container.get("env", [])
        }
        service = container_env(deployment).get("RBM_SERVICE")
        if service not in without and name != "evidence-beat":
            own = {"name": "rbm-secrets", "key": password_variable(service)}
            assert refs["RBM_SERVICE_PASSWORD"] == own, name
    assert set(json.loads(k8s_secret(fresh()))["stringData"]) >= {
        password_variable(s) for s in WITH_ACCOUNT
    }


OWNER_URL = "postgresql://rbm:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}@postgres:5432/rbm"


def test_each_service_connects_as_its_own_role_and_only_migrate_as_the_owner():
    services = compose_services({}, strict=False)
    (migrate,) = [s for s in services if s.is_migration]
    raw = compose()["services"]
    assert raw["migrate"]["environment"]["RBM_DATABASE_URL"] == OWNER_URL
    assert compose()["services"]["postgres"]["environment"]["POSTGRES_USER"] == "rbm"
    with_url = [s for s in services if not s.is_migration and "RBM_DATABASE_URL" in s.environment]
    for spec in with_url:
        own = database_password_variable(spec.service)
        url = raw[spec.name]["environment"]["RBM_DATABASE_URL"]
        expected = f"postgresql://rbm_{spec.service}:${{{own}:?set {own}}}@postgres:5432/rbm"
        assert url == expected, spec.name
        # migrate makes exactly the role, with exactly the password, that the service uses.
        assert raw["migrate"]["environment"][role_variable(spec.service)] == url, spec.name
    assert {s.service for s in with_url} == set(with_database())
    assert {k for k in migrate.environment if k.endswith("_ROLE_URL")} == {
        role_variable(s) for s in with_database()
    }
    # Every database password is fresh in a generated .env, and each one differs.
    values = fresh()
    passwords = [values[database_password_variable(s)] for s in with_database()]
    assert len(set(passwords + [values["POSTGRES_PASSWORD"]])) == len(passwords) + 1
    example = (ROOT / "deploy/env.example").read_text()
    for service in with_database():
        assert f"\n{database_password_variable(service)}=\n" in example, service
    for name, deployment in deployments().items():
        spec = deployment["spec"]["template"]["spec"]
        service = container_env(deployment).get("RBM_SERVICE")
        for container in spec["containers"] + spec.get("initContainers", []):
            if url := secret_refs(container).get("RBM_DATABASE_URL"):
                assert url == database_key(service), (name, container["name"])
