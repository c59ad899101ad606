"""KPIs of a year over HTTP: the 2547 catalogue as DOMAIN.md gives it, admins adding and editing."""

import pytest

from tests.catalogue.conftest import API

CONTRACT_FIELDS = {
    "code",
    "csf",
    "perspective",
    "name_th",
    "name_en",
    "mandatory",
    "headline",
    "method",
    "cycle",
    "applies_to",
    "counting_rule",
}


@pytest.fixture(scope="module")
def kpis_2547(live):
    resp = live.session("reporter1").get(f"{API}/years/2547/kpis")
    assert resp.status_code == 200
    return {k["code"]: k for k in resp.json()}


def test_2547_lists_24_kpis_in_number_order(as_user):
    codes = [k["code"] for k in as_user("reporter2").get(f"{API}/years/2547/kpis").json()]
    assert len(codes) == 24
    assert codes[:3] == ["1.1", "1.2", "2.1"] and codes[-3:] == ["14.1", "15.1", "15.2"]


def test_each_kpi_carries_every_field_of_the_contract(kpis_2547):
    for kpi in kpis_2547.values():
        assert set(kpi) >= CONTRACT_FIELDS, kpi["code"]


@pytest.mark.parametrize("code", ["4.1", "9.3"])
def test_level_kpis_are_reported_on_a_template_when_there_are_results(kpis_2547, code):
    assert (kpis_2547[code]["method"], kpis_2547[code]["cycle"]) == ("template", "on-results")


def test_the_service_plan_is_reported_on_a_template_once_a_year(kpis_2547):
    assert (kpis_2547["7.1"]["method"], kpis_2547["7.1"]["cycle"]) == ("template", "yearly")


@pytest.mark.parametrize("code", ["1.1", "3.1", "5.1"])
def test_budget_and_progress_kpis_come_from_a_feed(kpis_2547, code):
    assert kpis_2547[code]["method"] == "feed"


def test_satisfaction_is_a_yearly_survey(kpis_2547):
    assert (kpis_2547["8.1"]["method"], kpis_2547["8.1"]["cycle"]) == ("survey", "yearly")


def test_kpi_1_1_is_the_mandatory_headline_of_perspective_1(kpis_2547):
    kpi = kpis_2547["1.1"]
    assert (kpi["perspective"], kpi["csf"], kpi["mandatory"], kpi["headline"]) == (
        "P1",
        "1",
        True,
        True,
    )


def test_thai_names_round_trip_unchanged(as_user):
    kpi = as_user("auditor").get(f"{API}/years/2547/kpis/11.1").json()
    assert kpi["name_th"] == "จำนวนเจ้าหน้าที่ที่ได้รับการตัดสินใจเป็น ที่สิ้นสุดแล้วว่าทุจริตหรือประพฤติมิชอบ"


def test_one_kpi_is_served_with_its_periods(as_user):
    kpi = as_user("reporter1").get(f"{API}/years/2547/kpis/10.1").json()
    assert kpi["counting_rule"] == "person_course_once_per_year"
    assert kpi["periods"] == ["Q1", "Q2", "Q3", "Q4"]


def test_an_unknown_kpi_is_404_problem(as_user):
    resp = as_user("reporter1").get(f"{API}/years/2547/kpis/99.9")
    assert resp.status_code == 404
    assert resp.headers["Content-Type"] == "application/problem+json"


def test_kpis_of_an_unknown_year_are_404(as_user):
    assert as_user("reporter1").get(f"{API}/years/2501/kpis").status_code == 404


def test_kpis_can_be_filtered_by_the_unit_kind_that_reports_them(as_user):
    rows = as_user("reporter1").get(f"{API}/years/2547/kpis", params={"applies_to": "region"})
    assert {"15.1", "15.2", "2.1"} <= {k["code"] for k in rows.json()}
    assert "8.1" not in {k["code"] for k in rows.json()}


def test_kpis_need_a_token(anonymous):
    assert anonymous.get(f"{API}/years/2547/kpis").status_code == 401


NEW_KPI = {
    "code": "15.3",
    "name_th": "จำนวนกิจกรรมทดสอบ",
    "name_en": "Number of test activities",
    "method": "entry",
    "cycle": "quarterly",
    "measure": "count",
    "applies_to": ["region", "province"],
}


def test_an_admin_adds_a_kpi_to_a_year(admin, own_year):
    resp = admin.post(f"{API}/years/{own_year}/kpis", json=NEW_KPI)
    assert resp.status_code == 201
    assert admin.get(f"{API}/years/{own_year}/kpis/15.3").json()["csf"] == "15"


def test_a_kpi_added_to_one_year_is_not_in_another(admin, own_year):
    admin.post(f"{API}/years/{own_year}/kpis", json=NEW_KPI)
    assert admin.get(f"{API}/years/2547/kpis/15.3").status_code == 404


def test_a_reviewer_changes_a_kpi_cycle_and_its_periods_follow(reviewer, own_year):
    resp = reviewer.patch(f"{API}/years/{own_year}/kpis/2.1", json={"cycle": "quarterly"})
    assert resp.status_code == 200
    assert resp.json()["periods"] == ["Q1", "Q2", "Q3", "Q4"]


def test_a_kpi_code_that_exists_is_a_conflict(admin, own_year):
    resp = admin.post(f"{API}/years/{own_year}/kpis", json={**NEW_KPI, "code": "2.1"})
    assert resp.status_code == 409


def test_a_kpi_under_a_csf_the_year_lacks_is_refused(admin, own_year):
    resp = admin.post(f"{API}/years/{own_year}/kpis", json={**NEW_KPI, "code": "42.1"})
    assert resp.status_code == 422 and "code" in resp.json()["errors"]


def test_a_reporter_cannot_change_a_kpi(as_user, own_year):
    resp = as_user("reporter1").patch(f"{API}/years/{own_year}/kpis/2.1", json={"name_en": "x"})
    assert resp.status_code == 403


def test_a_kpi_of_a_closed_year_cannot_change(admin, own_year):
    admin.patch(f"{API}/years/{own_year}", json={"status": "open"})
    admin.patch(f"{API}/years/{own_year}", json={"status": "closed"})
    resp = admin.patch(f"{API}/years/{own_year}/kpis/2.1", json={"name_en": "changed"})
    assert resp.status_code == 409
    assert admin.get(f"{API}/years/{own_year}/kpis/2.1").json()["name_en"] != "changed"
