"""Scores that count what is missing and roll-ups by each KPI's rule, through the running
system. Worked out by hand from the example expenditure file (services/workflow/examples):

3.1 (% of budget saved: budget - spent over budget), all twelve months of a unit summed:
- R1: Σ budget 1,299,999.96, Σ spent 1,214,416.67 -> 85,583.29 / 1,299,999.96 = 6.5833 %
  (its last month alone, M12: 4.0 %).
- A region of its own, X, whose provinces X-1 and X-2 carry R1's and R2's rows: X-1 6.5833 %,
  X-2 94,500.04 / 1,400,000.04 = 6.75 %, X 180,083.33 / 2,700,000 = 6.6698 % (not the mean of
  the two, 6.6667 %).

What is missing is read against the catalogue's schedule, the one table of who reports what:
as of 31 October 2004 every slot of 2547 is due; a KPI due (weight above 0) with nothing
approved is missing and scores 1.0. 7.1 (a level, the mean up the tree): X-1 approves level 4;
each other unit of X that must report 7.1 counts at 1.0.
"""

import io
import uuid
from pathlib import Path

import pytest

from common.db import unit_of_work
from common.events import Envelope
from common.web import runtime_of
from services.scorecard.events import on_events
from tests.scorecard.test_journey import rebuilt_from_history
from tests.waiting import until_passes

API = "/api/scorecard"
YEAR = 2547
YEAR_END = "2004-10-31"
EXPENDITURE = "services/workflow/examples/expenditure-2547.csv"


def send_expenditure(reviewer, content: bytes):
    resp = reviewer.post(
        "/api/workflow/imports",
        data={"year": str(YEAR), "kpi": "3.1", "dry_run": "false"},
        files={"file": ("expenditure-2547.csv", io.BytesIO(content))},
    )
    assert resp.status_code == 200, resp.text


def renamed(content: bytes, names: dict[str, str]) -> bytes:
    """The example file's rows of the units in `names`, under their new codes."""
    header, *rows = content.decode().splitlines()
    kept = [names[r.split(",")[0]] + r[r.index(",") :] for r in rows if r.split(",")[0] in names]
    return ("\n".join([header, *kept]) + "\n").encode()


@pytest.fixture(scope="module")
def region(live):
    """A region of its own with two provincial offices; the expenditure file imported for R1
    and, renamed, for the two offices."""
    admin, reviewer = live.session("admin"), live.session("reviewer")
    code = f"X{uuid.uuid4().hex[:6].upper()}"
    body = {"code": code, "name_th": f"เขตทดสอบ {code}", "name_en": code, "kind": "region"}
    assert admin.post("/api/catalogue/units", json={**body, "parent": "PRD"}).status_code == 201
    for n in (1, 2):
        resp = admin.post(
            "/api/catalogue/units",
            json={"code": f"{code}-{n}", "name_th": f"จังหวัดทดสอบ {code}-{n}",
                  "name_en": f"{code}-{n}", "kind": "province", "parent": code},
        )  # fmt: skip
        assert resp.status_code == 201, resp.text
    content = (Path(__file__).parents[2] / EXPENDITURE).read_bytes()
    send_expenditure(reviewer, renamed(content, {"R1": "R1"}))
    send_expenditure(reviewer, renamed(content, {"R1": f"{code}-1", "R2": f"{code}-2"}))
    return code


def card(http, unit: str, kpi: str | None = None):
    resp = http.get(f"{API}/{YEAR}", params={"unit": unit, "as_of": YEAR_END})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    return body if kpi is None else next(k for k in body["kpis"] if k["kpi"] == kpi)


def test_r1s_3_1_for_the_year_is_its_saved_over_its_budget_of_all_months(as_user, region):
    reviewer = as_user("reviewer")

    def check():
        kpi = card(reviewer, "R1", "3.1")
        assert (kpi["actual"], kpi["rollup"], kpi["aggregation"]) == (6.5833, "ratio", "ratio")
        assert kpi["basis"]["text"] == "Σ 1 unit 85,583.29 / 1,299,999.96 = 6.58 %"

    until_passes(check)


def test_a_regions_3_1_sums_its_units_figures(as_user, region):
    reviewer = as_user("reviewer")

    def check():
        assert card(reviewer, f"{region}-2", "3.1")["actual"] == 6.75
        kpi = card(reviewer, region, "3.1")
        assert kpi["actual"] == 6.6698
        assert (kpi["basis"]["numerator"], kpi["basis"]["denominator"]) == (180083.33, 2700000)
        assert kpi["basis"]["units"] == 2

    until_passes(check)


def _weights(http) -> dict[str, float]:
    return {s["kpi"]: s["weight"] for s in http.get(f"/api/catalogue/years/{YEAR}/scoring").json()}


def _due_kpis(http, *units: str) -> dict[str, set[str]]:
    """Each KPI due from these units by the year's end, with the units it is due from."""
    due: dict[str, set[str]] = {}
    for unit in units:
        resp = http.get(f"/api/catalogue/years/{YEAR}/schedule", params={"unit": unit})
        assert resp.status_code == 200, resp.text
        for slot in resp.json():
            if not slot.get("optional"):
                due.setdefault(slot["kpi"], set()).add(unit)
    return due


def test_a_silent_province_misses_every_kpi_due_from_it_and_scores_the_lowest(as_user, region):
    reviewer = as_user("reviewer")
    weights = _weights(reviewer)
    province = f"{region}-2"
    expected = {k for k in _due_kpis(reviewer, province) if weights[k] > 0}
    body = card(reviewer, province)
    assert {k["kpi"] for k in body["kpis"] if k["missing"] and k["weight"] > 0} == expected
    assert body["missing"] == len(expected) > 0
    assert body["missing"] == sum(p["missing"] for p in body["perspectives"])
    # Its only value, 3.1 at 6.75 % against no target, has no score: the missing ones do.
    assert body["score"] == 1.0


def test_the_years_setting_says_what_a_missing_kpi_scores(as_user, region):
    """The catalogue's `missing_counts_as` of 2547 set to 0.5: the silent province's due KPIs
    each score 0.5 (its 3.1 has no score); set back to 1.0 after."""
    reviewer, province = as_user("reviewer"), f"{region}-2"
    url = f"/api/catalogue/years/{YEAR}"
    assert reviewer.patch(url, json={"missing_counts_as": 0.5}).status_code == 200
    try:

        def check():
            body = card(reviewer, province)
            assert (body["missing_counts_as"], body["score"]) == (0.5, 0.5)

        until_passes(check)
    finally:
        assert reviewer.patch(url, json={"missing_counts_as": 1.0}).status_code == 200

    def back():
        assert card(reviewer, province)["missing_counts_as"] == 1.0

    until_passes(back)


def test_a_regions_level_is_the_mean_over_the_units_that_must_report_it(live, as_user, region):
    reviewer = as_user("reviewer")
    must = _due_kpis(reviewer, region, f"{region}-1", f"{region}-2").get("7.1", set())
    approved = Envelope(
        id=str(uuid.uuid4()),
        type="workflow.report.approved",
        occurred_at="2004-09-20T10:00:00+00:00",
        actor="reviewer",
        data={"report_id": str(uuid.uuid4()), "year": YEAR, "kpi": "7.1",
              "unit": f"{region}-1", "period": "Y", "state": "approved", "value": 4.0},
        schema_version=1,
    )  # fmt: skip
    with unit_of_work(runtime_of(live.app("scorecard")).session_factory) as session:
        on_events(session, [approved])
    missing = len(must - {f"{region}-1"})
    kpi = card(reviewer, region, "7.1")
    assert (kpi["basis"]["units"], kpi["basis"]["missing"]) == (1, missing)
    assert kpi["actual"] == round((4.0 + missing * 1.0) / (1 + missing), 4)
    assert kpi["missing"] is False


def test_the_department_says_how_many_due_kpis_miss_a_value(as_user, region):
    reviewer = as_user("reviewer")
    weights = _weights(reviewer)
    resp = reviewer.get(f"/api/catalogue/years/{YEAR}/schedule")
    due = {s["kpi"] for s in resp.json() if not s.get("optional") and weights[s["kpi"]] > 0}
    body = card(reviewer, "PRD")
    valued = {k["kpi"] for k in body["kpis"] if k["actual"] is not None}
    assert body["missing"] == len(due - valued)
    assert body["missing_counts_as"] == 1.0


def test_a_rebuild_from_the_event_history_gives_the_same_feed_figures(live, as_user, region):
    """The import's events carry the source's figures: replayed, they add up the same."""
    reviewer = as_user("reviewer")
    before = [card(reviewer, unit, "3.1") for unit in ("R1", region)]
    rebuilt_from_history(live)
    assert [card(reviewer, unit, "3.1") for unit in ("R1", region)] == before
