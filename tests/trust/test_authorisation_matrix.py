"""Every operation on an object, as listed in the services' OpenAPI documents, refuses the
demo users of another unit (403 or 404): a new endpoint cannot be left out of this test."""

from __future__ import annotations

import uuid

import pytest

from tests.evidence import samples
from tests.evidence.conftest import post_file
from tests.waiting import eventually
from tests.workflow.test_delegation import delegate

SERVICES = ("identity", "catalogue", "evidence", "workflow", "notifications")
OUTSIDERS = ("reporter2", "head1")  # a reporter and a head of other units than the team's
# Reference data every signed-in user reads: not any unit's object.
PUBLIC_READS = {
    ("get", "/api/catalogue/years/{year}"),
    ("get", "/api/catalogue/years/{year}/perspectives"),
    ("get", "/api/catalogue/years/{year}/csfs"),
    ("get", "/api/catalogue/years/{year}/kpis"),
    ("get", "/api/catalogue/years/{year}/kpis/{code}"),
    ("get", "/api/catalogue/years/{year}/kpis/{code}/periods"),
    ("get", "/api/catalogue/units/{code}"),
    ("get", "/api/catalogue/years/{year}/targets"),
    ("get", "/api/catalogue/years/{year}/assignments"),
    ("get", "/api/catalogue/years/{year}/schedule"),
    ("get", "/api/catalogue/years/{year}/applicability"),
    ("get", "/api/catalogue/years/{year}/scoring"),
    ("get", "/api/catalogue/years/{year}/kpis/{code}/scoring"),
    ("get", "/api/evidence/templates/{year}/{kpi}"),
    ("get", "/api/evidence/templates/{kpi}/versions/{version}"),
}
# A body each kind of write would accept from someone allowed to make it: a refusal then
# comes from who asks, not from what was sent.
BODIES = {
    "/transitions": {"action": "endorse"},
    "/memberships": {"memberships": []},
}


def _body(method: str, template: str, objects: dict) -> dict:
    if method in ("get", "delete"):
        return {}
    if template.endswith("/templates/{kpi}"):
        return {"files": {"file": ("form.docx", samples.docx_file())}}
    if template.endswith("/assignments"):
        row = {"unit": objects["unit"], "kpi": "2.1", "responsible": "x", "data_collector": "x"}
        return {"json": [row]}
    return {"json": next((b for end, b in BODIES.items() if template.endswith(end)), {})}


def object_operations(live) -> list[tuple[str, str]]:
    operations = []
    for service in SERVICES:
        spec = live.session().get(f"/api/{service}/openapi.json").json()
        for path, ops in spec["paths"].items():
            for method in ops:
                if "{" in path and method in ("get", "post", "put", "patch", "delete"):
                    operations.append((method, f"/api/{service}{path}"))
    return sorted(operations)


@pytest.fixture
def team_objects(live, crew, new_user):
    """One object of the team's of every kind a path names, by the name of its parameter."""
    report = crew.create(kpi="2.1", period="M06")
    crew.act(crew.reporter, report, "submit")
    upload = post_file(crew.reporter, samples.pdf_file(), "a.pdf", unit=crew.unit)
    assert upload.status_code == 201, upload.text
    given = delegate(crew.head, new_user()["username"]).json()
    pack = crew.reporter.post("/api/evidence/packs", json={"year": 2547, "unit": crew.unit})
    assert pack.status_code == 202, pack.text
    inbox = eventually(
        lambda: crew.head.get("/api/notifications/inbox").json(),
        timeout=20,
        what="the head told of the submission",
    )
    return {
        "report_id": report["id"],
        "file_id": upload.json()["id"],
        "delegation_id": given["id"],
        "pack_id": pack.json()["id"],
        "notification_id": inbox[0]["id"],
        "email_id": str(uuid.uuid4()),
        "username": crew.team.head,
        "year": "2547",
        "code": "2.1",
        "kpi": "4.1",
        "version": "1",
        "unit": crew.unit,
    }


def test_every_object_operation_refuses_users_of_other_units(live, as_user, team_objects):
    allowed = {}
    for method, template in object_operations(live):
        if (method, template) in PUBLIC_READS:
            continue
        path = template
        if template.startswith("/api/catalogue/units/"):  # a unit's code, not a KPI's
            path = template.replace("{code}", team_objects["unit"])
        for name, value in team_objects.items():
            path = path.replace(f"{{{name}}}", value)
        assert "{" not in path, f"{method} {template}: add its object to team_objects"
        kwargs = _body(method, template, team_objects)
        for user in OUTSIDERS:
            status = as_user(user).request(method.upper(), path, **kwargs).status_code
            if status not in (403, 404):
                allowed[(method, template, user)] = status
    assert allowed == {}
