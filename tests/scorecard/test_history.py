"""Completion and score over the year: each month of the fiscal year as it stood at the
month's end, from the approvals given by then. Worked out by hand.

The workflow dates an approval when it is given; approvals given in past months of 2547
come here as the events the workflow published then (its `workflow.report.approved`
envelopes, dated then), applied together, as a rebuild or a feed page brings them, by the
scorecard's own handler to its own database.

2.2 (count, `sum` over the year and up the tree), thresholds [80, 90, 100, 110, 120]:
- P1, target 4: M01 3 agencies approved 20 October 2003 -> 75 % -> 1.0;
  M02 1 agency approved 15 January 2004 -> 4 of 4 = 100 % -> 3.0.
- P2, target 6: M01 6 agencies approved 5 November 2003 -> 100 % -> 3.0.
- the region, target 10: October 3 -> 30 % -> 1.0; November 9 -> 90 % -> 2.0; January on
  10 -> 100 % -> 3.0.
No other KPI of these units has a value: the overall score is 2.2's with each KPI due by the
month's end and missing counted at 1.0 (`with_missing`).
"""

import uuid

import pytest

from common.db import unit_of_work
from common.events import Envelope
from common.web import runtime_of
from services.scorecard.events import on_events
from services.scorecard.tallying import retally_year
from tests.scorecard.test_journey import counted, with_missing
from tests.waiting import until_passes

API = "/api/scorecard"
YEAR = 2547
MONTHS = [f"{y}-{m:02d}" for y, m in [(2003, 10), (2003, 11), (2003, 12)]] + [
    f"2004-{m:02d}" for m in range(1, 10)
]


def approval(unit: str, period: str, agencies: int, day: str) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        type="workflow.report.approved",
        occurred_at=f"{day}T10:00:00+00:00",
        actor="reviewer",
        data={"report_id": str(uuid.uuid4()), "year": YEAR, "kpi": "2.2", "unit": unit,
              "period": period, "state": "approved", "value": float(agencies)},
        schema_version=1,
    )  # fmt: skip


@pytest.fixture(scope="module")
def region(live):
    admin = live.session("admin")
    code = f"H{uuid.uuid4().hex[:6].upper()}"
    body = {"code": code, "name_th": f"เขตทดสอบ {code}", "name_en": code, "kind": "region"}
    assert admin.post("/api/catalogue/units", json={**body, "parent": "PRD"}).status_code == 201
    p1, p2 = f"{code}-1", f"{code}-2"
    for unit in (p1, p2):
        resp = admin.post(
            "/api/catalogue/units",
            json={"code": unit, "name_th": f"จังหวัดทดสอบ {unit}", "name_en": unit,
                  "kind": "province", "parent": code},
        )  # fmt: skip
        assert resp.status_code == 201, resp.text
    targets = [{"unit": p1, "kpi": "2.2", "target": 4}, {"unit": p2, "kpi": "2.2", "target": 6}]
    assert admin.put(f"/api/catalogue/years/{YEAR}/targets", json=targets).status_code == 200
    reviewer = live.session("reviewer")

    def known():
        resp = reviewer.get(f"{API}/{YEAR}", params={"unit": p2})
        assert resp.status_code == 200, resp.text
        assert next(k for k in resp.json()["kpis"] if k["kpi"] == "2.2")["target"] == 6

    until_passes(known)
    counted(reviewer, p2)  # the events below are counted live, not with the year counted again
    events = [
        approval(p1, "M01", 3, "2003-10-20"),
        approval(p2, "M01", 6, "2003-11-05"),
        approval(p1, "M02", 1, "2004-01-15"),
    ]
    with unit_of_work(runtime_of(live.app("scorecard")).session_factory) as session:
        on_events(session, events)
    return code, p1, p2


def scored(scores: list, months: list[dict]) -> list:
    """2.2's score of each month with the KPIs missing at its end."""
    return [with_missing(s, m["missing"]) for s, m in zip(scores, months, strict=True)]


def history(http, unit, **params):
    resp = http.get(f"{API}/{YEAR}/history", params={"unit": unit, **params})
    assert resp.status_code == 200, resp.text
    return resp.json()["months"]


def due_by(http, unit, day):
    resp = http.get(f"{API}/{YEAR}/progress", params={"unit": unit, "as_of": day})
    return resp.json()["reports"]["due"]


def test_each_month_has_the_score_and_completion_it_had_at_its_end(as_user, region):
    _, p1, p2 = region
    reviewer = as_user("reviewer")
    months = history(reviewer, p1)
    assert [m["month"] for m in months] == MONTHS
    assert [m["score"] for m in months] == scored([1.0] * 3 + [3.0] * 9, months)
    assert [m["reports"]["approved"] for m in months] == [1, 1, 1] + [2] * 9
    october, january = months[0], months[3]
    assert october["as_of"] == "2003-10-31"
    assert october["reports"]["due"] == due_by(reviewer, p1, "2003-10-31")
    assert january["completion"] == round(200 / due_by(reviewer, p1, "2004-01-31"), 2)
    assert [m["score"] for m in history(reviewer, p2)[:2]] == scored(
        [None, 3.0], history(reviewer, p2)[:2]
    )


def test_the_region_rolls_its_units_up_month_by_month(as_user, region):
    code, _, _ = region
    reviewer = as_user("reviewer")
    months = history(reviewer, code)
    assert [m["score"] for m in months[:4]] == scored([1.0, 2.0, 2.0, 3.0], months[:4])
    assert [m["reports"]["approved"] for m in months[:4]] == [1, 2, 2, 3]
    assert months[1]["completion"] == round(200 / due_by(reviewer, code, "2003-11-30"), 2)
    # The year so far: up to `as_of`, the last month read on that day.
    so_far = history(reviewer, code, as_of="2004-01-15")
    assert [m["month"] for m in so_far] == MONTHS[:4]
    assert (so_far[-1]["as_of"], so_far[-1]["score"]) == (
        "2004-01-15",
        with_missing(3.0, so_far[-1]["missing"]),
    )


def test_the_last_month_of_a_year_that_is_over_counts_what_fell_due_after_its_end(as_user, region):
    """September's reports, the last quarter's, the second half's and the year's fall due in
    October 2004, after the year's end: once the year is over its last month counts them, as
    the scorecard does. A province types 2.1 and 2.2 monthly (24), 7.1, 10.5 and 13.1 yearly
    (3), 10.1 quarterly (4) and 10.2 half-yearly (2): 33 reports, 2 of them approved."""
    _, p1, _ = region
    reviewer = as_user("reviewer")
    september = history(reviewer, p1)[-1]
    assert september["reports"] == {"due": 33, "approved": 2}
    assert september["completion"] == round(200 / 33, 2)
    assert due_by(reviewer, p1, "2004-10-31") == 33


def test_the_month_by_month_figures_come_back_when_the_year_is_counted_again(live, as_user, region):
    """Counting the year again (a rebuild, a change of scoring) gives the same months."""
    code, _, _ = region
    reviewer = as_user("reviewer")
    before = history(reviewer, code)
    with unit_of_work(runtime_of(live.app("scorecard")).session_factory) as session:
        retally_year(session, YEAR)
    assert history(reviewer, code) == before


def test_another_units_user_is_refused(as_user, region):
    code, p1, _ = region
    for unit in (code, p1):
        resp = as_user("reporter1").get(f"{API}/{YEAR}/history", params={"unit": unit})
        assert resp.status_code == 403
    resp = as_user("reviewer").get(f"{API}/{YEAR}/history", params={"unit": "x" * 33})
    assert resp.status_code == 422
