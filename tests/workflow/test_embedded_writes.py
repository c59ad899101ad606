"""On SQLite (`make run`) writers queue for the write lock: many writes of different reports at
once all land, and only two writes of the same report collide (one 200, one 409)."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import at_once, create_team, login

API = "/api/workflow"
YEAR = 2547
WRITERS = 20
MONTHS = [f"M{i:02d}" for i in range(1, 13)]


def _drafts(system) -> list[tuple[requests.Session, dict]]:
    """`WRITERS` new drafts of KPI 2.2 (items come later), each with the reporter who may
    write it."""
    out: list[tuple[requests.Session, dict]] = []
    while len(out) < WRITERS:
        team = create_team(system.session("admin"))
        reporter = login(system, team.reporter, team.password)
        for period in MONTHS[: WRITERS - len(out)]:
            out.append(
                (reporter, {"year": YEAR, "kpi": "2.2", "unit": team.unit, "period": period})
            )
    return out


@pytest.fixture(scope="module")
def created(embedded_live) -> list[tuple[requests.Session, requests.Response]]:
    """Twenty reports of different units and months, all created at one moment: each with
    its reporter and the answer to its creation."""
    drafts = _drafts(embedded_live)

    def create(index: int) -> tuple[int, requests.Response]:
        reporter, body = drafts[index]
        return index, reporter.post(f"{API}/reports", json=body)

    return [(drafts[index][0], resp) for index, resp in at_once(create, range(WRITERS))]


def test_twenty_creates_of_different_reports_at_once_all_succeed(created):
    answers = [resp for _reporter, resp in created]
    assert [a.status_code for a in answers] == [201] * WRITERS, [a.text for a in answers]


def test_twenty_edits_of_different_reports_at_once_all_succeed(created):
    def edit(index: int) -> int:
        reporter, report = created[index][0], created[index][1].json()
        note = {"note": f"แก้ไขครั้งที่ {index}"}
        return reporter.patch(f"{API}/reports/{report['id']}", json=note).status_code

    assert at_once(edit, range(WRITERS)) == [200] * WRITERS


def test_two_edits_of_the_same_report_version_at_once_get_one_200_and_one_409(created):
    reporter, report = created[0][0], created[0][1].json()
    current = reporter.get(f"{API}/reports/{report['id']}").json()
    headers = {"If-Match": f'"{current["version"]}"'}

    def edit(note: str) -> int:
        url = f"{API}/reports/{report['id']}"
        return reporter.patch(url, json={"note": note}, headers=headers).status_code

    assert at_once(edit, ["หนึ่ง", "สอง"]) == [200, 409]
