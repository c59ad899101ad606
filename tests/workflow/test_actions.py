"""Each report tells its reader what they may do now; /rights says where they act."""

from __future__ import annotations

API = "/api/workflow"


def test_a_draft_offers_its_reporter_submit_and_editing(crew):
    report = crew.create()
    assert report["actions"] == ["submit"]
    assert report["editable"] is True


def test_a_submitted_report_offers_its_head_endorse_and_return_but_nothing_to_the_reporter(crew):
    report = crew.create()
    submitted = crew.act(crew.reporter, report, "submit").json()
    assert submitted["actions"] == [] and submitted["editable"] is False
    seen_by_head = crew.head.get(f"{API}/reports/{report['id']}").json()
    assert seen_by_head["actions"] == ["endorse", "return"]


def test_the_list_carries_the_same_actions_as_the_report(crew):
    report = crew.endorsed()
    listed = crew.reviewer.get(f"{API}/reports", params={"unit": crew.unit}).json()
    assert {r["id"]: r["actions"] for r in listed}[report["id"]] == ["return", "approve"]


def test_rights_name_the_units_a_user_writes_and_the_roles_they_may_delegate(crew):
    head = crew.head.get(f"{API}/rights").json()
    assert head["writer_units"] == [crew.unit]
    assert head["delegable"] == [{"unit": crew.unit, "role": "unit_head"}]
    reporter = crew.reporter.get(f"{API}/rights").json()
    assert reporter["submitter_units"] == [crew.unit] and reporter["delegable"] == []


def test_a_head_who_created_the_report_is_not_offered_to_endorse_it(crew):
    body = {"year": 2547, "kpi": "2.1", "unit": crew.unit, "period": "M04"}
    report = crew.head.post(f"{API}/reports", json=body).json()
    assert crew.act(crew.reporter, report, "submit").status_code == 200
    seen_by_head = crew.head.get(f"{API}/reports/{report['id']}").json()
    assert seen_by_head["actions"] == ["return"]
    listed = crew.head.get(f"{API}/reports", params={"unit": crew.unit}).json()
    assert {r["id"]: r["actions"] for r in listed}[report["id"]] == ["return"]
