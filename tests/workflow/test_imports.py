"""Imports of the feed KPIs: a file checked row by row, dry run first, then written at once."""

from __future__ import annotations

import io

import pytest

from tests.workflow.conftest import API, YEAR

EXAMPLES = "services/workflow/examples"


def send(who, content: bytes, kpi: str, filename: str = "feed.csv", dry_run=False, **form):
    return who.post(
        f"{API}/imports",
        data={"year": str(YEAR), "kpi": kpi, "dry_run": str(dry_run).lower(), **form},
        files={"file": (filename, io.BytesIO(content))},
    )


def progress_file(unit: str, *figures: tuple[str, int, int]) -> bytes:
    """A 1.1 file: (period, targets, targets met) rows of one unit."""
    lines = ["unit,period,targets,targets_met"]
    lines += [f"{unit},{period},{targets},{met}" for period, targets, met in figures]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def reviewer(as_user):
    return as_user("reviewer")


@pytest.fixture
def unit(make_team) -> str:
    return make_team().unit


def reports_of(who, unit: str, kpi: str = "1.1") -> list[dict]:
    resp = who.get(f"{API}/reports", params={"year": YEAR, "unit": unit, "kpi": kpi})
    assert resp.status_code == 200, resp.text
    return resp.json()


class TestExamples:
    def test_the_expenditure_file_fills_3_1_and_5_1_for_every_region_and_month(
        self, reviewer, repo_root
    ):
        content = (repo_root / EXAMPLES / "expenditure-2547.csv").read_bytes()
        for kpi in ("3.1", "5.1"):
            resp = send(reviewer, content, kpi, "expenditure-2547.csv")
            assert resp.status_code == 200, resp.text
            assert len(resp.json()["rows"]) == 96
            progress = reviewer.get(f"{API}/progress", params={"year": YEAR, "kpi": kpi}).json()
            done = {(r["unit"], r["period"]) for r in progress["rows"] if r["state"] == "approved"}
            regions = {(f"R{r}", f"M{m:02d}") for r in range(1, 9) for m in range(1, 13)}
            assert regions <= done


class TestOneImport:
    def test_each_row_becomes_an_approved_report_valued_from_the_source(self, reviewer, unit):
        resp = send(reviewer, progress_file(unit, ("M01", 8, 6), ("M02", 10, 10)), "1.1")
        assert resp.status_code == 200, resp.text
        assert (resp.json()["created"], resp.json()["updated"]) == (2, 0)
        report = next(r for r in reports_of(reviewer, unit) if r["period"] == "M01")
        assert (report["state"], report["value"], report["value_source"]) == (
            "approved",
            75.0,
            "import",
        )
