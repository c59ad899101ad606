"""`make run` on a fresh data dir opens on a department in the middle of its fiscal year: every
region and its provincial offices report, each month begun so far has reports approved, returned
and missing, the department's scorecard scores every perspective, each demo user finds work on
their home page, and a second start writes nothing more."""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path

import pytest
import requests

from common.fiscal import fiscal_year_of, period_dates
from deploy.seaweedfs import free_port
from tests.embedded.test_make_run import MakeRun
from tests.waiting import eventually

# Starts a whole system of its own (make run).
pytestmark = pytest.mark.system

CURRENT = fiscal_year_of(date.today())
REGIONS = {f"R{n}" for n in range(1, 9)}
DEMO_USERS = ("reporter1", "head1", "reporter2", "reviewer", "auditor", "admin")
READY = "demo_department_ready"
WRITTEN = (
    "reports",
    "units",
    "users",
    "targets",
    "scoring_confirmed",
    "imports",
    "delegations",
    "packs",
)
THAI = re.compile("[\u0e00-\u0e7f]")


def demo_finished(run: MakeRun, timeout: float = 900) -> dict:
    """What the demo wrote, from its last log line, once it has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert run.proc.poll() is None, "make run exited early"
        text = Path(run.log.name).read_text(errors="replace")
        assert "demo_reports_failed" not in text, text[-3000:]
        for line in text.splitlines():
            if READY in line:
                return json.loads(line[line.index("{") :])
        time.sleep(2)
    raise AssertionError("the demo did not finish in time")


def get(run: MakeRun, username: str, path: str, **params) -> requests.Response:
    resp = requests.get(
        f"{run.url}/api{path}", headers=run.token(username), params=params, timeout=30
    )
    assert resp.status_code == 200, resp.text
    return resp


@pytest.fixture(scope="module")
def repo() -> Path:
    return Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("living-demo") / "var"


@pytest.fixture(scope="module")
def demo_run(repo, data_dir):
    run = MakeRun(repo, data_dir, free_port(), demo_size="department")
    run.wait_ready()
    run.written = demo_finished(run)
    yield run
    if run.proc.poll() is None:
        run.interrupt()


def all_reports(run: MakeRun) -> list[dict]:
    """The current year's reports, a page at a time."""
    found: list[dict] = []
    while True:
        params = {"year": CURRENT, "limit": 1000, "offset": len(found)}
        page = get(run, "reviewer", "/workflow/reports", **params).json()
        found += page
        if len(page) < 1000:
            return found


@pytest.fixture(scope="module")
def reports(demo_run) -> list[dict]:
    return all_reports(demo_run)


def months_begun() -> list[str]:
    today = date.today()
    return [m for m in (f"M{n:02d}" for n in range(1, 13)) if period_dates(CURRENT, m)[0] <= today]


def test_the_demo_says_how_long_it_took_and_what_it_wrote(demo_run):
    """For people to read (pytest -rP or -s), never a limit a test holds it to."""
    written = demo_run.written
    print(f"\nthe demo department was written in {written['seconds']} s:", written)
    assert written["seconds"] > 0 and written["reports"] > 0


def test_the_demo_costs_the_runner_at_most_50_mb(demo_run):
    assert demo_run.written["memory_mb"] <= 50


def test_every_region_and_sixteen_provincial_offices_report_this_year(demo_run, reports):
    units = {u["code"]: u for u in get(demo_run, "admin", "/catalogue/units").json()}
    reporting = {r["unit"] for r in reports}
    assert reporting >= REGIONS
    provinces = {code for code in reporting if units[code]["kind"] == "province"}
    assert len(provinces) >= 16
    assert all("ตัวอย่าง" in units[code]["name_th"] for code in provinces)


@pytest.mark.parametrize("month", months_begun())
def test_every_month_begun_has_reports_approved_returned_and_missing(demo_run, reports, month):
    monthly = [r for r in reports if r["period"] == month and r["kpi"] in ("2.1", "2.2")]
    assert {"approved", "returned"} <= {r["state"] for r in monthly}
    offices = {u["code"] for u in get(demo_run, "admin", "/catalogue/units").json()}
    offices = {code for code in offices if code[:2] in REGIONS or code in REGIONS}
    owed = {(unit, kpi) for unit in offices for kpi in ("2.1", "2.2")}
    assert owed - {(r["unit"], r["kpi"]) for r in monthly}, "nothing is missing"


def test_returned_reports_say_why_in_thai(demo_run, reports):
    returned = next(r for r in reports if r["state"] == "returned")
    trail = get(demo_run, "reviewer", f"/workflow/reports/{returned['id']}/audit").json()
    assert THAI.search(json.dumps(trail[-1], ensure_ascii=False))


def test_level_kpis_are_read_from_their_forms_at_varied_levels(reports):
    levels = {r["value"] for r in reports if r["kpi"] == "4.1" and r["value"] is not None}
    assert len(levels) > 1
    pdfs = [r for r in reports if r["kpi"] == "4.1" and len(r["evidence_ids"]) == 2]
    assert pdfs


def test_the_feed_kpis_are_imported_for_every_month_begun(reports):
    imported = {(r["kpi"], r["period"]) for r in reports if r.get("value_source") == "import"}
    for month in months_begun():
        assert {("1.1", month), ("3.1", month), ("5.1", month)} <= imported
    assert ("8.1", "Y") in imported


def test_the_department_scorecard_scores_every_perspective(demo_run):
    def scored():
        card = get(demo_run, "reviewer", f"/scorecard/{CURRENT}", unit="PRD").json()
        return all(p["score"] is not None for p in card["perspectives"]) and card

    card = eventually(scored, timeout=120, interval=2)
    provisional = {k["kpi"]: k["provisional"] for k in card["kpis"]}
    assert provisional["2.1"] is False and provisional["3.1"] is True


def test_regions_differ_a_strong_one_above_a_weak_one(demo_run):
    def scores():
        below = get(demo_run, "reviewer", f"/scorecard/{CURRENT}/units", unit="PRD").json()
        found = {u["unit"]: u["score"] for u in below["units"] if u["unit"] in REGIONS}
        return found if None not in found.values() else None

    found = eventually(scores, timeout=120, interval=2)
    assert found["R3"] > found["R5"] and found["R8"] > found["R7"]


def signed_in(run: MakeRun, username: str) -> requests.Session:
    http = requests.Session()
    form = http.get(f"{run.url}/login", timeout=30).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf
    sent = http.post(
        f"{run.url}/login",
        data={"csrf": csrf.group(1), "username": username, "password": "demo-password"},
        timeout=30,
    )
    assert sent.status_code == 200, sent.text
    return http


# Where each demo user's home page counts their work: the lists it heads, or for those who
# only read, the department's approved reports.
REPORTER = r'data-count="(\d+)" id="(?:returned|due)"'
HOME_WORK = {
    "reporter1": REPORTER,
    "reporter2": REPORTER,
    "head1": r'data-count="(\d+)" id="to-endorse"',
    "reviewer": r'data-count="(\d+)" id="to-approve"',
    "auditor": r'data-figure="approved"[^>]*>.*?</strong>\s*(\d+)',
    "admin": r'data-figure="approved"[^>]*>.*?</strong>\s*(\d+)',
}


@pytest.mark.parametrize("username", DEMO_USERS)
def test_each_demo_users_home_lists_work(demo_run, username):
    home = signed_in(demo_run, username).get(f"{demo_run.url}/", timeout=60).text
    counts = [int(n) for n in re.findall(HOME_WORK[username], home, re.S)]
    assert counts, home[:2000]
    assert sum(counts) > 0


@pytest.mark.parametrize("username", ["auditor", "reporter1"])
def test_the_auditor_and_the_reporter_have_a_pack_and_a_notification(demo_run, username):
    assert get(demo_run, username, "/evidence/packs").json()
    assert eventually(
        lambda: get(demo_run, username, "/notifications/inbox").json(), timeout=120, interval=2
    )


def test_a_second_start_adds_nothing(demo_run, reports, repo, data_dir):
    assert "rbm stopped." in demo_run.interrupt()
    again = MakeRun(repo, data_dir, free_port(), demo_size="department")
    try:
        again.wait_ready()
        written = demo_finished(again)
        assert {key: written[key] for key in WRITTEN} == dict.fromkeys(WRITTEN, 0)
        assert len(all_reports(again)) == len(reports)
    finally:
        assert "rbm stopped." in again.interrupt()
