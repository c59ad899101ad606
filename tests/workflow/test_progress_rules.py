"""Lateness and the progress roll-ups, worked out by hand without a database."""

from datetime import UTC, date, datetime

from services.workflow.catalogue_copy import region_of
from services.workflow.progress import is_late, matrix

DUE = date(2003, 11, 10)  # M01 of 2547 (October 2003), due ten days after it ends
TODAY = date(2003, 11, 20)


def test_a_report_first_submitted_by_its_due_date_in_thailand_is_on_time():
    # 10 Nov 2003 16:59 UTC is 23:59 in Bangkok: still the due date there.
    assert not is_late(DUE, datetime(2003, 11, 10, 16, 59, tzinfo=UTC), TODAY)
    assert is_late(DUE, datetime(2003, 11, 10, 17, 0, tzinfo=UTC), TODAY)


def test_a_report_not_submitted_is_late_only_after_its_due_date():
    assert not is_late(DUE, None, DUE)
    assert is_late(DUE, None, date(2003, 11, 11))


def cell(unit, kpi, period, state=None, submitted=None, optional=False, region="R1"):
    report_id = f"{unit}/{kpi}/{period}" if state else None
    return (unit, kpi, period, DUE, optional, region, report_id, state, submitted)


ON_TIME = datetime(2003, 11, 5, 3, 0, tzinfo=UTC)


def test_rows_and_roll_ups_of_a_small_year():
    cells = [
        cell("R1", "2.1", "M01", "approved", ON_TIME),
        cell("R1", "2.2", "M01"),
        cell("R1-01", "2.1", "M01", "draft"),
        cell("R1-01", "2.2", "M01", "submitted", ON_TIME),
        cell("R1-01", "4.1", "Q1", optional=True),
        cell("R2", "2.1", "M01", "returned", ON_TIME, region="R2"),
    ]
    result = matrix(cells, TODAY)
    assert [(r["state"], r["late"]) for r in result["rows"]] == [
        ("approved", False),
        ("missing", True),
        ("draft", True),
        ("submitted", False),
        ("missing", False),
        ("returned", False),
    ]
    by_unit = {u["unit"]: u for u in result["by_unit"]}
    assert {k: by_unit["R1-01"][k] for k in ("expected", "reported", "approved", "late")} == {
        "expected": 2,
        "reported": 1,
        "approved": 0,
        "late": 1,
    }
    by_region = {r["region"]: r for r in result["by_region"]}
    assert (by_region["R1"]["expected"], by_region["R1"]["reported_share"]) == (4, 0.5)
    by_kpi = {k["kpi"]: k for k in result["by_kpi"]}
    assert (by_kpi["2.1"]["expected"], by_kpi["2.1"]["approved_share"]) == (3, 0.3333)
    assert "4.1" not in by_kpi
    assert result["total"]["late"] == 2 and result["total"]["expected"] == 5


def test_a_report_on_results_once_sent_is_reported_and_approved_but_never_expected():
    cells = [
        cell("R1-01", "2.1", "M01", "approved", ON_TIME),
        cell("R1-01", "4.1", "Q1", "approved", ON_TIME, optional=True),
        cell("R1-01", "4.1", "Q2", "submitted", ON_TIME, optional=True),
        cell("R1-01", "9.3", "Q1", "draft", optional=True),
    ]
    result = matrix(cells, TODAY)
    (unit,) = result["by_unit"]
    assert {k: unit[k] for k in ("expected", "reported", "approved", "late")} == {
        "expected": 1,
        "reported": 3,
        "approved": 2,
        "late": 0,
    }
    by_kpi = {k["kpi"]: k for k in result["by_kpi"]}
    assert (by_kpi["4.1"]["expected"], by_kpi["4.1"]["approved"]) == (0, 1)
    assert by_kpi["4.1"]["approved_share"] is None and "9.3" not in by_kpi


def test_a_region_rolls_up_its_provincial_offices():
    assert region_of({"code": "R3", "kind": "region"}) == "R3"
    assert region_of({"code": "R3-07", "kind": "province", "parent": "R3"}) == "R3"
    assert region_of({"code": "MSD", "kind": "group", "parent": "PRD"}) is None
