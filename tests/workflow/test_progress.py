"""Progress of a year: each scheduled unit x KPI x period, its state, late or not, roll-ups."""

from contextlib import contextmanager

from sqlalchemy import event

from common.fiscal import fiscal_year_of, today
from common.web import runtime_of
from tests.waiting import until_passes
from tests.workflow.conftest import API, YEAR
from tests.workflow.test_evidence import upload


def cells(body):
    return {(r["kpi"], r["period"]): r for r in body["rows"]}


def test_every_scheduled_period_is_shown_missing_until_reported(crew):
    body = crew.reporter.get(f"{API}/progress", params={"year": YEAR}).json()
    grid = cells(body)
    assert {r["unit"] for r in body["rows"]} == {crew.unit}
    assert grid["2.2", "M01"]["state"] == "missing"
    assert grid["2.2", "M01"]["due_on"] > "2003-10-31"
    assert ("15.1", "H1") not in grid


def test_a_unit_is_never_expected_to_report_an_imported_kpi(crew):
    body = crew.reporter.get(f"{API}/progress", params={"year": YEAR}).json()
    assert not {"1.1", "3.1", "5.1", "8.1"} & {r["kpi"] for r in body["rows"]}


def test_a_regions_expected_count_is_what_it_types_and_uploads(as_user):
    # 2.1 and 2.2 monthly (24), 7.1, 10.5 and 13.1 yearly (3), 10.1 quarterly (4),
    # 10.2, 15.1 and 15.2 half-yearly (6); 4.1 and 9.3 on results; no 1.1, 3.1, 5.1, 8.1.
    body = as_user("reviewer").get(f"{API}/progress", params={"year": YEAR, "unit": "R1"}).json()
    (r1,) = body["by_unit"]
    assert r1["expected"] == 24 + 3 + 4 + 6


def test_a_report_past_its_due_date_is_late(crew):
    report = crew.create(kpi="2.1", period="M01")
    crew.act(crew.reporter, report, "submit")
    grid = cells(crew.reporter.get(f"{API}/progress", params={"year": YEAR}).json())
    assert grid["2.1", "M01"]["state"] == "submitted"
    assert grid["2.1", "M01"]["report_id"] == report["id"]
    # Fiscal year 2547 ended in 2004: anything submitted now was due long ago.
    assert grid["2.1", "M01"]["late"] is True


def test_reporting_on_results_is_optional_and_never_late(crew):
    grid = cells(crew.reporter.get(f"{API}/progress", params={"year": YEAR}).json())
    assert grid["4.1", "Q1"]["optional"] is True and grid["4.1", "Q1"]["late"] is False


def test_roll_ups_count_reported_approved_and_late_shares(crew):
    approved = crew.endorsed(kpi="2.1", period="M02")
    crew.act(crew.reviewer, approved, "approve")
    crew.create(kpi="2.1", period="M03")
    body = crew.reviewer.get(f"{API}/progress", params={"year": YEAR, "unit": crew.unit}).json()
    (unit,) = body["by_unit"]
    expected = sum(1 for r in body["rows"] if not r["optional"])
    assert (unit["unit"], unit["expected"]) == (crew.unit, expected)
    assert (unit["reported"], unit["approved"], unit["late"]) == (1, 1, expected)
    assert unit["reported_share"] == round(1 / expected, 4)
    (region,) = body["by_region"]
    assert region["region"] == crew.team.region
    kpi = next(k for k in body["by_kpi"] if k["kpi"] == "2.1")
    assert (kpi["expected"], kpi["approved"]) == (12, 1)


def test_an_approved_on_results_report_is_reported_and_approved_but_never_expected(crew):
    """A province is expected 33 reports (2.1 and 2.2 monthly, 7.1, 10.5 and 13.1 yearly,
    10.1 quarterly, 10.2 half-yearly); its approved 4.1 of Q2 adds to none of them but is
    reported and approved, as the scorecard counts it: 1 of 33."""
    stored = upload(crew.reporter, crew.unit, period="Q2")
    report = crew.endorsed(kpi="4.1", period="Q2", evidence_ids=[stored["id"]], value=3)
    assert crew.act(crew.reviewer, report, "approve").status_code == 200
    body = crew.reviewer.get(f"{API}/progress", params={"year": YEAR, "unit": crew.unit}).json()
    (unit,) = body["by_unit"]
    assert (unit["expected"], unit["reported"], unit["approved"]) == (33, 1, 1)
    kpi = next(k for k in body["by_kpi"] if k["kpi"] == "4.1")
    assert (kpi["expected"], kpi["reported"], kpi["approved"], kpi["late"]) == (0, 1, 1, 0)
    assert kpi["approved_share"] is None


def test_a_listed_report_carries_its_cells_due_date_and_late_flag(crew):
    late = crew.create(kpi="2.1", period="M01")
    crew.act(crew.reporter, late, "submit")
    unsubmitted = crew.create(kpi="2.2", period="M03")
    on_results = crew.create(kpi="4.1", period="Q1")
    listed = {r["id"]: r for r in crew.reporter.get(f"{API}/reports", params={"year": YEAR}).json()}
    grid = cells(crew.reporter.get(f"{API}/progress", params={"year": YEAR}).json())
    for report in (late, unsubmitted, on_results):
        cell = grid[report["kpi"], report["period"]]
        assert (listed[report["id"]]["due_on"], listed[report["id"]]["late"]) == (
            cell["due_on"],
            cell["late"],
        )
    assert [listed[r["id"]]["late"] for r in (late, unsubmitted, on_results)] == [
        True,
        True,
        False,  # reported when there are results: never late
    ]


def test_a_report_submitted_by_its_due_date_is_on_time_wherever_it_is_shown(crew):
    year = fiscal_year_of(today())
    body = {"year": year, "kpi": "2.1", "unit": crew.unit, "period": "M12"}
    created = crew.reporter.post(f"{API}/reports", json=body).json()
    submitted = crew.act(crew.reporter, created, "submit").json()
    shown = crew.reporter.get(f"{API}/reports/{created['id']}").json()
    (listed,) = crew.reporter.get(f"{API}/reports", params={"year": year, "kpi": "2.1"}).json()
    cell = cells(crew.reporter.get(f"{API}/progress", params={"year": year}).json())["2.1", "M12"]
    assert cell["due_on"] > today().isoformat() and cell["late"] is False
    for report in (created, submitted, shown, listed):
        assert (report["due_on"], report["late"]) == (cell["due_on"], False)


@contextmanager
def reads_of(live, table: str):
    """The SELECT statements the workflow runs meanwhile that read `table` (a copy of the
    schedule made meanwhile writes it, and is not counted)."""
    engine = runtime_of(live.app("workflow")).engine
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT") and table in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_page_of_reports_reads_the_schedule_once_however_many_it_holds(live, crew):
    for period in ("M01", "M02", "M03", "M04"):
        crew.create(kpi="2.1", period=period)
    crew.reporter.get(f"{API}/reports", params={"year": YEAR})  # the year's copy is current
    with reads_of(live, "schedule_slots") as one:
        crew.reporter.get(f"{API}/reports", params={"year": YEAR, "period": "M01"})
    with reads_of(live, "schedule_slots") as four:
        listed = crew.reporter.get(f"{API}/reports", params={"year": YEAR}).json()
    assert len(listed) == 4 and all(r["due_on"] for r in listed)
    assert len(one) == len(four) == 1


def test_a_unit_head_sees_only_their_unit(crew):
    body = crew.head.get(f"{API}/progress", params={"year": YEAR, "kpi": "2.2"}).json()
    assert {r["unit"] for r in body["rows"]} == {crew.unit}


def test_another_units_progress_is_not_found(crew, as_user):
    resp = as_user("reporter2").get(f"{API}/progress", params={"year": YEAR, "unit": crew.unit})
    assert resp.status_code == 404


def test_the_reviewer_sees_every_unit_once_the_catalogue_has_announced_it(crew):
    def units():
        body = crew.reviewer.get(f"{API}/progress", params={"year": YEAR, "kpi": "2.2"}).json()
        return {r["unit"] for r in body["rows"]}

    # The unit was added a moment ago; progress knows it once catalogue.unit.changed arrives.

    def all_known() -> None:
        assert {crew.unit, "R1", "R8"} <= units()

    until_passes(all_known)


def test_progress_needs_a_year(crew):
    resp = crew.reporter.get(f"{API}/progress")
    assert resp.status_code == 422 and "year" in resp.json()["errors"]
