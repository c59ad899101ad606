"""Two transitions of one report at the same moment: one is taken (200), the other refused (409).

Repeated through the running system, on PostgreSQL (`live`) and on SQLite (`embedded_live`).
"""

from __future__ import annotations

import pytest

from tests.conftest import at_once, create_team, login

API = "/api/workflow"
YEAR = 2547
RACES = 20
MONTHS = [f"M{i:02d}" for i in range(1, 13)]


def _day_in(period: str) -> str:
    """A day inside fiscal month `period` of 2547 (M01 is October 2003)."""
    index = int(period[1:])
    year, month = (2003, 9 + index) if index <= 3 else (2004, index - 3)
    return f"{year}-{month:02d}-05"


def _endorsed_reports(system, count: int) -> list[dict]:
    """`count` reports of KPI 2.2 waiting for the reviewer, over as many fresh units as needed."""
    reports = []
    while len(reports) < count:
        team = create_team(system.session("admin"))
        reporter = login(system, team.reporter, team.password)
        head = login(system, team.head, team.password)
        for period in MONTHS[: count - len(reports)]:
            item = {"agency": "กรมทดสอบ", "date": _day_in(period)}
            body = {"year": YEAR, "kpi": "2.2", "unit": team.unit, "period": period}
            created = reporter.post(f"{API}/reports", json={**body, "items": [item]})
            assert created.status_code == 201, created.text
            url = f"{API}/reports/{created.json()['id']}/transitions"
            assert reporter.post(url, json={"action": "submit"}).status_code == 200
            endorsed = head.post(url, json={"action": "endorse"})
            assert endorsed.status_code == 200, endorsed.text
            reports.append(endorsed.json())
    return reports


def _race(sessions, url: str, headers: dict) -> list[int]:
    """Both sessions post the same approval at once; their status codes."""

    def approve(http) -> int:
        return http.post(url, json={"action": "approve"}, headers=headers).status_code

    return at_once(approve, sessions)


@pytest.mark.parametrize("backend", ["live", "embedded_live"])
def test_two_reviewers_approving_at_once_get_one_200_and_one_409(backend, request):
    system = request.getfixturevalue(backend)
    reports = _endorsed_reports(system, RACES)
    reviewers = [system.session("reviewer"), system.session("reviewer")]
    outcomes = []
    for i, report in enumerate(reports):
        # Every other race names the version acted on, as a careful client would.
        headers = {"If-Match": f'"{report["version"]}"'} if i % 2 else {}
        outcomes.append(_race(reviewers, f"{API}/reports/{report['id']}/transitions", headers))
    assert outcomes == [[200, 409]] * RACES
