"""A demo department in the middle of its fiscal year, written when `make run` starts.

`RBM_DEMO_SIZE=small` writes the few reports of `deploy.demo_activity` (R1 and R2, every state);
`department` (the default) adds the department around them: two sample provincial offices under
each of the eight regional offices, a reporter and a unit head for every office, targets, and
for every month of the current fiscal year begun so far the reports each office owes, in every
state, some of them missing; the level KPIs' filled forms with a PDF; the feed KPIs imported
month by month from the example files by a demo importer; some KPIs' scoring confirmed;
a delegation, evidence packs and notifications in every inbox. Regions differ: R3 and R8 are
strong, R5 is weak, R7 reports late.

Everything goes through the public APIs as the people who would do it (an admin for units,
users and targets, reporters, heads, the reviewer, the importer, the auditor), so each service
writes its own data under its own rules. What the department holds comes from `offices` and
`plan`, seeded and sized, so the same department comes back every time (and a larger one, the
same shape, for a benchmark); what exists already is read first and kept, and only what is
missing is written. Each reporter and head of an office work in a thread of their own:

    python -m deploy.demo_department http://127.0.0.1:8000 [small|department]
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import io
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain
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
BULK = 500  # the most reports one bulk transition takes
WORKERS = 4  # offices' people writing at once (SQLite queues their writes)
# Each person imported costs identity an argon2 hash: a few files, each answered in time.
PEOPLE_PER_FILE, IMPORT_TIMEOUT = 6, 120
# What each office types by hand in the demo; other KPIs it owes stay missing.
TYPED = ("2.1", "2.2", "10.1", "15.1", "4.1", "9.3", "7.1")
LEVEL_KPIS = ("4.1", "7.1", "9.3")
CONFIRMED = ("1.1", "2.1", "2.2", "4.1", "10.1")  # the rest stays provisional
FEEDS = {"1.1": "progress-2547.csv", "3.1": "expenditure-2547.csv", "5.1": "expenditure-2547.csv"}

DELEGATIONS = "/workflow/delegations"
# R5's head on leave this week: R6's head stands in.
STAND_IN = {"delegate": "head6", "unit": "R5", "role": "unit_head", "reason": "ลาพักผ่อน (ตัวอย่าง)"}
# Outcomes a slot may end in, and how often, by how a region works.
OUTCOMES = ("approved", "endorsed", "submitted", "returned", "resubmitted", "draft", "missing")
SENT = OUTCOMES[:5]  # the outcomes of reports submitted at least once
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


# --- the plan: the department's offices and the reports they owe, from a seed and a size -------


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


def offices(provinces: int = PROVINCES_PER_REGION) -> list[str]:
    """The eight regional offices, each followed by its `provinces` provincial offices."""
    return [
        code
        for region in REGIONS
        for code in (region, *(f"{region}-{n:02d}" for n in range(1, provinces + 1)))
    ]


def outcome(unit: str, kpi: str, period: str, latest: bool, seed: str = SEED) -> str:
    """The state a slot ends in: drawn from its region's profile, seeded by the slot."""
    if forced := FORCED.get((unit, kpi)):
        return forced
    draw = random.Random(f"{seed}|{unit}|{kpi}|{period}")
    profile = profile_of(unit)
    if profile == "late" and latest:
        return draw.choice(("missing", "missing", "draft", "submitted"))
    return draw.choices(OUTCOMES, weights=PROFILES[profile])[0]


def typed_by(unit: str, kpi: str, seed: str = SEED) -> bool:
    """Whether the office types that KPI: level KPIs in every region and some provinces, 9.3
    and 7.1 by fewer offices, the rest of `TYPED` everywhere."""
    if kpi not in TYPED:
        return False
    draw = random.Random(f"{seed}|does|{unit}|{kpi}")
    chance = {"4.1": 1.0 if "-" not in unit else 0.5, "9.3": 0.6, "7.1": 0.3}
    return draw.random() < chance.get(kpi, 1.0)


@dataclass(frozen=True)
class Slot:
    """A report an office owes, and the state the plan takes it to."""

    unit: str
    kpi: str
    period: str
    starts_on: date
    outcome: str
    seed: str = SEED

    @property
    def draw(self) -> random.Random:
        return random.Random(f"{self.seed}|items|{self.unit}|{self.kpi}|{self.period}")

    def day(self, today: date, offset: int) -> str:
        return min(self.starts_on + timedelta(days=offset), today).isoformat()


def plan(
    schedule: Iterable[dict],
    today: date,
    seed: str = SEED,
    provinces: int = PROVINCES_PER_REGION,
) -> list[Slot]:
    """The reports a department of that size owes by `today` and types by hand, each with the
    state it ends in: of `schedule` (the catalogue's rows of `unit`, `kpi`, `period` and
    `starts_on`), the slots begun of its offices' typed KPIs. The same seed and size, the same
    plan; "missing" slots are in it too, to be left unwritten."""
    units = set(offices(provinces))
    begun = [
        (row, date.fromisoformat(row["starts_on"]))
        for row in schedule
        if row["unit"] in units and typed_by(row["unit"], row["kpi"], seed)
    ]
    begun = [(row, starts) for row, starts in begun if starts <= today]
    latest = max((s for row, s in begun if row["period"].startswith("M")), default=None)
    return [
        Slot(
            row["unit"],
            row["kpi"],
            row["period"],
            starts,
            outcome(row["unit"], row["kpi"], row["period"], starts == latest, seed),
            seed,
        )
        for row, starts in begun
    ]


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


def reason_for(slot: Slot) -> str:
    return REASONS[len(slot.unit + slot.period) % len(REASONS)]


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


def users_csv(wanted: dict[str, list[dict]]) -> bytes:
    """The identity import's CSV of the demo's people: one row a person, all their offices."""
    titles = {"reporter": "ผู้รายงาน", "unit_head": "หัวหน้าหน่วย", "importer": "นำเข้าข้อมูล"}
    out = io.StringIO()
    rows = csv.writer(out, lineterminator="\n")
    rows.writerow(("username", "display_name", "email", "password", "memberships"))
    for name, held in wanted.items():
        first = held[0]
        rows.writerow((
            name,
            f"{titles[first['role']]} {first['unit']} (ตัวอย่าง)",
            f"{name}@demo.rbm.invalid",
            PASSWORD,
            ";".join(f"{m['unit']}:{m['role']}" for m in held),
        ))  # fmt: skip
    return out.getvalue().encode()


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
        """The people the demo lacks, imported from CSV files as an admin would."""
        known = {u["username"] for u in self.call("admin", "GET", "/identity/users")}
        wanted: dict[str, list[dict]] = defaultdict(list)
        for unit in offices():
            for name, role in zip(people_of(unit), ("reporter", "unit_head"), strict=True):
                wanted[name].append({"unit": unit, "role": role})
        wanted[IMPORTER] = [{"unit": "PRD", "role": "importer"}]
        missing = [(name, held) for name, held in wanted.items() if name not in known]
        files = [
            dict(missing[n : n + PEOPLE_PER_FILE]) for n in range(0, len(missing), PEOPLE_PER_FILE)
        ]
        with ThreadPoolExecutor(WORKERS, thread_name_prefix="demo") as pool:
            list(pool.map(self.import_people, files))
        return len(missing)

    def import_people(self, people: dict[str, list[dict]]) -> None:
        answer = self.call(
            "admin",
            "POST",
            "/identity/users/import",
            timeout=IMPORT_TIMEOUT,
            params={"commit": "true"},
            files={"file": ("demo-people.csv", users_csv(people))},
        )
        if not answer["committed"]:
            raise RuntimeError(f"the demo's people were refused: {answer['rows']}")

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

    def schedule(self) -> list[dict]:
        return self.call("admin", "GET", f"/catalogue/years/{self.year}/schedule")

    def existing(self) -> set[tuple[str, str, str]]:
        """(unit, KPI, period) of the year's reports, read a page at a time."""
        found: set[tuple[str, str, str]] = set()
        while True:
            params = {"year": self.year, "limit": PAGE, "offset": len(found)}
            rows = self.call("admin", "GET", "/workflow/reports", params=params)
            found.update((r["unit"], r["kpi"], r["period"]) for r in rows)
            if len(rows) < PAGE:
                return found

    def write_reports(self, slots: list[Slot], done: set[tuple[str, str, str]]) -> int:
        """Each office's people write and move its reports, a few offices' people at once;
        the reviewer then approves what was endorsed for approval, a batch at a time."""
        teams: dict[tuple[str, str], list[Slot]] = defaultdict(list)
        for slot in slots:
            if slot.outcome != "missing" and (slot.unit, slot.kpi, slot.period) not in done:
                teams[people_of(slot.unit)].append(slot)
        largest_first = sorted(teams, key=lambda people: -len(teams[people]))
        with ThreadPoolExecutor(WORKERS, thread_name_prefix="demo") as pool:
            written = pool.map(self.team_writes, largest_first, [teams[p] for p in largest_first])
            approvals = list(chain.from_iterable(written))
        self.bulk("reviewer", "approve", approvals)
        return sum(len(team) for team in teams.values())

    def team_writes(self, people: tuple[str, str], slots: list[Slot]) -> list[str]:
        """An office's reporter and head take its reports up to the reviewer, each step by
        the one who would take it; the ids the reviewer is to approve."""
        reporter, head = people
        written = [(slot, self.create(reporter, slot)["id"]) for slot in slots]

        def ids(*outcomes: str) -> list[str]:
            return [report for slot, report in written if slot.outcome in outcomes]

        self.bulk(reporter, "submit", ids(*SENT))
        sent_back = [(s, r) for s, r in written if s.outcome in ("returned", "resubmitted")]
        for reason in sorted({reason_for(slot) for slot, _ in sent_back}):
            self.bulk(head, "return", [r for s, r in sent_back if reason_for(s) == reason], reason)
        for slot, report in written:
            if slot.outcome == "resubmitted":
                self.call(reporter, "PATCH", f"/workflow/reports/{report}", json=self.fix(slot))
        self.bulk(reporter, "submit", ids("resubmitted"))
        self.bulk(head, "endorse", ids("approved", "endorsed", "resubmitted"))
        log.info("demo_office_written", reporter=reporter, reports=len(written))
        return ids("approved", "resubmitted")

    def fix(self, slot: Slot) -> dict:
        """What a reporter changes in a returned report before sending it again."""
        body: dict = {"note": "แก้ไขตามที่ส่งกลับแล้ว"}
        if slot.kpi not in LEVEL_KPIS:
            body["items"] = items_for(slot, self.today)[:-1] or items_for(slot, self.today)
        return body

    def create(self, reporter: str, slot: Slot) -> dict:
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
        for start in range(0, len(ids), BULK):
            answer = self.call(
                username,
                "POST",
                "/workflow/reports/transitions",
                json={"action": action, "comment": comment, "ids": ids[start : start + BULK]},
            )
            for failed in (r for r in answer["results"] if not r["ok"]):
                log.warning("demo_transition_refused", action=action, result=failed)

    # --- imports, delegations, packs -------------------------------------------------------

    def import_feeds(self, months: list[str], done: set[tuple[str, str, str]]) -> int:
        """Each month's figures of the feed KPIs, one file per KPI and month, by the importer."""
        imported = 0
        for month in months:
            for kpi, name in FEEDS.items():
                if any(k == kpi and p == month for _, k, p in done):
                    continue
                self.post_import(kpi, f"{kpi}-{month}.csv", month_of(EXAMPLES / name, month))
                imported += 1
        if not any(k == "8.1" and p == "Y" for _, k, p in done):
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
        """R5's head on leave this week, named before the reports move so that the stand-in
        is told of what waits too."""
        given = {(d["delegator"], d["delegate"]) for d in self.call("admin", "GET", DELEGATIONS)}
        if ("head5", STAND_IN["delegate"]) in given:
            return 0
        week = {
            "starts_on": self.today.isoformat(),
            "ends_on": (self.today + timedelta(days=7)).isoformat(),
        }
        self.call("head5", "POST", DELEGATIONS, json={**STAND_IN, **week})
        return 1

    def request_packs(self) -> int:
        """Packs asked for by the auditor and a reporter: each is told when theirs is built."""
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


def give_back_memory() -> None:
    """Return to the system the heap that the burst of requests left free (glibc keeps it)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def timed(written: dict[str, int], name: str, step: Callable[[], int]) -> None:
    started = time.monotonic()
    written[name] = step()
    log.info("demo_step_written", step=name, written=written[name], seconds=_since(started))


def _since(started: float) -> float:
    return round(time.monotonic() - started, 1)


def seed(base: str, size: str = "department", today: date | None = None) -> dict[str, int]:
    """Write what the demo of that size lacks; what was written, step by step. The last log
    line, `demo_department_ready`, says how long it took, what it wrote and what memory it
    kept (once the heap its burst of requests left free is given back)."""
    today = today or date.today()
    if size == "small":
        return {"reports": demo_activity.seed(base, today)}
    started, resident = time.monotonic(), resident_mb()
    dept = Department(base, fiscal_year_of(today), today)
    written: dict[str, int] = {}
    with ThreadPoolExecutor(1, thread_name_prefix="demo-activity") as aside:
        # R1's and R2's reports of every state are written meanwhile, and read with the rest.
        activity = aside.submit(demo_activity.seed, base, today)
        timed(written, "units", dept.ensure_units)
        timed(written, "users", dept.ensure_users)
        timed(written, "targets", dept.ensure_targets)
        timed(written, "scoring_confirmed", dept.confirm_scoring)
        timed(written, "delegations", dept.delegate)
        written["reports"] = activity.result()
    slots, done = plan(dept.schedule(), today), dept.existing()
    months = sorted({s.period for s in slots if s.period.startswith("M")})
    timed(written, "imports", lambda: dept.import_feeds(months, done))
    timed(written, "reports", lambda: written["reports"] + dept.write_reports(slots, done))
    timed(written, "packs", dept.request_packs)
    give_back_memory()
    log.warning(
        "demo_department_ready",
        seconds=_since(started),
        memory_mb=round(resident_mb() - resident, 1),
        **written,
    )
    return written


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    print(seed(url, sys.argv[2] if len(sys.argv) > 2 else "department"))
