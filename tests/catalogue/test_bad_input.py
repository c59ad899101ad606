"""Bad input on every write endpoint of the catalogue: a 4xx problem+json naming the field, and
nothing written (every table and the outbox compared before and after).
"""

import pytest

from tests.catalogue.conftest import API, copy_year, new_unit

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def place(live):
    """A year and a bureau of this module's own, the targets of the bad requests."""
    admin = live.session("admin")
    return {"year": copy_year(admin)["year"], "unit": new_unit(admin)["code"]}


ENDPOINTS = {
    "open_year": ("post", "/years"),
    "change_year": ("patch", "/years/{year}"),
    "add_csf": ("post", "/years/{year}/csfs"),
    "change_csf": ("patch", "/years/{year}/csfs/15"),
    "add_kpi": ("post", "/years/{year}/kpis"),
    "change_kpi": ("patch", "/years/{year}/kpis/2.1"),
    "add_unit": ("post", "/units"),
    "change_unit": ("patch", "/units/{unit}"),
    "targets": ("put", "/years/{year}/targets"),
    "assignments": ("put", "/years/{year}/assignments"),
}

KPI = {
    "code": "15.9",
    "name_th": "ทดสอบ",
    "method": "entry",
    "cycle": "yearly",
    "measure": "count",
    "applies_to": ["region"],
}
UNIT = {"code": "ZZBAD", "name_th": "ทดสอบ", "kind": "bureau", "parent": "PRD"}
CSF = {"code": "30", "perspective": "P1", "name_th": "ทดสอบ", "name_en": "Test"}


def target(**changes):
    return [{"unit": "{unit}", "kpi": "2.1", "target": 3, **changes}]


def owners(**changes):
    return [{"unit": "{unit}", "kpi": "2.1", "responsible": "head1", **changes}]


# (endpoint, body, status, the field the problem names: a name, or "row.name" for list bodies)
BAD_BODIES = [
    ("open_year", {"year": "2700", "copy_from": 2547}, 422, "year"),
    ("open_year", {"year": True, "copy_from": 2547}, 422, "year"),
    ("open_year", {"year": 2701}, 422, "copy_from"),
    ("open_year", {"year": 1999, "copy_from": 2547}, 422, "year"),
    ("open_year", {"year": 2702, "copy_from": 2405}, 422, "copy_from"),
    ("open_year", {"year": 2703, "copy_from": 2547, "name": "x"}, 422, "name"),
    ("change_year", {"status": "archived"}, 422, "status"),
    ("change_year", {"status": "closed"}, 409, "status"),
    ("change_year", {"due_days": "10"}, 422, "due_days"),
    ("change_year", {"due_days": 500}, 422, "due_days"),
    ("change_year", {"due_days": 1.5}, 422, "due_days"),
    ("add_csf", {**CSF, "code": None}, 422, "code"),
    ("add_csf", {**CSF, "perspective": "P9"}, 422, "perspective"),
    ("add_csf", {**CSF, "name_th": 5}, 422, "name_th"),
    ("add_csf", {**CSF, "code": "x1"}, 422, "code"),
    ("change_csf", {"name_th": "   "}, 422, "name_th"),
    ("change_csf", {"perspective": "P0"}, 422, "perspective"),
    ("add_kpi", {k: v for k, v in KPI.items() if k != "method"}, 422, "method"),
    ("add_kpi", {**KPI, "method": "email"}, 422, "method"),
    ("add_kpi", {**KPI, "applies_to": "region"}, 422, "applies_to"),
    ("add_kpi", {**KPI, "applies_to": ["city"]}, 422, "applies_to"),
    ("add_kpi", {**KPI, "applies_to": []}, 422, "applies_to"),
    ("add_kpi", {**KPI, "mandatory": "yes"}, 422, "mandatory"),
    ("add_kpi", {**KPI, "code": "15-9"}, 422, "code"),
    ("add_kpi", {**KPI, "counting_rule": "twice"}, 422, "counting_rule"),
    ("add_kpi", {**KPI, "counting_rule": "each_activity_once"}, 422, "item_fields"),
    (
        "add_kpi",
        {**KPI, "item_fields": [{"name": "Bad Name", "type": "string"}]},
        422,
        "item_fields",
    ),
    ("add_kpi", {**KPI, "due_days": 91}, 422, "due_days"),
    ("add_kpi", {**KPI, "cycle": "none"}, 422, "cycle"),
    ("add_kpi", {**KPI, "name_th": "x\u0000y"}, 422, "name_th"),
    ("add_kpi", {**KPI, "name_th": "\ud800"}, 422, "name_th"),
    ("add_kpi", {**KPI, "name_th": "ก" * 501}, 422, "name_th"),
    ("change_kpi", {"cycle": 7}, 422, "cycle"),
    ("change_kpi", {"name_th": None}, 422, "name_th"),
    ("change_kpi", {"method": "none"}, 422, "cycle"),
    (
        "change_kpi",
        {"counting_rule": "external_awards_only", "method": "template"},
        422,
        "counting_rule",
    ),
    ("change_kpi", {"code": "2.9"}, 422, "code"),
    ("add_unit", {**UNIT, "code": "r1"}, 422, "code"),
    ("add_unit", {**UNIT, "kind": "city"}, 422, "kind"),
    ("add_unit", {**UNIT, "parent": "NOPE"}, 422, "parent"),
    ("add_unit", {**UNIT, "name_th": ""}, 422, "name_th"),
    ("add_unit", {k: v for k, v in UNIT.items() if k != "kind"}, 422, "kind"),
    ("add_unit", {**UNIT, "kind": "department", "parent": "PRD"}, 422, "parent"),
    ("add_unit", {**UNIT, "sample": True}, 422, "sample"),
    ("change_unit", {"parent": "NOPE"}, 422, "parent"),
    ("change_unit", {"kind": 5}, 422, "kind"),
    ("change_unit", {"name_th": None}, 422, "name_th"),
    ("change_unit", {"parent": "{unit}"}, 422, "parent"),
    ("targets", {"unit": "{unit}", "kpi": "2.1", "target": 3}, 422, "_schema"),
    ("targets", target(target="ten"), 422, "0.target"),
    ("targets", target(target=True), 422, "0.target"),
    ("targets", [{"unit": "{unit}", "kpi": "2.1"}], 422, "0.target"),
    ("targets", target(unit="NOPE"), 422, "0.unit"),
    ("targets", target(kpi="99.1"), 422, "0.kpi"),
    ("targets", target(kpi="1.2"), 422, "0.kpi"),
    ("targets", target(denominator=40), 422, "0.denominator"),
    ("targets", target(target=2.5), 422, "0.target"),
    ("targets", [*target(), *target(target=4)], 422, "1.kpi"),
    ("assignments", owners(responsible=5), 422, "0.responsible"),
    ("assignments", owners(data_collector="Somebody Else"), 422, "0.data_collector"),
    ("assignments", owners(unit="NOPE"), 422, "0.unit"),
    ("assignments", [{"unit": "{unit}", "responsible": "head1"}], 422, "0.kpi"),
    ("assignments", owners(kpi="15.1"), 422, "0.kpi"),
]


GOOD_BODIES = {
    "change_year": {"due_days": 5},
    "add_kpi": KPI,
    "change_kpi": {"name_th": "ใหม่"},
    "change_csf": {"name_th": "ใหม่"},
    "change_unit": {"name_th": "ใหม่"},
    "targets": target(),
    "assignments": owners(),
}


def fill(value, place):
    """Put this module's year and unit into paths and bodies."""
    if isinstance(value, str):
        return value.format(**place) if "{" in value else value
    if isinstance(value, list):
        return [fill(v, place) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, place) for k, v in value.items()}
    return value


def send(http, endpoint, place, **kwargs):
    method, path = ENDPOINTS[endpoint]
    return getattr(http, method)(API + fill(path, place), **kwargs)


def field_named(problem: dict, field: str) -> bool:
    errors = problem.get("errors") or {}
    for part in field.split("."):
        if not isinstance(errors, dict) or part not in errors:
            return False
        errors = errors[part]
    return True


@pytest.mark.parametrize(
    ("endpoint", "body", "status", "field"),
    BAD_BODIES,
    ids=[f"{e}-{f}-{i}" for i, (e, _, _, f) in enumerate(BAD_BODIES)],
)
def test_a_bad_body_is_a_problem_naming_the_field_and_writes_nothing(
    admin, tables, place, endpoint, body, status, field
):
    before = tables.state()
    resp = send(admin, endpoint, place, json=fill(body, place))
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"] == PROBLEM
    assert field_named(resp.json(), field), resp.json()
    assert tables.state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_body_that_is_not_utf8_is_refused(admin, tables, place, endpoint):
    before = tables.state()
    headers = {"Content-Type": "application/json"}
    resp = send(admin, endpoint, place, data=b'{"name_th": "\xff\xfe"}', headers=headers)
    assert resp.status_code == 400 and resp.headers["Content-Type"] == PROBLEM
    assert "body" in resp.json()["errors"]
    assert tables.state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_body_that_is_not_json_is_refused(admin, tables, place, endpoint):
    before = tables.state()
    resp = send(admin, endpoint, place, data=b"name_th=x", headers={"Content-Type": "text/plain"})
    assert resp.status_code == 415 and "body" in resp.json()["errors"]
    assert tables.state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_malformed_json_is_refused(admin, tables, place, endpoint):
    before = tables.state()
    headers = {"Content-Type": "application/json"}
    resp = send(admin, endpoint, place, data=b'{"name_th": ', headers=headers)
    assert resp.status_code == 400 and resp.headers["Content-Type"] == PROBLEM
    assert tables.state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_oversized_body_is_refused(admin, tables, place, endpoint):
    before = tables.state()
    resp = send(admin, endpoint, place, json={"name_th": "ก" * 1_000_000})
    assert resp.status_code == 413 and resp.headers["Content-Type"] == PROBLEM
    assert tables.state() == before


@pytest.mark.parametrize(
    ("endpoint", "path"),
    [
        ("change_year", "/years/2506"),
        ("add_kpi", "/years/2506/kpis"),
        ("change_kpi", "/years/{year}/kpis/77.7"),
        ("change_csf", "/years/{year}/csfs/77"),
        ("change_unit", "/units/NOPE"),
        ("targets", "/years/2506/targets"),
        ("assignments", "/years/2506/assignments"),
    ],
)
def test_writing_to_an_unknown_year_kpi_csf_or_unit_is_404(admin, tables, place, endpoint, path):
    before = tables.state()
    method = ENDPOINTS[endpoint][0]
    resp = getattr(admin, method)(API + fill(path, place), json=fill(GOOD_BODIES[endpoint], place))
    assert resp.status_code == 404 and resp.headers["Content-Type"] == PROBLEM
    assert tables.state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_write_without_a_token_is_401_before_the_body_is_read(anonymous, place, endpoint):
    assert send(anonymous, endpoint, place, json={"bad": 1}).status_code == 401


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_reporter_gets_403_before_the_body_is_read(as_user, tables, place, endpoint):
    before = tables.state()
    assert send(as_user("reporter1"), endpoint, place, json={"bad": 1}).status_code == 403
    assert tables.state() == before


def test_another_units_head_cannot_write_its_owners(as_user, tables, place):
    before = tables.state()
    resp = send(as_user("head1"), "assignments", place, json=fill(owners(), place))
    assert resp.status_code == 403
    assert tables.state() == before


def test_a_closed_years_plan_cannot_change(admin, tables):
    year = copy_year(admin)["year"]
    admin.patch(f"{API}/years/{year}", json={"status": "open"})
    admin.patch(f"{API}/years/{year}", json={"status": "closed"})
    before = tables.state()
    resp = admin.put(
        f"{API}/years/{year}/targets", json=[{"unit": "R3", "kpi": "2.1", "target": 1}]
    )
    assert resp.status_code == 409 and resp.headers["Content-Type"] == PROBLEM
    assert tables.state() == before
