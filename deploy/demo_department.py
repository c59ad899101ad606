"""A demo department in the middle of its fiscal year, written when `make run` starts.

`RBM_DEMO_SIZE=small` writes the few reports of `deploy.demo_activity` (R1 and R2, every state);
`department` (the default) adds the department around them: two sample provincial offices under
each of the eight regional offices, a reporter and a unit head for every office, targets, and
for every month of the current fiscal year begun so far the reports each office owes, in every
state, some of them missing; the level KPIs' filled forms with a PDF; the feed KPIs imported
month by month from the example files by a demo importer; some KPIs' scoring confirmed;
delegations, evidence packs and notifications in every inbox. Regions differ: R3 and R8 are
strong, R5 is weak, R7 reports late.

Everything goes through the public APIs as the people who would do it (an admin for units,
users and targets, reporters, heads, the reviewer, the importer, the auditor), so each service
writes its own data under its own rules. Outcomes come from a random generator seeded by the
slot (unit, KPI, period), so the same department comes back every time; what exists already is
read first and kept, and only what is missing is written:

    python -m deploy.demo_department http://127.0.0.1:8000 [small|department]
"""

from __future__ import annotations

import csv
import io
import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import structlog

from common.fiscal import fiscal_year_of
from deploy import demo_activity
from deploy.demo_activity import PASSWORD, Demo, fill_form, sample_pdf

log = structlog.get_logger("rbm.demo")
SIZES = ("small", "department")
SEED = "rbm-demo-department"
REGIONS = tuple(f"R{n}" for n in range(1, 9))
PROVINCES_PER_REGION = 2
KEPT_DEMO_REGIONS = ("R1", "R2")  # their demo users hold their region only
EXAMPLES = Path(__file__).resolve().parents[1] / "services" / "workflow" / "examples"
IMPORTER = "importer"
BANNER = (
    "  demo department, written in the background: reporter3..8 and head3..8 (R3..R8 and\n"
    "    their provincial offices), head2 (R2), reporter1-1 and head1-1 (R1-01), ..., importer"
)
PAGE = 1000  # the most reports the API lists at once
# What each office types by hand in the demo; other KPIs it owes stay missing.
TYPED = ("2.1", "2.2", "10.1", "15.1", "4.1", "9.3", "7.1")
LEVEL_KPIS = ("4.1", "7.1", "9.3")
CONFIRMED = ("1.1", "2.1", "2.2", "4.1", "10.1")  # the rest stays provisional

DELEGATIONS = "/workflow/delegations"
STAND_INS = (
    (
        "head5",
        {"delegate": "head6", "unit": "R5", "role": "unit_head", "reason": "ลาพักผ่อน (ตัวอย่าง)"},
    ),
    ("reviewer", {"delegate": "auditor", "role": "reviewer", "reason": "ไปราชการ (ตัวอย่าง)"}),
)
# Outcomes a slot may end in, and how often, by how a region works.
OUTCOMES = ("approved", "endorsed", "submitted", "returned", "resubmitted", "draft", "missing")
PROFILES = {
    "strong": (85, 4, 4, 0, 5, 0, 2),
    "steady": (60, 8, 8, 8, 6, 4, 6),
    "weak": (28, 5, 10, 15, 4, 10, 28),
    "late": (45, 12, 12, 6, 5, 5, 15),
}
REGION_PROFILE = {"R3": "strong", "R8": "strong", "R5": "weak", "R7": "late"}
# So that every month shows each of these, whatever the draw.
FORCED = {("R3", "2.1"): "approved", ("R4", "2.2"): "returned", ("R5", "2.1"): "missing"}
REASONS = (
    "แนบสำเนาคำสั่งแต่งตั้งให้ครบทุกฉบับ",
    "วันที่ประชุมไม่ตรงกับเดือนที่รายงาน โปรดตรวจสอบ",
    "ชื่อหน่วยงานภายนอกไม่ครบถ้วน โปรดแก้ไข",
)
COMMITTEES = ("คณะทำงานข่าวจังหวัด", "คณะกรรมการสื่อสารภาวะวิกฤต", "คณะทำงานประชาสัมพันธ์ท่องเที่ยว")
AGENCIES = ("สำนักงานจังหวัด", "มหาวิทยาลัย", "โรงพยาบาล", "สำนักงานเกษตรจังหวัด", "เทศบาลนคร")
COURSES = ("เขียนข่าวออนไลน์", "การถ่ายภาพข่าว", "การผลิตสื่อวิดีโอสั้น")
ACTIVITIES = ("เวทีรับฟังความคิดเห็นประชาชน", "ลงพื้นที่สื่อสารนโยบาย", "อบรมอาสาสมัครประชาสัมพันธ์")


def profile_of(unit: str) -> str:
    return REGION_PROFILE.get(unit.split("-")[0], "steady")


def people_of(unit: str) -> tuple[str, str]:
    """(reporter, unit head) of an office. reporter3 and head3 work for R3 and its provinces;
    R1 and R2 keep the demo users of their own and give their provinces people of their own
    (reporter1-1 and head1-1 for R1-01)."""
    region, _, province = unit.partition("-")
    number = region[1:]
    if province and region in KEPT_DEMO_REGIONS:
        number += f"-{int(province)}"
    return f"reporter{number}", f"head{number}"


def offices() -> list[str]:
    return [
        code
        for region in REGIONS
        for code in (region, *(f"{region}-{n:02d}" for n in range(1, PROVINCES_PER_REGION + 1)))
    ]


def outcome(unit: str, kpi: str, period: str, latest: bool) -> str:
    """The state a slot ends in: drawn from its region's profile, seeded by the slot."""
    if forced := FORCED.get((unit, kpi)):
        return forced
    draw = random.Random(f"{SEED}|{unit}|{kpi}|{period}")
    profile = profile_of(unit)
    if profile == "late" and latest:
        return draw.choice(("missing", "missing", "draft", "submitted"))
    return draw.choices(OUTCOMES, weights=PROFILES[profile])[0]


@dataclass(frozen=True)
class Slot:
    unit: str
    kpi: str
    period: str
    starts_on: date
    latest: bool

    @property
    def draw(self) -> random.Random:
        return random.Random(f"{SEED}|items|{self.unit}|{self.kpi}|{self.period}")

    def day(self, today: date, offset: int) -> str:
        return min(self.starts_on + timedelta(days=offset), today).isoformat()


def items_for(slot: Slot, today: date) -> list[dict]:
    """Made-up items; a strong region lists more, a weak one fewer."""
    draw, profile = slot.draw, profile_of(slot.unit)
    many = {"strong": 4, "weak": 1}.get(profile, 2) + draw.randint(0, 2)
    tag = f"{slot.unit} {slot.period}"
    if slot.kpi == "2.1":
        return [
            {"order_no": f"ที่ {n}/{tag} (ตัวอย่าง)", "committee": draw.choice(COMMITTEES)}
            for n in range(1, many + 1)
        ]
    if slot.kpi == "2.2":
        return [
            {"agency": f"{AGENCIES[n % len(AGENCIES)]}ตัวอย่าง", "date": slot.day(today, 3 + 5 * n)}
            for n in range(many)
        ]
    if slot.kpi == "10.1":
        return [
            {
                "person": f"บุคลากรตัวอย่าง {n} {slot.unit}",
                "course": draw.choice(COURSES),
                "date": slot.day(today, 10 + 7 * n),
            }
            for n in range(1, 3 * many + 1)
        ]
    return [
        {"activity": f"{activity} {slot.unit}", "date": slot.day(today, 20 + 9 * n)}
        for n, activity in enumerate(ACTIVITIES[: min(many, 3)])
    ]


def level_of(slot: Slot) -> int:
    """How many steps of a level KPI's form an office ticks."""
    base = {"strong": 4, "weak": 1}.get(profile_of(slot.unit), 2)
    return min(5, base + slot.draw.randint(0, 1))


def targets_of(unit: str) -> list[dict]:
    """Sample targets of an office: provinces a third of a region's."""
    share = 1 if "-" in unit else 3
    rows = [
        ("2.1", 4 * share, None),
        ("2.2", 8 * share, None),
        ("10.1", 80, 12 * share),
        ("4.1", 3, None),
        ("7.1", 3, None),
        ("9.3", 3, None),
    ]
    if "-" not in unit:
        rows += [("15.1", 4, None), ("1.1", 80, None), ("3.1", 5, None), ("5.1", 90, None)]
    return [{"unit": unit, "kpi": k, "target": t, "denominator": d} for k, t, d in rows]


class Department(Demo):
    """The writer of the demo department, over the public APIs."""

    def __init__(self, base: str, year: int, today: date):
        super().__init__(base, year)
        self.today = today

    # --- units, people, targets, scoring ---------------------------------------------------

    def ensure_units(self) -> int:
        known = {u["code"] for u in self.call("admin", "GET", "/catalogue/units")}
        added = 0
        for code in offices():
            if code in known:  # the regions are the catalogue's own, R1-01 its demo's
                continue
            region, n = code.split("-")
            self.call("admin", "POST", "/catalogue/units", json={
                "code": code,
                "name_th": f"ส.ปชส.ตัวอย่าง {region[1:]}-{int(n)} (ข้อมูลตัวอย่าง)",
                "name_en": f"Sample provincial office {region[1:]}-{int(n)} (sample data)",
                "kind": "province",
                "parent": region,
            })  # fmt: skip
            added += 1
        return added

    def ensure_users(self) -> int:
        known = {u["username"] for u in self.call("admin", "GET", "/identity/users")}
        wanted: dict[str, list[dict]] = defaultdict(list)
        for unit in offices():
            for name, role in zip(people_of(unit), ("reporter", "unit_head"), strict=True):
                wanted[name].append({"unit": unit, "role": role})
        wanted[IMPORTER] = [{"unit": "PRD", "role": "importer"}]
        titles = {"reporter": "ผู้รายงาน", "unit_head": "หัวหน้าหน่วย", "importer": "นำเข้าข้อมูล"}
        added = [name for name in wanted if name not in known]
        for name in added:
            first = wanted[name][0]
            self.call("admin", "POST", "/identity/users", json={
                "username": name,
                "display_name": f"{titles[first['role']]} {first['unit']} (ตัวอย่าง)",
                "password": PASSWORD,
                "email": f"{name}@demo.rbm.invalid",
                "memberships": wanted[name],
            })  # fmt: skip
        return len(added)

    def ensure_targets(self) -> int:
        path = f"/catalogue/years/{self.year}/targets"
        held = {(t["unit"], t["kpi"]) for t in self.call("admin", "GET", path)}
        rows = [
            row for unit in offices() for row in targets_of(unit) if (unit, row["kpi"]) not in held
        ]
        if ("PRD", "8.1") not in held:
            rows.append({"unit": "PRD", "kpi": "8.1", "target": 85, "denominator": None})
        if rows:
            self.call("admin", "PUT", path, json=rows)
        return len(rows)

    def confirm_scoring(self) -> int:
        confirmed = 0
        for kpi in CONFIRMED:
            path = f"/catalogue/years/{self.year}/kpis/{kpi}/scoring"
            scoring = self.call("reviewer", "GET", path)
            if not scoring["confirmed"]:
                self.call("reviewer", "PUT", path, json={**scoring, "confirmed": True})
                confirmed += 1
        return confirmed

    # --- reports ---------------------------------------------------------------------------

    def slots(self, unit: str) -> list[Slot]:
        """What the office types (the catalogue's schedule) in the periods begun so far."""
        path = f"/catalogue/years/{self.year}/schedule"
        rows = [
            (r, date.fromisoformat(r["starts_on"]))
            for r in self.call("admin", "GET", path, params={"unit": unit})
            if r["kpi"] in TYPED and self.wanted(r["unit"], r["kpi"])
        ]
        begun = [(r, starts) for r, starts in rows if starts <= self.today]
        latest = max((s for r, s in begun if r["period"].startswith("M")), default=None)
        return [Slot(r["unit"], r["kpi"], r["period"], s, s == latest) for r, s in begun]

    @staticmethod
    def wanted(unit: str, kpi: str) -> bool:
        """Level KPIs in every region and some provinces; 9.3 and 7.1 by fewer offices."""
        draw = random.Random(f"{SEED}|does|{unit}|{kpi}")
        chance = {"4.1": 1.0 if "-" not in unit else 0.5, "9.3": 0.6, "7.1": 0.3}
        return draw.random() < chance.get(kpi, 1.0)

    def existing(self) -> set[tuple[str, str, str]]:
        """(unit, KPI, period) of the year's reports, read a page at a time."""
        found: set[tuple[str, str, str]] = set()
        while True:
            params = {"year": self.year, "limit": PAGE, "offset": len(found)}
            rows = self.call("admin", "GET", "/workflow/reports", params=params)
            found.update((r["unit"], r["kpi"], r["period"]) for r in rows)
            if len(rows) < PAGE:
                return found

    def write_reports(self) -> int:
        done = self.existing()
        planned: dict[str, list[tuple[str, Slot, dict]]] = defaultdict(list)
        for unit in offices():
            for slot in self.slots(unit):
                state = outcome(slot.unit, slot.kpi, slot.period, slot.latest)
                if state == "missing" or (slot.unit, slot.kpi, slot.period) in done:
                    continue
                planned[state].append((unit, slot, self.create(slot)))
            log.info("demo_office_written", unit=unit)
        self.advance(planned)
        return sum(len(v) for v in planned.values())

    def create(self, slot: Slot) -> dict:
        reporter = people_of(slot.unit)[0]
        body: dict = {"year": self.year, "kpi": slot.kpi, "unit": slot.unit, "period": slot.period}
        if slot.kpi in LEVEL_KPIS:
            body["evidence_ids"] = self.level_evidence(reporter, slot)
        else:
            body["items"] = items_for(slot, self.today)
        return self.call(reporter, "POST", "/workflow/reports", json=body)

    def level_evidence(self, reporter: str, slot: Slot) -> list[str]:
        fields = {"unit": slot.unit, "year": str(self.year), "kpi": slot.kpi, "period": slot.period}
        resp = self.as_user(reporter).get(
            f"{self.base}/api/evidence/templates/{self.year}/{slot.kpi}",
            params={"unit": slot.unit, "period": slot.period},
            timeout=30,
        )
        resp.raise_for_status()
        files = [(f"แบบฟอร์ม {slot.kpi}.docx", fill_form(resp.content, level_of(slot)))]
        if slot.kpi == "4.1":
            title = f"KPI {slot.kpi} {slot.unit} {slot.period}: evidence (sample)"
            files.append((f"หนังสือรับรองผล {slot.kpi}.pdf", sample_pdf(title)))
        return [
            self.call(reporter, "POST", "/evidence/files", data=fields, files={"file": f})["id"]
            for f in files
        ]

    def bulk(self, username: str, action: str, ids: list[str], comment: str = "") -> None:
        for start in range(0, len(ids), 500):
            answer = self.call(
                username,
                "POST",
                "/workflow/reports/transitions",
                json={"action": action, "comment": comment, "ids": ids[start : start + 500]},
            )
            for failed in (r for r in answer["results"] if not r["ok"]):
                log.warning("demo_transition_refused", action=action, result=failed)

    def advance(self, planned: dict[str, list[tuple[str, Slot, dict]]]) -> None:
        """Take each report to its outcome, a step at a time, each step by a different person."""

        def ids(states: tuple[str, ...], pick) -> dict[str, list[str]]:
            chosen: dict[str, list[str]] = defaultdict(list)
            for state in states:
                for unit, _, report in planned[state]:
                    chosen[pick(unit)].append(report["id"])
            return chosen

        def reporter(unit: str) -> str:
            return people_of(unit)[0]

        def head(unit: str) -> str:
            return people_of(unit)[1]

        sent = ("approved", "endorsed", "submitted", "returned", "resubmitted")
        for name, batch in ids(sent, reporter).items():
            self.bulk(name, "submit", batch)
        for unit, slot, report in planned["returned"] + planned["resubmitted"]:
            reason = REASONS[len(slot.unit + slot.period) % len(REASONS)]
            self.bulk(head(unit), "return", [report["id"]], reason)
        for unit, slot, report in planned["resubmitted"]:
            body: dict = {"note": "แก้ไขตามที่ส่งกลับแล้ว"}
            if slot.kpi not in LEVEL_KPIS:
                body["items"] = items_for(slot, self.today)[:-1] or items_for(slot, self.today)
            self.call(reporter(unit), "PATCH", f"/workflow/reports/{report['id']}", json=body)
        for name, batch in ids(("resubmitted",), reporter).items():
            self.bulk(name, "submit", batch)
        for name, batch in ids(("approved", "endorsed", "resubmitted"), head).items():
            self.bulk(name, "endorse", batch)
        for batch in ids(("approved", "resubmitted"), lambda _unit: "reviewer").values():
            self.bulk("reviewer", "approve", batch)

    # --- imports, delegations, packs -------------------------------------------------------

    def import_feeds(self, months: list[str]) -> int:
        """Each month's figures of the feed KPIs, one file per KPI and month, by the importer."""
        done = {(k, p) for u, k, p in self.existing() if k in ("1.1", "3.1", "5.1", "8.1")}
        files = {"1.1": "progress-2547.csv", "3.1": "expenditure-2547.csv"}
        files["5.1"] = files["3.1"]
        imported = 0
        for month in months:
            for kpi, name in files.items():
                if (kpi, month) in done:
                    continue
                self.post_import(kpi, f"{kpi}-{month}.csv", month_of(EXAMPLES / name, month))
                imported += 1
        if ("8.1", "Y") not in done:
            survey = (EXAMPLES / "opdc-survey-2547.xlsx").read_bytes()
            self.post_import("8.1", "opdc-survey.xlsx", survey)
            imported += 1
        return imported

    def post_import(self, kpi: str, name: str, content: bytes) -> None:
        fields = {"year": str(self.year), "kpi": kpi, "dry_run": "false"}
        self.call(
            IMPORTER, "POST", "/workflow/imports", data=fields, files={"file": (name, content)}
        )

    def delegate(self) -> int:
        """Stand-ins for this week, named before the reports move so that they are told too:
        R5's head on leave, and the reviewer away (the auditor reads what waits meanwhile)."""
        given = {(d["delegator"], d["delegate"]) for d in self.call("admin", "GET", DELEGATIONS)}
        week = {
            "starts_on": self.today.isoformat(),
            "ends_on": (self.today + timedelta(days=7)).isoformat(),
        }
        added = 0
        for delegator, body in STAND_INS:
            if (delegator, body["delegate"]) not in given:
                self.call(delegator, "POST", DELEGATIONS, json={**body, **week})
                added += 1
        return added

    def request_packs(self) -> int:
        asked = 0
        for username, scope in (("auditor", {"unit": "R3"}), ("reporter1", {"unit": "R1"})):
            if not self.call(username, "GET", "/evidence/packs"):
                self.call(username, "POST", "/evidence/packs", json={"year": self.year, **scope})
                asked += 1
        return asked


def month_of(example: Path, month: str) -> bytes:
    """The rows of an example file for one month, as the feed's system would export them."""
    with example.open(encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [rows[0], *(row for row in rows[1:] if row[1] == month)]
    )
    return out.getvalue().encode()


def resident_mb() -> float:
    """Memory this process holds now (under `make run`, the runner's: its services answer)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def seed(base: str, size: str = "department", today: date | None = None) -> dict[str, int]:
    """Write what the demo of that size lacks; what was written, step by step."""
    today = today or date.today()
    written = {"reports": demo_activity.seed(base, today)}
    if size == "small":
        return written
    started, resident = time.monotonic(), resident_mb()
    dept = Department(base, fiscal_year_of(today), today)
    written["units"] = dept.ensure_units()
    written["users"] = dept.ensure_users()
    log.info("demo_people_ready", **written)
    written["targets"] = dept.ensure_targets()
    written["scoring_confirmed"] = dept.confirm_scoring()
    months = sorted({s.period for s in dept.slots("R1") if s.kpi == "2.1"})
    written["imports"] = dept.import_feeds(months)
    log.info("demo_imports_written", imports=written["imports"])
    written["delegations"] = dept.delegate()
    written["reports"] += dept.write_reports()
    written["packs"] = dept.request_packs()
    log.warning(
        "demo_department_ready",
        seconds=round(time.monotonic() - started, 1),
        memory_mb=round(resident_mb() - resident, 1),
        **written,
    )
    return written


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    print(seed(url, sys.argv[2] if len(sys.argv) > 2 else "department"))
