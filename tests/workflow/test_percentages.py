"""Percentage KPIs take their denominator from the catalogue; 10.1 counts across the year."""

import pytest

from tests.workflow.conftest import API, YEAR


@pytest.fixture
def headcount(as_user):
    """`headcount(unit, kpi, n)` sets the unit's denominator for a KPI in the catalogue."""

    def put(unit: str, kpi: str, denominator: float) -> None:
        row = {"unit": unit, "kpi": kpi, "target": 80, "denominator": denominator}
        resp = as_user("admin").put(f"/api/catalogue/years/{YEAR}/targets", json=[row])
        assert resp.status_code == 200, resp.text

    return put


def trained(*pairs, month="2003-11"):
    return [
        {"person": p, "course": c, "date": f"{month}-{i + 1:02d}"} for i, (p, c) in enumerate(pairs)
    ]


def test_a_percentage_kpi_divides_by_the_catalogues_denominator_and_says_so(crew, headcount):
    headcount(crew.unit, "10.1", 40)
    report = crew.create(
        kpi="10.1", period="Q1", items=trained(("สมชาย", "ข่าว"), ("สมศรี", "ข่าว"), ("สมศักดิ์", "ภาพ"))
    )
    assert report["value"] == 7.5
    basis = report["value_basis"]
    assert (basis["counted"], basis["denominator"]) == (3, 40)
    assert basis["denominator_source"] == "catalogue targets"


def test_without_a_denominator_there_is_no_value_and_the_report_says_why(crew):
    report = crew.create(kpi="10.1", period="Q1", items=trained(("สมชาย", "ข่าว")))
    assert report["value"] is None
    assert report["value_basis"]["denominator"] is None and report["value_basis"]["problem"]
    resp = crew.act(crew.reporter, report, "submit")
    assert resp.status_code == 422 and "value" in resp.json()["errors"]


def test_a_repeat_in_a_later_quarter_is_shown_and_not_counted(crew, headcount):
    headcount(crew.unit, "10.1", 10)
    crew.create(kpi="10.1", period="Q1", items=trained(("สมหญิง", "ภาษาอังกฤษ")))
    q2 = crew.create(
        kpi="10.1",
        period="Q2",
        items=trained(("สมหญิง", "ภาษาอังกฤษ"), ("สมหญิง", "คอมพิวเตอร์"), month="2004-02"),
    )
    # One person on two more courses: already counted in Q1, listed and not counted again.
    assert q2["value"] == 0
    assert [i["reason_code"] for i in q2["items"]] == ["counted_earlier", "counted_earlier"]
    assert "Q1" in q2["items"][1]["reason"]


def test_a_change_to_an_earlier_quarter_recounts_the_later_one(crew, headcount):
    headcount(crew.unit, "10.1", 10)
    q1 = crew.create(kpi="10.1", period="Q1", items=trained(("สมหญิง", "ภาษาอังกฤษ")))
    q2 = crew.create(
        kpi="10.1", period="Q2", items=trained(("สมหญิง", "ภาษาอังกฤษ"), month="2004-01")
    )
    assert q2["value"] == 0
    crew.reporter.patch(
        f"{API}/reports/{q1['id']}", json={"items": trained(("สมชาย", "ภาษาอังกฤษ"))}
    )
    later = crew.reporter.get(f"{API}/reports/{q2['id']}").json()
    assert later["value"] == 10.0 and later["items"][0]["counted"] is True
    assert later["history"][-1]["action"] == "recount"


def test_a_percentage_without_items_takes_a_numerator(crew, headcount):
    headcount(crew.unit, "10.2", 200000)
    report = crew.create(kpi="10.2", period="H1", numerator=15000)
    assert (report["value"], report["value_source"]) == (7.5, "computed")
    assert report["value_basis"]["numerator"] == 15000


def test_a_percentage_refuses_a_typed_percentage(crew):
    body = {"year": YEAR, "kpi": "10.2", "unit": crew.unit, "period": "H2", "value": 7.5}
    resp = crew.reporter.post(f"{API}/reports", json=body)
    assert resp.status_code == 422 and "value" in resp.json()["errors"]


def test_only_outside_awards_count(crew):
    items = [
        {"work": "สารคดี", "award": "ดีเด่น", "awarded_by": "สมาคมนักข่าว", "external": True},
        {"work": "ป้ายนิเทศ", "award": "ชมเชย", "awarded_by": "กปส.", "external": False},
    ]
    report = crew.create(kpi="10.5", period="Y", items=items)
    assert report["value"] == 1
    assert report["items"][1]["reason_code"] == "not_eligible"


def test_a_recount_flags_a_report_under_review_instead_of_changing_it(crew, headcount):
    headcount(crew.unit, "10.1", 10)
    q1 = crew.create(kpi="10.1", period="Q1", items=trained(("สมหญิง", "ภาษาอังกฤษ")))
    q2 = crew.create(
        kpi="10.1", period="Q2", items=trained(("นางสาว สมหญิง", "สถิติ"), month="2004-01")
    )
    assert q2["items"][0]["same_as"] == "สมหญิง"
    assert crew.act(crew.reporter, q2, "submit").status_code == 200
    crew.reporter.patch(
        f"{API}/reports/{q1['id']}", json={"items": trained(("สมชาย", "ภาษาอังกฤษ"))}
    )
    under_review = crew.reporter.get(f"{API}/reports/{q2['id']}").json()
    assert (under_review["state"], under_review["value"]) == ("submitted", 0)
    flag = under_review["value_basis"]["count_changed"]
    assert (flag["old"], flag["new"], flag["reason"]) == (0, 10.0, "count changed since submission")
    assert "0.0 -> 10.0" in under_review["history"][-1]["comment"]
