"""Text that reads backwards is refused: a bidirectional embedding, override or isolate
(U+202A-U+202E, U+2066-U+2069) makes a note or a name show something else than it holds, so every
text field of every service refuses it with a 422 naming the field. The marks (LRM, RLM) stay."""

from __future__ import annotations

import importlib
import uuid

import pytest
from marshmallow import Schema, fields

from common.fields import BIDI_CONTROLS, Text, text_problem
from tests.workflow.conftest import agencies

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "evil\u202etxt.exe" shows as "evilexe.txt"
SERVICES = ("catalogue", "evidence", "identity", "notifications", "scorecard", "workflow")


def strings_of(schema: Schema, path: str = ""):
    """(path, field) of every string field of a schema, nested and listed ones included."""
    for name, field in schema.fields.items():
        yield from _strings(field, f"{path}{name}")


def _strings(field: fields.Field, path: str):
    if isinstance(field, fields.String):
        yield path, field
    elif isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
        yield from strings_of(field.schema, f"{path}.")
    elif isinstance(field, fields.List):
        yield from _strings(field.inner, f"{path}[]")
    elif isinstance(field, fields.Dict):
        for part, inner in (("key", field.key_field), ("value", field.value_field)):
            if inner is not None:
                yield from _strings(inner, f"{path}.{part}")


def schemas_of(service: str):
    module = importlib.import_module(f"services.{service}.schemas")
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, Schema) and value is not Schema:
            yield value


@pytest.mark.parametrize("service", SERVICES)
def test_every_string_field_of_every_service_is_the_common_text(service):
    plain = [
        f"{schema.__name__}.{path}"
        for schema in schemas_of(service)
        for path, field in strings_of(schema())
        if not isinstance(field, Text)
    ]
    assert plain == []


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_each_embedding_override_and_isolate_is_refused(control):
    assert text_problem(f"ค่า{control}1") is not None


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u061c"])
def test_the_direction_marks_are_kept(mark):
    assert text_problem(f"สำนักงาน {mark}R1") is None


def named(problem: dict, field: str) -> bool:
    """Whether the problem's errors name `field` (flat `items.0.agency` or nested)."""
    errors = problem.get("errors") or {}
    return field in errors or field.split(".")[0] in errors


def refused(resp, field: str) -> None:
    assert resp.status_code == 422, resp.text
    assert resp.headers["Content-Type"] == "application/problem+json"
    assert named(resp.json(), field), resp.json()
    assert "bidirectional" in resp.text


def test_a_report_note_is_refused(crew):
    body = {"year": 2547, "kpi": "2.2", "unit": crew.unit, "period": "M03", "note": f"ok{RLO}1"}
    refused(crew.reporter.post("/api/workflow/reports", json=body), "note")


def test_an_item_field_is_refused(crew):
    items = agencies("ที่ว่าการอำเภอ", f"abc{RLO}def")
    body = {"year": 2547, "kpi": "2.2", "unit": crew.unit, "period": "M03", "items": items}
    refused(crew.reporter.post("/api/workflow/reports", json=body), "items.1.agency")


def test_a_patched_note_is_refused(crew):
    report = crew.create()
    url = f"/api/workflow/reports/{report['id']}"
    resp = crew.reporter.patch(url, json={"note": RLO, "version": report["version"]})
    refused(resp, "note")


def test_a_transition_comment_is_refused(crew):
    report = crew.create()
    refused(crew.act(crew.reporter, report, "submit", comment=f"done{RLO}"), "comment")


def test_a_display_name_is_refused_on_creation_and_change(live):
    admin = live.session("admin")
    name = f"bidi-{uuid.uuid4().hex[:8]}"
    body = {"username": name, "display_name": f"a{RLO}b", "password": "team-password-1"}
    refused(admin.post("/api/identity/users", json=body), "display_name")
    refused(
        admin.patch("/api/identity/users/reporter1", json={"display_name": RLO}), "display_name"
    )


def test_a_display_name_in_an_imported_file_is_named_in_its_row(live):
    admin = live.session("admin")
    name = f"bidi-{uuid.uuid4().hex[:8]}"
    csv = f"username,display_name,email,password,memberships\n{name},x{RLO}y,,team-password-1,\n"
    resp = admin.post("/api/identity/users/import", files={"file": ("u.csv", csv.encode())})
    assert resp.status_code == 200, resp.text
    assert "display_name" in resp.json()["rows"][0]["errors"]


def test_unit_names_are_refused(live):
    admin = live.session("admin")
    body = {"code": "R1-98", "name_th": f"สำนักงาน{RLO}", "kind": "province", "parent": "R1"}
    refused(admin.post("/api/catalogue/units", json=body), "name_th")
    refused(admin.patch("/api/catalogue/units/R1", json={"name_en": "\u2067R1"}), "name_en")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/evidence/files?uploader=a%E2%80%AEb", "uploader"),
        ("/api/scorecard/2547?unit=R1%E2%81%A6", "unit"),
        ("/api/workflow/reports?person=a%E2%80%AEb", "person"),
    ],
)
def test_query_text_is_refused(live, path, field):
    refused(live.session("auditor").get(path), field)


def test_a_notification_preference_is_refused(live):
    resp = live.session("reporter1").put(
        "/api/notifications/preferences", json={"submitted": f"immediate{RLO}"}
    )
    refused(resp, "submitted")
