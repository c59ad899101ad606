"""A whole service down (both web replicas, its workers, its Celery processes): the services
that call it name it in /readyz, the portal tells people in Thai, nothing else stops; back up, it
handles the events it missed."""

from __future__ import annotations

import re

import requests

from tests.deployed.conftest import draft_reports, new_team
from tests.waiting import eventually

DOWN = "notifications"
THAI_MESSAGE = "ระบบงานที่เกี่ยวข้องไม่ตอบสนอง"


def portal_login(deployed, username: str, password: str) -> requests.Session:
    http = requests.Session()
    form = http.get(f"{deployed.url}/login", timeout=30)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    resp = http.post(
        f"{deployed.url}/login",
        data={"username": username, "password": password, "csrf": csrf},
        timeout=30,
        allow_redirects=False,
    )
    assert resp.status_code in (302, 303), resp.text
    return http


def test_a_service_down_is_named_and_catches_up_when_back(deployed, gateway):
    team = new_team(deployed, gateway)
    (report, *_) = draft_reports(team)
    head_portal = portal_login(deployed, team.head_name, team.password)
    stopped = [p for p in deployed.processes if p.env.get("RBM_SERVICE") == DOWN]
    for proc in stopped:
        proc.stop()
    try:
        ready = requests.get(f"{deployed.url}/readyz", timeout=60)
        assert ready.status_code == 200 and ready.json()["unanswered"] == [DOWN], ready.text
        page = head_portal.get(f"{deployed.url}/inbox", headers={"Accept": "text/html"})
        assert page.status_code == 503 and THAI_MESSAGE in page.text
        submitted = team.reporter.post(
            f"/api/workflow/reports/{report}/transitions", json={"action": "submit"}
        )
        assert submitted.status_code == 200, submitted.text
        alive = [p.name for p in deployed.processes if p not in stopped and not p.alive]
        assert alive == [], f"stopped with {DOWN}: {alive}"
    finally:
        for proc in stopped:
            proc.start()
    deployed.wait_ready()

    def told():
        items = team.head.get("/api/notifications/inbox", params={"limit": 100}).json()
        return [i for i in items if i["report_id"] == report and i["kind"] == "submitted"]

    eventually(told, timeout=120, what="the missed submission in the head's inbox")
    assert requests.get(f"{deployed.url}/readyz", timeout=60).json()["unanswered"] == []
    print(
        f"\n{DOWN} down: stopped {', '.join(p.name for p in stopped)}; portal answered 503 in"
        " Thai; a submission made meanwhile reached the head's inbox once it was back"
    )
