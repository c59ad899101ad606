"""One truth for every number: whatever happens to a region's reports, the home page, the
review queue, the dashboard, the progress page, the month history, the downloads and the APIs
give the same counts, and those are the counts taken straight from the reports.

Each example builds a regional office of its own with two provincial offices (fiscal year 2547
is long over: every period is due), writes a stream of reports of 2.1 and 2.2 (monthly) and
4.1 (on results, never due) through the APIs, each carried along the approval chain to some
point (draft, submitted, endorsed, approved, returned by the head or the reviewer,
resubmitted, reopened), and reads every page of the region and of its units as the reviewer
does, and its reporter's home page. The department's figures (home page, review queue) move by
what the example wrote. Hypothesis runs a few examples (a system's pages cost seconds each),
derandomised so that a run repeats the last.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pytest
import requests
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from common.fiscal import MONTHLY, QUARTERS, period_dates, period_label_th
from services.portal.exports import STATE_TH
from tests.conftest import LiveSystem, create_user, login, person_name
from tests.portal.conftest import enter_as, go
from tests.portal.test_home import count_of, portal_of
from tests.waiting import eventually

YEAR = 2547
API = "/api"
PASSWORD = "team-password-1"
KPIS = ("2.1", "2.2")
# Reported when there are results, by quarter: never due, its level typed in beside a document.
ON_RESULTS = "4.1"
WHY = "แก้ไขตัวเลข"
PENDING = frozenset({"submitted", "endorsed"})
REPORTED = PENDING | {"approved"}
# How far a report is carried: who takes each step after its creation, and where it ends.
PATHS: dict[str, tuple[tuple[str, str], ...]] = {
    "draft": (),
    "submitted": (("reporter", "submit"),),
    "endorsed": (("reporter", "submit"), ("head", "endorse")),
    "approved": (("reporter", "submit"), ("head", "endorse"), ("reviewer", "approve")),
    "returned by the head": (("reporter", "submit"), ("head", "return")),
    "returned by the reviewer": (
        ("reporter", "submit"),
        ("head", "endorse"),
        ("reviewer", "return"),
    ),
    "resubmitted": (("reporter", "submit"), ("head", "return"), ("reporter", "submit")),
    "reopened": (
        ("reporter", "submit"),
        ("head", "endorse"),
        ("reviewer", "approve"),
        ("admin", "reopen"),
    ),
}
ENDS = {
    "draft": "draft",
    "submitted": "submitted",
    "endorsed": "endorsed",
    "approved": "approved",
    "returned by the head": "returned",
    "returned by the reviewer": "returned",
    "resubmitted": "submitted",
    "reopened": "returned",
}


@dataclass
class Region:
    """A regional office of one example with its two provincial offices, one reporter and one
    head for all three, and the reports written (by id, with the items they carry)."""

    code: str
    reporter: requests.Session
    head: requests.Session
    names: tuple[str, str]  # the reporter's and the head's usernames
    reports: dict[str, dict] = field(default_factory=dict)

    @property
    def units(self) -> tuple[str, str, str]:
        return (self.code, f"{self.code}-1", f"{self.code}-2")

    @property
    def kinds(self) -> dict[str, str]:
        return dict(zip(self.units, ("region", "province", "province"), strict=True))


def new_region(live: LiveSystem) -> Region:
    admin = live.session("admin")
    code = f"T{uuid.uuid4().hex[:7].upper()}"
    for unit, kind, parent in (
        (code, "region", "PRD"),
        (f"{code}-1", "province", code),
        (f"{code}-2", "province", code),
    ):
        body = {"code": unit, "name_th": f"หน่วยทดสอบ {unit}", "name_en": unit, "kind": kind}
        resp = admin.post("/api/catalogue/units", json={**body, "parent": parent})
        assert resp.status_code == 201, resp.text
    people, names = [], []
    for role in ("reporter", "unit_head"):
        username = f"{role[:3]}-{uuid.uuid4().hex[:8]}"
        create_user(
            admin,
            username,
            PASSWORD,
            person_name(role, code),
            role,
            (code, f"{code}-1", f"{code}-2"),
        )
        people.append(login(live, username, PASSWORD))
        names.append(username)
    reporter, head = people
    return Region(code, reporter, head, (names[0], names[1]))


def items_of(kpi: str, period: str, count: int) -> list[dict]:
    """`count` items of the KPI no other report shares: each counts once, whatever the rule."""
    first, _last = period_dates(YEAR, period)
    tags = [uuid.uuid4().hex[:8] for _ in range(count)]
    if kpi == "2.1":
        return [{"order_no": f"{t}/2547", "committee": f"คณะทำงาน {t}"} for t in tags]
    return [{"agency": f"หน่วยงานภายนอก {t}", "date": first.isoformat()} for t in tags]


def data_of(region: Region, unit: str, kpi: str, period: str, count: int) -> dict:
    """What a report of the slot carries: `count` items, or for 4.1 a document that is no
    form and the level `count` typed in."""
    if kpi != ON_RESULTS:
        return {"items": items_of(kpi, period, count)}
    fields = {"unit": unit, "year": str(YEAR), "kpi": kpi, "period": period}
    document = docx.Document()
    document.add_paragraph(f"ผลการลดรอบระยะเวลา {uuid.uuid4().hex}")
    content = io.BytesIO()
    document.save(content)
    sent = ("บันทึก.docx", content.getvalue())
    resp = region.reporter.post(f"{API}/evidence/files", data=fields, files={"file": sent})
    assert resp.status_code == 201, resp.text
    return {"evidence_ids": [resp.json()["id"]], "value": count}


def write(live: LiveSystem, region: Region, slot: tuple[int, str, str, int], path: str) -> None:
    """One report of the slot (unit, KPI, period, items or level) carried along `path`."""
    unit_index, kpi, period, count = slot
    unit = region.units[unit_index]
    data = data_of(region, unit, kpi, period, count)
    body = {"year": YEAR, "unit": unit, "kpi": kpi, "period": period, **data}
    resp = region.reporter.post(f"{API}/workflow/reports", json=body)
    assert resp.status_code == 201, resp.text
    report = resp.json()
    who = {"reporter": region.reporter, "head": region.head}
    for role, action in PATHS[path]:
        session = who.get(role) or live.session(role)
        resp = session.post(
            f"{API}/workflow/reports/{report['id']}/transitions",
            json={"action": action, "comment": WHY if action in ("return", "reopen") else ""},
        )
        assert resp.status_code == 200, f"{path}: {action}: {resp.text}"
    region.reports[report["id"]] = {"path": path, "items": count}


# --- the reference: counts taken straight from the reports ------------------------------


@dataclass(frozen=True)
class Reference:
    """What every page must say, from the reports as the workflow keeps them."""

    states: dict[tuple[str, str, str], str]  # (unit, KPI, period) -> state
    values: dict[tuple[str, str, str], float]
    due_of_kind: dict[str, Counter]  # unit kind -> KPI -> periods due

    def count(self, units, states, kpi: str | None = None) -> int:
        return sum(
            1
            for (unit, k, _), state in self.states.items()
            if unit in units and state in states and kpi in (None, k)
        )

    def figures(self, units, kinds: dict[str, str], kpi: str | None = None) -> dict[str, int]:
        due = sum(
            n
            for unit in units
            for k, n in self.due_of_kind[kinds[unit]].items()
            if kpi in (None, k)
        )
        return {
            "due": due,
            "approved": self.count(units, {"approved"}, kpi),
            "pending": self.count(units, PENDING, kpi),
        }

    def actual(self, units, kpi: str, states=frozenset({"approved"})) -> float | None:
        """A count KPI over the units: the sum of its approved reports' values (or of its
        reports in `states`)."""
        counted = [
            value
            for key, value in self.values.items()
            if key[0] in units and key[1] == kpi and self.states[key] in states
        ]
        return sum(counted) if counted else None

    def due_written(self, units, states) -> int:
        """The units' reports in `states` of periods that are due (not reported on results)."""
        return sum(
            1
            for (unit, kpi, _), state in self.states.items()
            if unit in units and kpi != ON_RESULTS and state in states
        )

    def to_write(self, units, kinds: dict[str, str]) -> int:
        """The due reports of the units that are not written or still a draft: what their
        reporter's home lists as due (returned reports have a list of their own)."""
        written = self.due_written(units, REPORTED | {"returned"})
        return self.figures(units, kinds)["due"] - written


def due_of_kinds(live: LiveSystem) -> dict[str, Counter]:
    """How many periods of each KPI a unit of each kind types or uploads in the year (on-results
    KPIs are never due), from the year's applicability table."""
    periods = {"monthly": 12, "quarterly": 4, "half-yearly": 2, "yearly": 1}
    table = live.session("reviewer").get(f"{API}/catalogue/years/{YEAR}/applicability").json()
    due: dict[str, Counter] = {}
    for row in table:
        if row["method"] in ("entry", "template"):
            due.setdefault(row["unit_type"], Counter())[row["kpi"]] += periods.get(row["cycle"], 0)
    return due


def reference(live: LiveSystem, region: Region, due: dict[str, Counter]) -> Reference:
    reviewer = live.session("reviewer")
    states, values = {}, {}
    for report_id, written in region.reports.items():
        report = reviewer.get(f"{API}/workflow/reports/{report_id}").json()
        assert report["state"] == ENDS[written["path"]], written
        key = (report["unit"], report["kpi"], report["period"])
        states[key], values[key] = report["state"], report["value"]
        assert report["value"] == written["items"]
    return Reference(states, values, due)


# --- reading the pages --------------------------------------------------------------------


def tree(web, url: str):
    resp = web.get(url)
    assert resp.status_code == 200, f"{url}: {resp.status_code}"
    return lxml_html.fromstring(resp.text)


def ints(cells) -> list[int]:
    return [int(c.text_content().strip()) for c in cells]


def dashboard(web, unit: str) -> dict:
    """The dashboard's figures: its reports card, each KPI's approved/due (+pending) and
    actual, the units below, and the last month of the history table."""
    page = tree(web, f"/dashboard?year={YEAR}&unit={unit}")
    card = page.xpath("//div[@id='scores']/div[@class='card'][last()]")[0]
    due, approved = ints(card.xpath("strong")) + [int(card.text_content().split()[-1])]
    kpis = {}
    for row in page.xpath("//table[@id='kpi-table']/tbody/tr"):
        reports = row.xpath("td[contains(@class,'reports')]")[0]
        pending = reports.xpath("a[@class='pending']")
        actual = row.xpath("td[contains(@class,'actual')]")[0]
        kpis[row.get("data-kpi")] = {
            "due": int(reports.xpath("a[@class='due']")[0].text_content()),
            "approved": int(reports.xpath("a[@class='approved']")[0].text_content()),
            "pending": int(pending[0].text_content()) if pending else 0,
            "actual": (actual.xpath("a") or [actual])[0].text.strip(),
            "links": {link.get("class"): link.get("href") for link in reports.xpath("a")},
        }
    below = {
        row.xpath("td/a")[0].get("href").rsplit("unit=", 1)[-1].split("&")[0]: dict(
            zip(("due", "approved", "pending"), ints(row.xpath("td")[2:5]), strict=True)
        )
        for row in page.xpath("//table[@id='units-below']/tbody/tr")
    }
    months = page.xpath("//table[@id='history-table']/tbody/tr")
    last = ints(months[-1].xpath("td")[3:5]) if months else None
    return {
        "reports": {"due": due, "approved": approved},
        "kpis": kpis,
        "below": below,
        "last month": last,
    }


def progress_page(web, unit: str, url: str = "") -> dict:
    """The progress page of a unit (or at `url`): its units below (due, approved, pending)
    and their sum with the unit's own, its own totals (expected, reported, approved) and its
    matrix's cells."""
    page = tree(web, url or f"/progress?year={YEAR}&unit={unit}")
    below = {
        row.get("data-unit"): dict(
            zip(("due", "approved", "pending"), ints(row.xpath("td")[1:4]), strict=True)
        )
        for row in page.xpath("//table[@id='units-below']/tbody/tr")
    }
    totals = [count(card) for card in page.xpath("//div[@id='totals']/div[@class='card']")]
    whole = page.xpath("//tr[@id='units-total']/td")
    if whole:
        below["total"] = dict(zip(("due", "approved", "pending"), ints(whole[1:4]), strict=True))
    cells = {
        (row.get("data-unit"), row.get("data-kpi"), cell.get("data-period")): cell.get("data-state")
        for row in page.xpath("//table[@id='matrix']/tbody/tr[@data-kpi]")
        for cell in row.xpath("td[@data-state]")
    }
    return {"below": below, "totals": totals, "cells": cells}


def count(card) -> str:
    """A figure card's number of reports: after its share when it shows one, else in bold."""
    strong = card.xpath("strong")[0]
    return (strong.tail or strong.text_content()).strip()


def queue_count(web, url: str = "", **filters) -> int:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    url = url or f"/review?year={YEAR}&{query}"
    return len(tree(web, url).xpath("//tr[@data-report]"))


def home(web) -> dict:
    page = web.get(f"/?year={YEAR}").text
    root = lxml_html.fromstring(page)
    cards = root.xpath("//div[@id='year-so-far']/*")
    figures = {card.get("data-figure"): count(card) for card in cards}
    return {"figures": figures, "queue": count_of(page, "to-approve")}


def csv_rows(web, url: str) -> list[list[str]]:
    resp = web.get(url)
    assert resp.status_code == 200, url
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))


# --- the property -------------------------------------------------------------------------

# Reports by slot (unit of the three, KPI, month): how far each goes, and how many items.
STREAMS = st.dictionaries(
    st.tuples(st.integers(0, 2), st.sampled_from(KPIS), st.sampled_from(MONTHLY))
    | st.tuples(st.integers(0, 2), st.just(ON_RESULTS), st.sampled_from(QUARTERS)),
    st.tuples(st.sampled_from(sorted(PATHS)), st.integers(1, 3)),
    max_size=6,
)


@pytest.fixture(scope="module")
def due_by_kind(live) -> dict[str, Counter]:
    return due_of_kinds(live)


@pytest.fixture(scope="module")
def reviewer_web(live):
    return portal_of(live, "reviewer")


def settled(live: LiveSystem, region: Region, ref: Reference, kinds) -> dict:
    """The scorecard's figures of the region once it has followed every report."""
    expected = ref.figures(region.units, kinds)

    def read():
        body = (
            live.session("reviewer")
            .get(f"{API}/scorecard/{YEAR}", params={"unit": region.code})
            .json()
        )
        assert body["reports"] == expected, (body["reports"], expected)
        return body

    return eventually(read, timeout=60)


def department_figures(live: LiveSystem) -> dict:
    reports = (
        live.session("reviewer")
        .get(f"{API}/scorecard/{YEAR}/progress", params={"unit": "PRD"})
        .json()["reports"]
    )
    return reports


class Disagreements(list):
    """Every figure that differs from what it should be, named by where it is shown."""

    def check(self, where: str, shown, expected) -> None:
        if shown != expected:
            self.append(f"{where}: shows {shown!r}, expected {expected!r}")


def test_every_page_and_api_counts_the_regions_reports_as_they_are(live, due_by_kind, reviewer_web):
    @settings(
        max_examples=3,
        deadline=None,
        database=None,
        derandomize=True,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(stream=STREAMS)
    @example(stream={(1, ON_RESULTS, "Q2"): ("approved", 3), (2, "2.1", "M01"): ("endorsed", 1)})
    def every_page_agrees(stream):
        region = new_region(live)
        kinds = region.kinds
        settled(live, region, Reference({}, {}, due_by_kind), kinds)
        before = {
            "department": department_figures(live),
            "home": home(reviewer_web),
            "pending": queue_count(reviewer_web, within="PRD", state="pending"),
        }
        for (unit, kpi, period), (path, count) in stream.items():
            write(live, region, (unit, kpi, period, count), path)
        ref = reference(live, region, due_by_kind)
        card = settled(live, region, ref, kinds)
        found = Disagreements()
        check_api(found, live, region, ref, kinds, card)
        check_pages(found, reviewer_web, region, ref, kinds)
        check_department(found, live, reviewer_web, ref, region, before)
        check_reporters_home(found, live, region, ref, kinds)
        assert not found, "\n".join(found)

    every_page_agrees()


def check_api(found: Disagreements, live, region: Region, ref: Reference, kinds, card) -> None:
    reviewer = live.session("reviewer")
    for kpi in card["kpis"]:
        code = kpi["kpi"]
        found.check(f"API scorecard {code}", kpi["reports"], ref.figures(region.units, kinds, code))
        if code in KPIS:
            found.check(f"API actual {code}", kpi["actual"], ref.actual(region.units, code))
    asked = {"unit": region.code, "include": "pending"}
    with_pending = reviewer.get(f"{API}/scorecard/{YEAR}", params=asked).json()
    for kpi in (k for k in with_pending["kpis"] if k["kpi"] in KPIS):
        expected = ref.actual(region.units, kpi["kpi"], REPORTED)
        found.check(f"API actual with pending {kpi['kpi']}", kpi["actual"], expected)
    below = reviewer.get(f"{API}/scorecard/{YEAR}/units", params={"unit": region.code}).json()
    progress = reviewer.get(f"{API}/scorecard/{YEAR}/progress", params={"unit": region.code}).json()
    found.check("API scorecard progress", progress["reports"], card["reports"])
    for where, rows in (("units", below["units"]), ("progress", progress["units"])):
        for row in rows:
            expected = ref.figures([row["unit"]], kinds)
            found.check(f"API scorecard {where} {row['unit']}", row["reports"], expected)
    history = reviewer.get(f"{API}/scorecard/{YEAR}/history", params={"unit": region.code}).json()
    expected = {k: card["reports"][k] for k in ("due", "approved")}
    found.check("API history's last month", history["months"][-1]["reports"], expected)
    for state in ("approved", "submitted", "endorsed", "returned", "draft"):
        listed = reviewer.get(
            f"{API}/workflow/reports",
            params={"year": YEAR, "within": region.code, "state": state, "limit": 1000},
        ).json()
        found.check(f"API reports {state}", len(listed), ref.count(region.units, {state}))
    for unit in region.units:
        asked = {"year": YEAR, "unit": unit}
        matrix = reviewer.get(f"{API}/workflow/progress", params=asked).json()
        own = ref.figures([unit], kinds)
        total = matrix["total"]
        found.check(
            f"API workflow progress {unit}",
            (total["expected"], total["reported"], total["approved"]),
            (own["due"], ref.count([unit], REPORTED), own["approved"]),
        )
        for row in matrix["rows"]:
            key = (row["unit"], row["kpi"], row["period"])
            found.check(f"API workflow cell {key}", row["state"], ref.states.get(key, "missing"))


def check_pages(found: Disagreements, web, region: Region, ref: Reference, kinds) -> None:
    shown = dashboard(web, region.code)
    total = ref.figures(region.units, kinds)
    found.check("dashboard reports", shown["reports"], {k: total[k] for k in ("due", "approved")})
    found.check("dashboard history", shown["last month"], [total["due"], total["approved"]])
    for kpi, figures in shown["kpis"].items():
        found.check(
            f"dashboard {kpi}",
            {k: figures[k] for k in ("due", "approved", "pending")},
            ref.figures(region.units, kinds, kpi),
        )
    for kpi in KPIS:
        actual = ref.actual(region.units, kpi)
        written = "—" if actual is None else f"{actual:,.0f}"
        found.check(f"dashboard actual {kpi}", shown["kpis"][kpi]["actual"], written)
    check_drilling_down(found, web, shown["kpis"])
    below = {unit: ref.figures([unit], kinds) for unit in region.units[1:]}
    found.check("dashboard units below", shown["below"], below)
    below["total"] = total
    found.check("progress units below", progress_page(web, region.code)["below"], below)
    for unit in region.units:
        own = progress_page(web, unit)
        expected = ref.figures([unit], kinds)
        found.check(
            f"progress totals {unit}",
            own["totals"][:3],
            [str(expected["due"]), str(ref.count([unit], REPORTED)), str(expected["approved"])],
        )
        for key, state in own["cells"].items():
            found.check(f"progress cell {key}", state, ref.states.get(key, "missing"))
        rows = csv_rows(web, f"/exports/progress.csv?year={YEAR}&unit={unit}")
        found.check(
            f"progress.csv {unit}",
            {(r[0], r[2], r[4]): r[5] for r in rows[2:]},
            {(u, k, period_label_th(p)): STATE_TH[s] for (u, k, p), s in own["cells"].items()},
        )
    for group, states in (("approved", {"approved"}), ("pending", PENDING)):
        for scope in ("within", "region"):
            found.check(
                f"review queue {group} {scope}",
                queue_count(web, **{scope: region.code, "state": group}),
                ref.count(region.units, states),
            )
    rows = csv_rows(web, f"/exports/scorecard.csv?year={YEAR}&unit={region.code}")
    for r in rows[5:]:
        found.check(
            f"scorecard.csv {r[0]}",
            dict(zip(("due", "approved", "pending"), map(int, r[-3:]), strict=True)),
            ref.figures(region.units, kinds, r[0]),
        )


def check_drilling_down(found: Disagreements, web, kpis: dict) -> None:
    """Each figure of the dashboard's 2.1 and 2.2 leads to a page of as many reports: the
    approved and pending to the review queue, the due to the progress page's sum."""
    for kpi in KPIS:
        figures = kpis[kpi]
        links = figures["links"]
        for group in ("approved", "pending"):
            if group in links:
                shown = queue_count(web, links[group])
                found.check(f"dashboard {kpi} {group} → queue", shown, figures[group])
        whole = progress_page(web, "", links["due"])["below"].get("total", {})
        found.check(f"dashboard {kpi} due → progress", whole.get("due"), figures["due"])


def check_reporters_home(found: Disagreements, live, region: Region, ref: Reference, kinds):
    shown = portal_of(live, region.names[0], PASSWORD).get(f"/?year={YEAR}").text
    returned = ref.count(region.units, {"returned"})
    found.check(
        "reporter's home returned", count_of(shown, "returned") if returned else 0, returned
    )
    found.check("reporter's home due", count_of(shown, "due"), ref.to_write(region.units, kinds))


def check_department(found: Disagreements, live, web, ref: Reference, region, before) -> None:
    after = department_figures(live)
    was = before["department"]
    found.check(
        "API department",
        {k: after[k] - was[k] for k in ("due", "approved", "pending")},
        {
            "due": 0,
            "approved": ref.count(region.units, {"approved"}),
            "pending": ref.count(region.units, PENDING),
        },
    )
    shown = home(web)
    found.check(
        "home's queue",
        shown["queue"] - before["home"]["queue"],
        ref.count(region.units, {"endorsed"}),
    )
    found.check(
        "home's figures",
        {k: shown["figures"][k] for k in ("due", "approved", "pending")},
        {k: str(after[k]) for k in ("due", "approved", "pending")},
    )
    found.check(
        "home's overdue",
        int(shown["figures"]["overdue"]) - int(before["home"]["figures"]["overdue"]),
        -ref.due_written(region.units, REPORTED),
    )
    found.check("review queue", queue_count(web), shown["queue"])
    found.check(
        "review queue pending",
        queue_count(web, within="PRD", state="pending") - before["pending"],
        after["pending"] - was["pending"],
    )


def test_a_kpis_due_figure_leads_to_a_progress_page_summing_as_many(live, reviewer_web):
    """2.1 is monthly for a region and its provinces: 12 x 3 = 36 due in the region, 12 in
    each province; one approved report of the first province."""
    region = new_region(live)
    write(live, region, (1, "2.1", "M03", 2), "approved")
    reviewer = live.session("reviewer")

    def rolled_up():
        asked = {"unit": region.code, "kpi": "2.1"}
        body = reviewer.get(f"{API}/scorecard/{YEAR}/progress", params=asked).json()
        assert body["reports"] == {"due": 36, "approved": 1, "pending": 0}
        return body

    body = eventually(rolled_up)
    assert [(u["unit"], u["reports"]) for u in body["units"]] == [
        (f"{region.code}-1", {"due": 12, "approved": 1, "pending": 0}),
        (f"{region.code}-2", {"due": 12, "approved": 0, "pending": 0}),
    ]
    shown = dashboard(reviewer_web, region.code)["kpis"]["2.1"]
    assert (shown["due"], shown["approved"]) == (36, 1)
    page = progress_page(reviewer_web, "", shown["links"]["due"])
    assert page["below"]["total"] == {"due": 36, "approved": 1, "pending": 0}
    assert page["totals"][0] == "12"  # the region's own 2.1


# --- the pages as a browser shows them ------------------------------------------------------

# A region's reports, worked out by hand: approved 3 (2.1 of P1 with 2 items, 2.2 of P2 with
# 3, 4.1 of P1 at level 3, reported on results and so never due), awaiting approval 3 (2.1
# endorsed and submitted, 2.2 resubmitted), returned 2 (by the reviewer; approved then
# reopened), one draft. Due: the region types and uploads 37 reports, each province 33
# (test_progress): 103; 2.1 and 2.2 are monthly: 36 each.
HAND_MADE = {
    (1, "2.1", "M01"): ("approved", 2),
    (1, "2.1", "M02"): ("endorsed", 1),
    (2, "2.2", "M01"): ("approved", 3),
    (2, "2.1", "M03"): ("submitted", 1),
    (0, "2.1", "M01"): ("returned by the reviewer", 1),
    (0, "2.2", "M02"): ("draft", 1),
    (1, "2.2", "M04"): ("reopened", 1),
    (2, "2.2", "M05"): ("resubmitted", 1),
    (1, ON_RESULTS, "Q2"): ("approved", 3),
}
REGION = {"due": 103, "approved": 3, "pending": 3}
# Due, approved and awaiting approval of P1 and P2.
PROVINCES = [[33, 2, 1], [33, 1, 2]]
NUMBERS_OF_ROWS = "rows => rows.map(r => [...r.querySelectorAll('td.num')].map(c => c.innerText))"


def numbers_of_rows(page, rows: str, first: int) -> list[list[int]]:
    """The numbers of a table's rows from their `first` number on, three a row."""
    texts = page.locator(rows).evaluate_all(NUMBERS_OF_ROWS)
    return [[int(n) for n in row[first : first + 3]] for row in texts]


def test_a_browser_reads_the_same_numbers_of_a_region_on_every_page(live, page, reviewer_web):
    region = new_region(live)
    settled(live, region, Reference({}, {}, due_of_kinds(live)), region.kinds)
    overdue = int(home(reviewer_web)["figures"]["overdue"])
    for (unit, kpi, period), (path, count) in HAND_MADE.items():
        write(live, region, (unit, kpi, period, count), path)
    reviewer = live.session("reviewer")

    def rolled_up() -> dict:
        asked = {"unit": region.code}
        body = reviewer.get(f"{API}/scorecard/{YEAR}/progress", params=asked).json()
        assert body["reports"] == REGION
        return body

    progress = eventually(rolled_up)
    assert [
        [u["reports"][k] for k in ("due", "approved", "pending")] for u in progress["units"]
    ] == PROVINCES
    enter_as(page, "reviewer")
    page.goto(f"/?year={YEAR}")
    # 2 approved and 3 awaiting approval of the periods due: 5 fewer overdue (4.1 never was).
    shown = page.locator("#year-so-far [data-figure=overdue]").inner_text().split()[-1]
    assert int(shown) == overdue - 5
    read_the_dashboard(page, region)
    read_the_queue_and_progress(page, region)
    reporter, head = region.names
    enter_as(page, head, PASSWORD)
    page.goto(f"/?year={YEAR}")
    assert page.get_attribute("#to-endorse", "data-count") == "2"  # submitted, not endorsed
    enter_as(page, reporter, PASSWORD)
    page.goto(f"/?year={YEAR}")
    assert page.get_attribute("#returned", "data-count") == "2"


def read_the_dashboard(page, region: Region) -> None:
    page.goto(f"/dashboard?year={YEAR}&unit={region.code}")
    assert page.locator("#scores .card").last.inner_text().split()[-3:] == ["103", "อนุมัติแล้ว", "3"]
    for kpi, pending, actual in (("2.1", 2, "2"), ("2.2", 1, "3")):
        row = page.locator(f"#kpi-table tr[data-kpi='{kpi}']")
        assert row.locator("td.reports").inner_text() == f"1/36 (+{pending})"
        assert row.locator("td.actual a").inner_text() == actual
    assert page.locator("#kpi-table tr[data-kpi='4.1'] td.reports").inner_text() == "1/0"
    assert numbers_of_rows(page, "#units-below tbody tr", 1) == PROVINCES
    last_month = page.locator("#history-table tbody tr").last.locator("td.num")
    assert last_month.all_inner_texts()[2:] == ["103", "3"]
    with page.expect_download() as download:
        page.click("a:text-is('CSV')")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert {r[0]: r[-3:] for r in rows[5:] if r[0] in ("2.1", "2.2", "4.1")} == {
        "2.1": ["36", "1", "2"],
        "2.2": ["36", "1", "1"],
        "4.1": ["0", "1", "0"],
    }


def read_the_queue_and_progress(page, region: Region) -> None:
    """The dashboard's figures lead to lists of as many reports; the progress pages agree."""
    page.goto(f"/dashboard?year={YEAR}&unit={region.code}")
    go(page, "#kpi-table tr[data-kpi='2.1'] a.approved")
    assert page.locator("#queue tr[data-report]").count() == 1
    page.goto(f"/review?year={YEAR}&within={region.code}&state=approved")
    assert page.locator("#queue tr[data-report]").count() == 3
    page.goto(f"/review?year={YEAR}&within={region.code}&state=pending")
    assert page.locator("#queue tr[data-report]").count() == 3
    page.goto(f"/dashboard?year={YEAR}&unit={region.code}")
    go(page, "#kpi-table tr[data-kpi='2.1'] a.due")
    assert numbers_of_rows(page, "#units-total", 0) == [[36, 1, 2]]
    page.goto(f"/progress?year={YEAR}&unit={region.code}")
    assert numbers_of_rows(page, "#units-below tbody tr", 0) == PROVINCES
    assert numbers_of_rows(page, "#units-total", 0) == [list(REGION.values())]
    page.goto(f"/progress?year={YEAR}&unit={region.units[1]}")
    # P1's own: 33 expected, 3 reported (2.1 M01, 2.1 M02, 4.1 Q2), 2 approved.
    totals = page.locator("#totals .card").evaluate_all(
        "cards => cards.map(c => c.lastChild.textContent.trim())"
    )
    assert totals[:3] == ["33", "3", "2"]
