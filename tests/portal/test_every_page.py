"""Every page of every role: within a phone's width, no serious accessibility violation (axe-core),
and a screenshot at desktop and phone width kept in test-artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.portal.conftest import english_words, enter_as
from tests.portal.test_living_demo import CURRENT

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "screenshots"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def report_of(demo, kpi: str, period: str) -> str:
    found = demo.session("reviewer").get(
        "/api/workflow/reports",
        params={"year": CURRENT, "unit": "R1", "kpi": kpi, "period": period},
    )
    return found.json()[0]["id"]


def pages_of(demo) -> dict[str | None, dict[str, str]]:
    returned, with_files = report_of(demo, "2.2", "M02"), report_of(demo, "4.1", "Q1")
    return {
        None: {"login": "/login", "not-found": "/no-such-page"},
        "reporter1": {
            "home": "/",
            "progress": "/progress",
            "kpis": "/kpis",
            "new-report": f"/reports/new?year={CURRENT}&unit=R1&kpi=2.2&period=M03",
            "returned-report": f"/reports/{returned}",
            "edit-report": f"/reports/{returned}/edit",
            "new-evidence-report": f"/reports/new?year={CURRENT}&unit=R1&kpi=7.1&period=Y",
            "inbox": "/inbox",
            "settings": "/settings/notifications",
            "packs": "/packs",
        },
        "head1": {"home": "/", "delegations": "/delegations", "report": f"/reports/{returned}"},
        "reviewer": {
            "home": "/",
            "review": f"/review?year={CURRENT}&state=",
            "dashboard": f"/dashboard?year={CURRENT}&unit=R1",
            "reports-behind": f"/review?year={CURRENT}&within=PRD&kpi=2.1&state=approved",
            "report-with-evidence": f"/reports/{with_files}",
        },
        "auditor": {
            "home": "/",
            "search": f"/audit/search?year={CURRENT}&unit=R1",
            "timeline": f"/reports/{with_files}/timeline",
            "audit": "/audit",
            "packs": "/packs",
            "pack-check": "/packs/check",
        },
        "admin": {
            "users": "/admin/users",
            "years": "/admin/years",
            "targets": f"/admin/targets?year={CURRENT}&unit=R1",
            "schedule": f"/admin/schedule?year={CURRENT}&unit=R1",
            "scoring": f"/admin/scoring?year={CURRENT}&kpi=2.1",
            "templates": "/admin/templates",
        },
    }


def serious_violations(page) -> list[str]:
    # Evaluated through the browser's debugging protocol: the pages' CSP refuses inline scripts.
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"
    )
    return found


USERS = (None, "reporter1", "head1", "reviewer", "auditor", "admin")
# Latin words a Thai page may show: usernames (codes, where no display name may be read) and
# the program its exports open in.
CODES = frozenset({*filter(None, USERS), "Excel"})
# Pages that show codes as such: the admin's sheets name their columns, the packs page quotes
# the command-line verifier.
CODED_PAGES = ("admin-", "-packs")


@pytest.mark.parametrize("username", USERS, ids=[u or "anonymous" for u in USERS])
def test_every_page_fits_the_screen_passes_axe_and_is_photographed(demo, browser, username):
    """Each page loaded once: photographed and checked by axe at desktop width, its Thai
    searched for English words, then narrowed to a phone's width, photographed and measured
    for sideways scrolling."""
    assert AXE.exists(), "axe-core is missing: run `make axe`"
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, object] = {}
    desktop, phone = WIDTHS["desktop"], WIDTHS["phone"]
    context = browser.new_context(
        base_url=demo.url, locale="th-TH", viewport={"width": desktop[0], "height": desktop[1]}
    )
    page = context.new_page()
    if username:
        enter_as(page, username)
    for name, path in pages_of(demo)[username].items():
        page.set_viewport_size({"width": desktop[0], "height": desktop[1]})
        page.goto(path)
        key = f"{username or 'anonymous'}-{name}"
        page.screenshot(path=str(SHOTS / f"{key}-desktop.png"), full_page=True)
        if violations := serious_violations(page):
            problems[f"{key} axe"] = violations
        if not any(part in key for part in CODED_PAGES) and (english := english_words(page, CODES)):
            problems[f"{key} English"] = english
        page.set_viewport_size({"width": phone[0], "height": phone[1]})
        page.screenshot(path=str(SHOTS / f"{key}-phone.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth") - phone[0]
        if overflow > 0:
            problems[f"{key} scrolls sideways"] = overflow
    context.close()
    assert problems == {}
