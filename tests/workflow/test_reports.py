"""Reports: creating, reading, listing and editing them, with the catalogue's applicability."""

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from common.web import runtime_of
from tests.catalogue.conftest import copy_year
from tests.conftest import create_user, login, person_name
from tests.workflow.conftest import API, YEAR, agencies


def test_a_new_report_is_a_draft_with_its_items_counted(crew):
    report = crew.create(items=agencies("สำนักงาน ก.พ.ร.", "สำนักงานก.พ.ร.", "เทศบาลนคร"))
    assert report["state"] == "draft" and report["version"] == 1
    assert report["value"] == 2 and report["value_source"] == "counted"
    assert [i["counted"] for i in report["items"]] == [True, False, True]
    assert report["items"][1]["reason"] and report["items"][1]["repeat_of"] == 0
    assert report["created_by"] == crew.team.reporter
    for field in ("id", "year", "kpi", "unit", "period", "evidence_ids", "note", "updated_at"):
        assert field in report


def test_a_report_reads_back_with_its_history(crew):
    created = crew.create()
    resp = crew.reporter.get(f"{API}/reports/{created['id']}")
    assert resp.status_code == 200
    assert resp.headers["ETag"] == '"1"'
    body = resp.json()
    assert body["items"] == [] and body["value"] == 0
    assert [(h["action"], h["to_state"]) for h in body["history"]] == [("create", "draft")]


def test_a_second_report_for_the_same_unit_kpi_and_period_is_a_conflict(crew):
    crew.create(period="M04")
    body = {"year": YEAR, "kpi": "2.2", "unit": crew.unit, "period": "M04"}
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 409
    assert resp.headers["Content-Type"] == "application/problem+json"


def test_a_kpi_fed_from_another_system_is_refused_with_the_reason(crew):
    body = {"year": YEAR, "kpi": "1.1", "unit": crew.unit, "period": "M01"}
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 422
    assert "feed" in resp.json()["detail"]


@pytest.fixture
def department_reporter(live):
    """A reporter of the department itself (PRD)."""
    username, password = f"prd-{uuid.uuid4().hex[:8]}", "department-password-1"
    create_user(
        live.session("admin"),
        username,
        password,
        person_name("reporter", "PRD"),
        "reporter",
        ["PRD"],
    )
    return login(live, username, password)


def test_the_department_reports_its_headcount_reduction_for_the_year(live, department_reporter):
    target = {"unit": "PRD", "kpi": "9.1", "target": 5, "denominator": 400}
    resp = live.session("reviewer").put(f"/api/catalogue/years/{YEAR}/targets", json=[target])
    assert resp.status_code == 200, resp.text
    body = {"year": YEAR, "kpi": "9.1", "unit": "PRD", "period": "Y", "numerator": 12}
    resp = department_reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 201, resp.text
    assert (resp.json()["state"], resp.json()["value"]) == ("draft", 3.0)


def test_a_region_may_not_report_what_the_department_reports(crew):
    body = {"year": YEAR, "kpi": "9.1", "unit": crew.unit, "period": "Y", "numerator": 1}
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 422
    assert "department" in resp.json()["detail"]


def test_a_regional_only_kpi_is_refused_for_a_provincial_office(crew):
    body = {"year": YEAR, "kpi": "15.1", "unit": crew.unit, "period": "H1"}
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 422
    assert "regional" in resp.json()["detail"]


def test_a_period_outside_the_kpis_cycle_is_refused(crew):
    body = {"year": YEAR, "kpi": "2.2", "unit": crew.unit, "period": "Q1"}
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 422
    assert "period" in resp.json()["errors"]


def test_an_unknown_kpi_is_refused_naming_the_field(crew):
    body = {"year": YEAR, "kpi": "99.9", "unit": crew.unit, "period": "M01"}
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 422 and "kpi" in resp.json()["errors"]


def test_bad_items_are_refused_naming_each_field(crew):
    items = [{"agency": "ก", "date": "2004-05-01"}, {"agency": "", "date": "2003-12-02"}]
    body = {"year": YEAR, "kpi": "2.2", "unit": crew.unit, "period": "M03", "items": items}
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 422
    assert set(resp.json()["errors"]) == {"items.0.date", "items.1.agency"}


def test_a_counted_kpi_refuses_a_typed_value(crew):
    body = {"year": YEAR, "kpi": "2.1", "unit": crew.unit, "period": "M01", "value": 7}
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 422 and "value" in resp.json()["errors"]


def test_nothing_is_written_when_a_report_is_refused(crew):
    body = {"year": YEAR, "kpi": "2.2", "unit": crew.unit, "period": "M05", "items": "x"}
    assert crew.reporter.post(f"{API}/reports", json=body).status_code == 422
    listed = crew.reporter.get(f"{API}/reports", params={"unit": crew.unit, "period": "M05"})
    assert listed.json() == []


def test_a_reporter_cannot_create_a_report_for_another_unit(crew, as_user):
    body = {"year": YEAR, "kpi": "2.2", "unit": crew.unit, "period": "M06"}
    assert as_user("reporter2").post(f"{API}/reports", json=body).status_code == 403


def test_another_units_report_is_not_found(crew, as_user):
    report = crew.create(period="M07")
    assert as_user("reporter2").get(f"{API}/reports/{report['id']}").status_code == 404


def test_without_a_token_reports_are_401(anonymous):
    assert anonymous.get(f"{API}/reports").status_code == 401


def test_the_list_holds_only_the_callers_units(crew, as_user):
    report = crew.create(period="M08")
    mine = crew.reporter.get(f"{API}/reports", params={"year": YEAR}).json()
    assert {r["unit"] for r in mine} == {crew.unit}
    others = as_user("reporter2").get(f"{API}/reports", params={"unit": crew.unit}).json()
    assert others == []
    reviewer = crew.reviewer.get(f"{API}/reports", params={"unit": crew.unit, "period": "M08"})
    assert [r["id"] for r in reviewer.json()] == [report["id"]]
    assert reviewer.headers["X-Total-Count"] == "1"


def test_the_list_filters_by_kpi_period_and_state(crew):
    crew.create(kpi="2.1", period="M02")
    crew.create(kpi="2.2", period="M02")
    resp = crew.reporter.get(
        f"{API}/reports", params={"unit": crew.unit, "kpi": "2.1", "state": "draft"}
    )
    assert [(r["kpi"], r["period"]) for r in resp.json()] == [("2.1", "M02")]


def test_an_edit_recounts_and_raises_the_version(crew):
    report = crew.create(period="M09", items=agencies("ก", month="2004-06"))
    resp = crew.reporter.patch(
        f"{API}/reports/{report['id']}",
        json={"items": agencies("ก", "ข", "ก", month="2004-06"), "note": "เพิ่มหน่วยงาน"},
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["value"], body["version"], body["note"]) == (2, 2, "เพิ่มหน่วยงาน")
    assert resp.headers["ETag"] == '"2"'


def test_an_edit_that_changes_nothing_keeps_the_version(crew):
    report = crew.create(period="M10", note="x")
    resp = crew.reporter.patch(f"{API}/reports/{report['id']}", json={"note": "x"})
    assert resp.json()["version"] == 1


def test_an_edit_with_a_stale_version_is_a_conflict(crew):
    report = crew.create(period="M11")
    url = f"{API}/reports/{report['id']}"
    assert crew.reporter.patch(url, json={"note": "a"}, headers={"If-Match": '"1"'}).ok
    stale = crew.reporter.patch(url, json={"note": "b"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    assert crew.reporter.get(url).json()["note"] == "a"


def test_unknown_fields_are_refused(crew):
    body = {"year": YEAR, "kpi": "2.2", "unit": crew.unit, "period": "M12", "colour": "red"}
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 422 and "colour" in resp.json()["errors"]


def test_the_database_itself_refuses_a_second_report_for_a_slot(live, crew):
    report = crew.create(kpi="2.1", period="M05")
    engine = runtime_of(live.app("workflow")).engine
    copy = text(
        "INSERT INTO reports SELECT :id, year, kpi, unit, period, state, method, measure,"
        " counting_rule, value, value_source, value_basis, items, evidence, note, version,"
        " created_by, created_at, updated_by, updated_at, submitted_at, approved_at, frozen"
        " FROM reports WHERE id = :source"
    )
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(copy, {"id": str(uuid.uuid4()), "source": report["id"]})


def test_a_year_that_is_not_open_takes_no_reports(crew, as_user):
    draft_year = copy_year(as_user("admin"))["year"]
    body = {"year": draft_year, "kpi": "2.2", "unit": crew.unit, "period": "M01"}
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 422 and "year" in resp.json()["errors"]


def test_the_list_within_a_region_holds_its_provinces_and_the_department_holds_all(
    make_team, live, as_user
):
    first, second = make_team("R3"), make_team("R5")
    made = {}
    for team in (first, second):
        reporter = login(live, team.reporter, team.password)
        body = {"year": YEAR, "kpi": "2.2", "unit": team.unit, "period": "M04"}
        made[team.unit] = reporter.post(f"{API}/reports", json=body).json()["id"]
    reviewer = as_user("reviewer")

    def listed(within: str) -> set[str]:
        params = {"year": YEAR, "kpi": "2.2", "period": "M04", "within": within, "limit": 1000}
        return {r["id"] for r in reviewer.get(f"{API}/reports", params=params).json()}

    assert made[first.unit] in listed("R3") and made[second.unit] not in listed("R3")
    assert listed(first.unit) == {made[first.unit]}
    assert set(made.values()) <= listed("PRD")
    assert listed("NO-SUCH-UNIT") == set()
    own = login(live, second.reporter, second.password)
    params = {"year": YEAR, "within": "R5"}
    assert {r["unit"] for r in own.get(f"{API}/reports", params=params).json()} == {second.unit}
