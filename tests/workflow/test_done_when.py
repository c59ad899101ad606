"""The issue's "Done when", tried as a new user would through the API.

This is the only test that uses reporter1, head1 and the reviewer on R1's 2.2 report of M01.
"""

from tests.workflow.conftest import API, YEAR


def test_a_2_2_report_of_r1_goes_through_return_and_approval(as_user):
    reporter, head, reviewer = as_user("reporter1"), as_user("head1"), as_user("reviewer")

    def act(who, action, comment=""):
        resp = who.post(
            f"{API}/reports/{report_id}/transitions", json={"action": action, "comment": comment}
        )
        assert resp.status_code == 200, resp.text
        return resp.json()

    items = [
        {"agency": "สำนักงาน ก.พ.ร.", "date": "2003-10-03"},
        {"agency": "เทศบาลนครเชียงใหม่", "date": "2003-10-09"},
        {"agency": "สำนักงานก.พ.ร.", "date": "2003-10-20"},
    ]
    created = reporter.post(
        f"{API}/reports",
        json={"year": YEAR, "kpi": "2.2", "unit": "R1", "period": "M01", "items": items},
    )
    assert created.status_code == 201, created.text
    report_id = created.json()["id"]
    assert created.json()["value"] == 2
    assert [i["counted"] for i in created.json()["items"]] == [True, True, False]

    act(reporter, "submit")
    act(head, "endorse")
    returned = act(reviewer, "return", "ขาดหน่วยงานที่มาใช้บริการวันที่ 28 ต.ค.")
    assert returned["state"] == "returned"

    fixed = reporter.patch(
        f"{API}/reports/{report_id}",
        json={"items": [*items, {"agency": "สถานีวิทยุ อสมท.", "date": "2003-10-28"}]},
    )
    assert fixed.status_code == 200 and fixed.json()["value"] == 3
    act(reporter, "submit")
    act(head, "endorse")
    approved = act(reviewer, "approve")
    assert approved["state"] == "approved" and approved["frozen"]["value"] == 3

    trail = reviewer.get(f"{API}/reports/{report_id}/audit").json()
    assert [(e["action"], e["actor"]) for e in trail] == [
        ("create", "reporter1"),
        ("submit", "reporter1"),
        ("endorse", "head1"),
        ("return", "reviewer"),
        ("edit", "reporter1"),
        ("submit", "reporter1"),
        ("endorse", "head1"),
        ("approve", "reviewer"),
    ]
    assert as_user("auditor").get(f"{API}/audit/verify").json()["intact"] is True

    assert as_user("reporter2").get(f"{API}/reports/{report_id}").status_code == 404
    late_edit = reporter.patch(f"{API}/reports/{report_id}", json={"note": "แก้หลังอนุมัติ"})
    assert late_edit.status_code == 409
