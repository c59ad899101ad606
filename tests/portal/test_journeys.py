"""Each role's whole job through the portal's pages alone, on a desk (1366 px) and on a phone
(390 px). At every step the page must not scroll sideways, every table row's actions and
state must be seen whole once scrolled to, no English may show in the Thai page outside codes
and file names, and axe-core must find nothing serious. Each step is photographed into
test-artifacts/screenshots/journeys/ so that a change of layout can be looked at.

A journey's earlier history (a report returned, reports submitted) is arranged through the
APIs; what the role does is clicked and typed, but for the first address of a page reached
from the menu or a bookmark (a queue filtered to one unit)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect

from deploy.demo_activity import fill_form
from tests.conftest import Team
from tests.evidence.test_pack_check import one_byte_changed
from tests.evidence.test_verify_page import verdict as offline_verdict
from tests.portal.conftest import ENGLISH_WORD, NOT_ENGLISH_TEXT, api_of, enter_as, go
from tests.portal.test_every_page import SHOTS, serious_violations
from tests.portal.test_living_demo import CURRENT
from tests.waiting import eventually

WIDTHS = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}
WORKFLOW = "/api/workflow"
WHY = "ขาดเลขที่คำสั่งแต่งตั้งคณะทำงาน"
ROWS_CHECKED = 12  # the first rows of each table: enough to see a layout's fault

# What a row offers and says, each of which must be seen whole once scrolled to: not outside
# the window, not cut off by a box that scrolls or clips, not covered by anything.
ROW_PARTS_OUT_OF_SIGHT = """(limit) => {
  const found = [];
  const why = (el) => {
    el.scrollIntoView({block: "center", inline: "nearest"});
    const r = el.getBoundingClientRect();
    if (!el.checkVisibility() || r.width === 0 || r.height === 0) return "not shown";
    if (r.left < -0.5 || r.right > innerWidth + 0.5 || r.top < -0.5 || r.bottom > innerHeight + 0.5)
      return "outside the window";
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (!/hidden|auto|scroll|clip/.test(style.overflowX + " " + style.overflowY)) continue;
      const b = box.getBoundingClientRect();
      const inside = r.left >= b.left - 0.5 && r.right <= b.right + 0.5
        && r.top >= b.top - 0.5 && r.bottom <= b.bottom + 0.5;
      if (!inside) return "cut off by its box";
    }
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (!top || !(top === el || el.contains(top) || (top.control && top.control === el)))
      return "covered by " + (top ? top.tagName.toLowerCase() + "." + top.className : "nothing");
    return "";
  };
  for (const table of document.querySelectorAll("main table")) {
    for (const row of [...table.querySelectorAll("tbody tr")].slice(0, limit)) {
      if (row.closest("details:not([open]), [hidden]")) continue;
      const parts = row.querySelectorAll(
        "a[href], button, input[type=checkbox], select, .state, .ok-mark, .no-mark");
      for (const part of parts) {
        const problem = why(part);
        if (problem) found.push(`${part.outerHTML.slice(0, 60)}: ${problem}`);
      }
    }
  }
  window.scrollTo(0, 0);
  return found;
}"""
# The text a reader sees: every shown text node outside scripts, code and file names.
SHOWN_TEXT = """() => {
  const skipped = "script, style, noscript, code, kbd, samp, .file-name";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!node.textContent.trim() || !parent || parent.closest(skipped)) continue;
    if (parent.checkVisibility()) texts.push(node.textContent);
  }
  return texts.join("\\n");
}"""
# Usernames shown where no display name is read, in Latin letters.
USERNAMES = frozenset({"admin", "auditor", "reviewer", "reporter"})
# The column names a users' CSV file must carry, which the users page quotes as they are.
CSV_COLUMNS = frozenset({"username", "email", "password", "memberships"})


@dataclass
class Journey:
    """One role's walk at one width: each step checked and photographed."""

    role: str
    width: str
    problems: dict[str, object] = field(default_factory=dict)
    steps: int = 0

    def step(self, page, name: str) -> None:
        self.steps += 1
        key = f"{self.role}-{self.steps:02d}-{name}-{self.width}"
        (SHOTS / "journeys").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "journeys" / f"{key}.png"), full_page=True)
        found: dict[str, object] = {}
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            found["scrolls sideways"] = overflow
        if hidden := page.evaluate(ROW_PARTS_OUT_OF_SIGHT, ROWS_CHECKED):
            found["row parts out of sight"] = hidden
        if english := english_shown(page):
            found["English"] = english
        if violations := serious_violations(page):
            found["axe"] = violations
        self.problems.update({f"{key} {what}": said for what, said in found.items()})

    def done(self) -> None:
        assert self.problems == {}


def english_shown(page) -> list[str]:
    words = set(ENGLISH_WORD.findall(page.evaluate(SHOWN_TEXT)))
    return sorted(words - NOT_ENGLISH_TEXT - USERNAMES - CSV_COLUMNS)


@pytest.fixture(params=list(WIDTHS), ids=[f"{w}px" for w in WIDTHS])
def width(request) -> str:
    return request.param


@pytest.fixture
def window(browser, demo, width):
    """A page of its own at the journey's width, in Thai."""
    context = browser.new_context(base_url=demo.url, locale="th-TH", viewport=WIDTHS[width])
    yield context.new_page()
    context.close()


def report_of(session, unit: str, kpi: str, period: str, *actions: tuple[object, str]) -> dict:
    """A report of the current year, then each (session, action) done to it."""
    made = session.post(
        f"{WORKFLOW}/reports", json={"year": CURRENT, "unit": unit, "kpi": kpi, "period": period}
    )
    assert made.status_code == 201, made.text
    report = made.json()
    for actor, action in actions:
        done = actor.post(
            f"{WORKFLOW}/reports/{report['id']}/transitions",
            json={"action": action, "comment": WHY if action == "return" else ""},
        )
        assert done.status_code == 200, done.text
        report = done.json()
    return report


def sessions(live, team: Team):
    return api_of(live, team.reporter, team.password), api_of(live, team.head, team.password)


def test_the_reporter_resubmits_a_returned_report_and_submits_a_filled_form(
    live, window, width, make_team, tmp_path
):
    team = make_team()
    reporter, head = sessions(live, team)
    returned = report_of(reporter, team.unit, "2.1", "M01", (reporter, "submit"), (head, "return"))
    page, walk = window, Journey("reporter", width)
    enter_as(page, team.reporter, team.password)

    page.goto("/")
    walk.step(page, "home")
    row = page.locator(f"#returned-table tr[data-report='{returned['id']}']")
    assert WHY in row.inner_text()
    with page.expect_navigation():
        row.locator("a.primary").click()
    walk.step(page, "returned-report")
    assert WHY in page.locator("#sent-back").inner_text()
    go(page, "#actions button[value=submit]")
    walk.step(page, "resubmitted")
    assert page.locator("#state").inner_text() == "ส่งแล้ว"

    page.goto("/")
    go(page, "main a.secondary[href^='/reports/new']")
    walk.step(page, "choose")
    go(page, "main a[href*='kpi=4.1'][href*='period=Q1']")
    walk.step(page, "new-4.1")
    blank = page.request.get(page.get_attribute("#download-form", "href")).body()
    filled = tmp_path / "แบบฟอร์ม 4.1.docx"
    filled.write_bytes(fill_form(blank))
    page.set_input_files("#file", str(filled))
    go(page, "#upload button[type=submit]")
    walk.step(page, "uploaded")
    assert "บันทึกไฟล์" in page.locator("[role=status]").first.inner_text()
    go(page, "#save-submit")
    walk.step(page, "submitted")
    assert page.locator("#state").inner_text() == "ส่งแล้ว"
    walk.done()


def test_the_unit_head_endorses_from_home_and_from_a_reports_page(live, window, width, make_team):
    team = make_team()
    reporter, _head = sessions(live, team)
    first, second = (
        report_of(reporter, team.unit, "2.1", period, (reporter, "submit"))
        for period in ("M01", "M02")
    )
    page, walk = window, Journey("head", width)
    enter_as(page, team.head, team.password)

    page.goto("/")
    walk.step(page, "home")
    assert page.locator("#to-endorse").get_attribute("data-count") == "2"
    page.check(f"input[name=report][value^='{first['id']}:']")
    go(page, "text=รับรองรายงานที่เลือก")
    walk.step(page, "endorsed-ticked")
    assert "ดำเนินการแล้ว 1 รายงาน" in page.locator("[role=status]").first.inner_text()
    with page.expect_navigation():
        page.locator(f"tr:has(input[value^='{second['id']}:']) a").click()
    walk.step(page, "report")
    go(page, "#actions button[value=endorse]")
    walk.step(page, "endorsed")
    assert page.locator("#state").inner_text() == "หัวหน้ารับรองแล้ว"
    walk.done()


def test_the_reviewer_approves_one_returns_one_with_a_reason_and_exports(
    live, demo, window, width, make_team
):
    team = make_team()
    reporter, head = sessions(live, team)
    approved, sent_back = (
        report_of(reporter, team.unit, "2.1", period, (reporter, "submit"), (head, "endorse"))
        for period in ("M01", "M02")
    )
    page, walk = window, Journey("reviewer", width)
    enter_as(page, "reviewer")

    page.goto("/")
    walk.step(page, "home")
    page.goto(f"/review?year={CURRENT}&unit={team.unit}")
    walk.step(page, "queue")
    page.check(f"input[name=report][value^='{approved['id']}:']")
    go(page, "#approve-ticked")
    walk.step(page, "approved")
    assert f"unit={team.unit}" in page.url
    assert page.locator(f"tr[data-report='{approved['id']}']").count() == 0
    with page.expect_navigation():
        page.locator(f"tr[data-report='{sent_back['id']}'] a").last.click()
    walk.step(page, "report")
    page.fill("#comment-return", WHY)
    go(page, "button[value=return]")
    walk.step(page, "returned")
    assert f"unit={team.unit}" in page.url  # back in the queue it left, filters kept
    assert page.locator(f"tr[data-report='{sent_back['id']}']").count() == 0
    said = reporter.get(f"{WORKFLOW}/reports/{sent_back['id']}").json()
    assert said["state"] == "returned"

    page.goto(f"/progress?year={CURRENT}")
    walk.step(page, "progress")
    with page.expect_download() as download:
        page.click("#progress-xlsx")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"
    walk.done()


def test_the_auditor_finds_a_person_reads_history_and_verifies_a_pack(
    demo, pack_worker, browser, window, width, tmp_path
):
    page, walk = window, Journey("auditor", width)
    enter_as(page, "auditor")

    page.goto("/")
    walk.step(page, "home")
    page.goto(f"/audit/search?year={CURRENT}")
    page.fill("#person", "ผู้รายงาน สปข.1")
    go(page, "#search button[type=submit]")
    walk.step(page, "search")
    assert page.locator("#found-reports tbody tr").count() >= 1
    go(page, "#found-reports tbody tr >> nth=0 >> text=ลำดับเหตุการณ์")
    walk.step(page, "timeline")
    assert page.locator("#timeline").inner_text().strip()

    page.goto(f"/packs?year={CURRENT}")
    page.select_option("#pack-unit", "R1")
    page.select_option("#pack-kpi", "4.1")
    go(page, "#build-pack")
    ready = page.locator("#pack-list tbody tr >> nth=0 >> a.download")
    eventually(lambda: reloaded_until(page, ready), timeout=120, what="the pack built")
    walk.step(page, "packs")
    pack = tmp_path / "pack.zip"
    pack.write_bytes(page.request.get(ready.get_attribute("href")).body())

    folder, name = unzipped_with_one_byte_changed(pack, tmp_path / "ชุดหลักฐาน")
    said, problems = offline_verdict(browser, folder)
    assert (said, problems) == (
        "ไม่ผ่านการตรวจ",
        [f"ไฟล์ถูกแก้ไข (SHA-256 ไม่ตรงกับบัญชีรายการ): {name}"],
    )

    changed = tmp_path / "changed.zip"
    changed.write_bytes(one_byte_changed(pack, name)[0])
    go(page, "#check-pack-link")
    walk.step(page, "check")
    page.set_input_files("#pack", str(changed))
    go(page, "#check")
    walk.step(page, "checked")
    assert page.locator("#checked-files tr[data-state=changed] .file-name").all_inner_texts() == [
        name
    ]
    walk.done()


def reloaded_until(page, shown) -> bool:
    """Whether `shown` is on the page, the page reloaded when it is not."""
    if shown.count():
        return True
    page.reload()
    return False


def unzipped_with_one_byte_changed(pack: Path, folder: Path) -> tuple[Path, str]:
    """The pack unzipped into `folder` with one byte of its first evidence file flipped."""
    with zipfile.ZipFile(pack) as zf:
        zf.extractall(folder)
        name = next(n for n in zf.namelist() if n.startswith("files/"))
    target = folder / name
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 1
    target.write_bytes(bytes(data))
    return folder, name


def test_the_admin_changes_a_users_roles_a_threshold_and_confirms_scoring(
    live, window, width, make_team
):
    team = make_team()
    page, walk = window, Journey("admin", width)
    enter_as(page, "admin")

    page.goto("/")
    walk.step(page, "home")
    page.goto("/admin/users")
    walk.step(page, "users")
    page.select_option("#unit", team.unit)
    go(page, "#users-filter button[type=submit]")
    go(page, f"tr[data-user='{team.reporter}'] a.edit-memberships")
    walk.step(page, "memberships")
    page.click("#edit-add-row")
    expect(page.locator("#edit-rows tbody tr")).to_have_count(2)
    page.select_option("#edit-unit-1", team.unit)
    page.select_option("#edit-role-1", "unit_head")
    go(page, "#save-memberships")
    walk.step(page, "roles-saved")
    held = live.session("admin").get(f"/api/identity/users/{team.reporter}/memberships").json()
    assert {m["role"] for m in held["memberships"]} == {"reporter", "unit_head"}

    page.goto(f"/admin/scoring?year={CURRENT}&kpi=2.1")
    walk.step(page, "scoring")
    before = page.input_value("#t5")
    page.fill("#t5", str(float(before) + 1))
    go(page, "#save-provisional")
    walk.step(page, "threshold-saved")
    page.goto(f"/admin/scoring?year={CURRENT}&kpi=2.1")
    assert float(page.input_value("#t5")) == float(before) + 1
    page.fill("#t5", before)
    page.check("#sure-confirmed")
    go(page, "#save-confirmed")
    walk.step(page, "confirmed")
    assert re.search(r"ยืนยัน", page.locator("#scoring-2\\.1").inner_text())
    walk.done()
