"""Results against targets through the running system: a region of its own with two
provincial offices, targets set, reports approved (and one pending); every figure below is
worked out by hand.

2.2 (count, `sum` over the year, `sum` up the tree), provisional thresholds of achievement
[80, 90, 100, 110, 120] (the target scores 3):
- P1: M01 2 agencies + M02 2 agencies, both approved -> 4 of target 4 = 100 % -> score 3.0.
- P2: M01 3 agencies approved -> 3 of target 6 = 50 % -> score 1.0; M02 1 agency submitted.
- the region: 4 + 3 = 7 of 4 + 6 = 10 -> 70 % -> score 1.0; with pending 8 / 10 -> 1.0.
Every other KPI due from these units by `as_of` has no approved value: each is missing and
comes into the overall score at 1.0 (`with_missing`).
"""

import json
import uuid

import pytest
from sqlalchemy import select

from common.db import unit_of_work
from common.events import Envelope
from common.web import runtime_of
from services.scorecard.rebuild import rebuild
from tests.conftest import login
from tests.waiting import until_passes
from tests.workflow.conftest import Crew, agencies

API = "/api/scorecard"
YEAR = 2547
AS_OF = "2004-01-31"  # M01..M03 of 2.2 are due by then (10 days after each month)


@pytest.fixture(scope="module")
def region(live):
    """A fresh regional office with two provincial offices, each with a reporter and a head."""
    admin = live.session("admin")
    code = f"R{uuid.uuid4().hex[:6].upper()}"
    body = {"code": code, "name_th": f"เขตทดสอบ {code}", "kind": "region", "parent": "PRD"}
    assert admin.post("/api/catalogue/units", json={**body, "name_en": code}).status_code == 201
    crews = []
    for n in (1, 2):
        unit, tag = f"{code}-{n}", uuid.uuid4().hex[:8]
        resp = admin.post(
            "/api/catalogue/units",
            json={"code": unit, "name_th": f"จังหวัดทดสอบ {unit}", "kind": "province",
                  "parent": code},
        )  # fmt: skip
        assert resp.status_code == 201, resp.text
        sessions = []
        for role in ("reporter", "unit_head"):
            username = f"{role[:3]}-{tag}"
            resp = admin.post(
                "/api/identity/users",
                json={"username": username, "display_name": username,
                      "email": f"{username}@test.rbm.invalid", "password": "team-password-1",
                      "memberships": [{"unit": unit, "role": role}]},
            )  # fmt: skip
            assert resp.status_code == 201, resp.text
            sessions.append(login(live, username, "team-password-1"))
        crews.append((unit, sessions))
    targets = [
        {"unit": crews[0][0], "kpi": "2.2", "target": 4},
        {"unit": crews[1][0], "kpi": "2.2", "target": 6},
    ]
    assert admin.put(f"/api/catalogue/years/{YEAR}/targets", json=targets).status_code == 200
    reviewer = live.session("reviewer")

    def approved(unit, sessions, period, names, month):
        reporter, head = sessions
        resp = reporter.post(
            "/api/workflow/reports",
            json={"year": YEAR, "kpi": "2.2", "unit": unit, "period": period,
                  "items": agencies(*names, month=month)},
        )  # fmt: skip
        assert resp.status_code == 201, resp.text
        report = resp.json()
        crew = Crew(None, reporter, head, reviewer)
        for who, action in ((reporter, "submit"), (head, "endorse"), (reviewer, "approve")):
            if action == "approve" and period == "M02" and unit == crews[1][0]:
                return report  # left endorsed: pending
            assert crew.act(who, report, action).status_code == 200
        return report

    (p1, s1), (p2, s2) = crews
    approved(p1, s1, "M01", ["เทศบาลเมืองหนึ่ง", "โรงเรียนสอง"], "2003-10")
    approved(p1, s1, "M02", ["เทศบาลเมืองหนึ่ง", "วัดสาม"], "2003-11")
    approved(p2, s2, "M01", ["อำเภอหนึ่ง", "อำเภอสอง", "อำเภอสาม"], "2003-10")
    pending = approved(p2, s2, "M02", ["อำเภอสี่"], "2003-11")
    counted(reviewer, p2)
    return code, p1, p2, pending


def counted(http, newest_unit: str, year: int = YEAR) -> None:
    """Wait until the year's figures are current once the scorecard knows the newest unit: a
    new unit has the year counted again in the background, its last figures answered
    meanwhile, marked stale."""

    def current():
        resp = http.get(f"{API}/{year}", params={"unit": newest_unit})
        assert resp.status_code == 200, resp.text
        assert resp.json()["stale"] is False, "the year is still being counted again"

    until_passes(current, timeout=180)


def with_missing(score: float | None, missing: int) -> float | None:
    """The overall score of a unit whose only value is 2.2 (weight 1) scoring `score`, with
    `missing` due KPIs (weight 1 each) counted at 1.0."""
    if score is None:
        return 1.0 if missing else None
    return round((score + missing * 1.0) / (1 + missing), 4)


def card(http, unit, **params):
    resp = http.get(f"{API}/{YEAR}", params={"unit": unit, "as_of": AS_OF, **params})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    return body, next(k for k in body["kpis"] if k["kpi"] == "2.2")


def test_a_province_gets_its_actual_achievement_status_and_score(as_user, region):
    _, p1, p2, _ = region
    reviewer = as_user("reviewer")

    def check():
        body, kpi = card(reviewer, p1)
        assert (kpi["target"], kpi["actual"], kpi["achievement"]) == (4, 4, 100)
        assert (kpi["status"], kpi["score"], kpi["provisional"]) == ("met", 3.0, True)
        assert kpi["reports"] == {"due": 3, "approved": 2, "pending": 0}
        assert (kpi["missing"], kpi["basis"]["text"]) == (False, "Σ 1 unit = 4")
        assert body["missing"] > 0
        assert body["score"] == with_missing(3.0, body["missing"])
        _, other = card(reviewer, p2)
        assert (other["actual"], other["achievement"], other["score"]) == (3, 50, 1.0)
        # A third of the year gone, half the target reached: on track.
        assert other["status"] == "on_track"
        assert other["reports"] == {"due": 3, "approved": 1, "pending": 1}

    until_passes(check)


def test_the_region_rolls_up_from_its_provinces(as_user, region):
    code, _, _, _ = region
    body, kpi = card(as_user("reviewer"), code)
    assert (kpi["target"], kpi["actual"], kpi["achievement"], kpi["score"]) == (10, 7, 70, 1.0)
    assert kpi["basis"]["text"].startswith("Σ 2 units = 7")
    p1 = body["perspectives"][0]
    assert (p1["code"], p1["score"], p1["weight"]) == ("P1", 1.0, 1.0 + p1["missing"])
    assert body["missing"] == sum(p["missing"] for p in body["perspectives"])
    # The region reports 2.2 itself too: 3 months due for it and each province.
    assert kpi["reports"] == {"due": 9, "approved": 3, "pending": 1}


def test_pending_reports_are_added_only_when_asked_and_marked(as_user, region):
    code, _, _, _ = region
    _, kpi = card(as_user("reviewer"), code, include="pending")
    assert (kpi["actual"], kpi["achievement"], kpi["score"]) == (8, 80, 1.0)
    assert kpi["includes_pending"] is True


def test_the_department_holds_the_region_and_lists_its_units(as_user, region):
    code, _, _, _ = region
    reviewer = as_user("reviewer")
    _, department = card(reviewer, "PRD")
    assert department["actual"] >= 7 and department["target"] >= 10
    below = reviewer.get(f"{API}/{YEAR}/units", params={"unit": code, "as_of": AS_OF}).json()
    assert [(u["unit"], u["score"]) for u in below["units"]] == [
        (f"{code}-1", with_missing(3.0, below["units"][0]["missing"])),
        (f"{code}-2", 1.0),
    ]


def test_the_progress_of_a_parent_is_its_units_completion_from_the_roll_up(as_user, region):
    """Each province: the reports due by `as_of` over every KPI of the year (as its own
    scorecard counts them), 2.2's approved and pending; completion = approved / due."""
    code, p1, p2, _ = region
    reviewer = as_user("reviewer")
    resp = reviewer.get(f"{API}/{YEAR}/progress", params={"unit": code, "as_of": AS_OF})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    rows = {u["unit"]: u for u in body["units"]}
    assert list(rows) == [p1, p2]
    assert rows[p1]["has_units"] is False
    due = card(reviewer, p1)[0]["reports"]["due"]
    assert rows[p1]["reports"] == {"due": due, "approved": 2, "pending": 0}
    assert rows[p2]["reports"] == {"due": due, "approved": 1, "pending": 1}
    assert rows[p1]["completion"] == round(100 * 2 / due, 2)
    assert body["reports"] == card(reviewer, code)[0]["reports"]
    department = reviewer.get(f"{API}/{YEAR}/progress", params={"unit": "PRD"}).json()
    assert next(u for u in department["units"] if u["unit"] == code)["has_units"] is True
    denied = as_user("reporter1").get(f"{API}/{YEAR}/progress", params={"unit": code})
    assert denied.status_code == 403


def test_a_unit_outside_the_callers_scope_is_refused(as_user, region):
    code, _, _, _ = region
    resp = as_user("reporter1").get(f"{API}/{YEAR}", params={"unit": code})
    assert resp.status_code == 403


def test_a_rebuild_from_the_event_history_gives_the_same_scorecard(live, as_user, region):
    """The outbox rows of catalogue and workflow are the event history the feeds serve."""
    code, _, _, _ = region
    before = card(as_user("reviewer"), code)[1]
    rebuilt_from_history(live)
    assert card(as_user("reviewer"), code)[1] == before


def rebuilt_from_history(live) -> None:
    """The scorecard rebuilt from the outbox rows of catalogue and workflow (the event
    history their feeds serve)."""
    history = []
    for service in ("catalogue", "workflow"):
        runtime = runtime_of(live.app(service))
        outbox = runtime.workers[0].outbox
        with unit_of_work(runtime.session_factory) as session:
            history += [Envelope.parse(json.loads(r)) for r in session.scalars(select(outbox.body))]
    history.sort(key=lambda e: e.occurred_at)
    assert rebuild(runtime_of(live.app("scorecard")).session_factory, history) > 0


def test_an_approval_after_the_year_was_read_moves_the_unit_and_every_unit_above(as_user, region):
    """The year is copied by now: the approval counts P2's 2.2 again (4 agencies of 6 =
    66.67 %) and moves the region's tallies (8 of 10 = 80 % -> 1.0) and the department's."""
    code, _, p2, pending = region
    reviewer = as_user("reviewer")
    department = card(reviewer, "PRD")[1]["actual"]
    url = f"/api/workflow/reports/{pending['id']}/transitions"
    assert reviewer.post(url, json={"action": "approve"}).status_code == 200

    def check():
        _, unit = card(reviewer, p2)
        assert (unit["actual"], unit["achievement"], unit["reports"]["pending"]) == (4, 66.67, 0)
        _, kpi = card(reviewer, code)
        assert (kpi["actual"], kpi["achievement"], kpi["score"]) == (8, 80, 1.0)
        assert kpi["reports"] == {"due": 9, "approved": 4, "pending": 0}
        assert card(reviewer, "PRD")[1]["actual"] == department + 1

    until_passes(check)
