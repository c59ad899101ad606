"""15.2's people take part in the activities the same regional office lists in 15.1 that half."""

from tests.catalogue.conftest import copy_year
from tests.workflow.conftest import API


def test_15_2_counts_people_only_in_the_halfs_15_1_activities_and_follows_15_1(as_user):
    admin, reporter = as_user("admin"), as_user("reporter1")
    year = copy_year(admin)["year"]
    assert admin.patch(f"/api/catalogue/years/{year}", json={"status": "open"}).ok

    def report(kpi: str, items: list[dict]) -> dict:
        body = {"year": year, "kpi": kpi, "unit": "R1", "period": "H1", "items": items}
        resp = reporter.post(f"{API}/reports", json=body)
        assert resp.status_code == 201, resp.text
        return resp.json()

    first_day = f"{year - 544}-10-15"  # H1 of fiscal year 2547 starts in October 2003
    activities = report("15.1", [{"activity": "เดินรณรงค์", "date": first_day}])
    people = report(
        "15.2",
        [
            {"person": "นาย สมชาย", "activity": "เดินรณรงค์"},
            {"person": "นางสาวสมศรี", "activity": "อบรมคุณธรรม"},
        ],
    )
    assert [i["counted"] for i in people["items"]] == [True, False]
    assert "15.1" in people["items"][1]["reason"]

    more = [*activities["items"], {"activity": "อบรม คุณธรรม", "date": first_day}]
    changed = reporter.patch(f"{API}/reports/{activities['id']}", json={"items": more})
    assert changed.status_code == 200, changed.text
    recounted = reporter.get(f"{API}/reports/{people['id']}").json()
    assert [i["counted"] for i in recounted["items"]] == [True, True]
