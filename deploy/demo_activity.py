"""Demo reports of the current fiscal year, so that each demo user's first page has real work.

Everything goes through the public APIs as the demo users themselves (reporters write and
submit, the head endorses or returns, the reviewer approves), so each service writes only its
own data under its own rules, and the audit trail names who did what. Run once after the
system answers (`make run` does it); a second run finds the reports and changes nothing:

    python -m deploy.demo_activity http://127.0.0.1:8000
"""

from __future__ import annotations

import io
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import docx
import requests
import structlog

from common.fiscal import fiscal_year_of, period_dates

log = structlog.get_logger("rbm.demo")
PASSWORD = "demo-password"
TIMEOUT = 30


@dataclass
class Plan:
    """One demo report: who writes it, its data, its evidence and the steps it goes through."""

    unit: str
    kpi: str
    period: str
    data: dict = field(default_factory=dict)
    evidence: tuple[str, ...] = ()  # "form" (the prefilled form, filled in) and/or "pdf"
    steps: tuple[tuple[str, str, str], ...] = ()  # (username, action, comment)


def _day(year: int, period: str, offset: int) -> str:
    return (period_dates(year, period)[0] + timedelta(days=offset)).isoformat()


def plans(year: int) -> list[Plan]:
    """Reports in every state over R1 and R2: late (M01) and on time (M02) among them."""
    submit = ("reporter1", "submit", "")
    endorse = ("head1", "endorse", "")
    return [
        Plan("R1", "2.1", "M01", {"items": [
            {"order_no": "สปข.1 ที่ 12/2569", "committee": "คณะทำงานสื่อสารภาวะวิกฤต"},
            {"order_no": "สปข.1 ที่ 15/2569", "committee": "คณะกรรมการข่าวจังหวัด"},
        ]}, steps=(submit, endorse, ("reviewer", "approve", ""))),
        Plan("R1", "2.2", "M01", {"items": [
            {"agency": "สำนักงานจังหวัดตัวอย่าง", "date": _day(year, "M01", 4)},
            {"agency": "มหาวิทยาลัยตัวอย่าง", "date": _day(year, "M01", 11)},
            {"agency": "สำนักงานจังหวัดตัวอย่าง", "date": _day(year, "M01", 20)},
        ]}, steps=(submit, endorse)),
        Plan("R1", "2.1", "M02", {"items": [
            {"order_no": "สปข.1 ที่ 21/2569", "committee": "คณะทำงานข่าวเลือกตั้ง"},
        ]}, steps=(submit,)),
        Plan("R1", "2.2", "M02", {"items": [
            {"agency": "โรงพยาบาลตัวอย่าง", "date": _day(year, "M02", 6)},
        ]}, steps=(submit, ("head1", "return", "แนบรายชื่อหน่วยงานที่ร่วมประชุมให้ครบ"))),
        Plan("R1", "10.1", "Q1", {"items": [
            {"person": "นางสาวตัวอย่าง ใจดี", "course": "เขียนข่าวออนไลน์", "date": _day(year, "Q1", 15)},
            {"person": "นายตัวอย่าง มีสุข", "course": "การถ่ายภาพข่าว", "date": _day(year, "Q1", 40)},
        ]}),
        Plan("R1", "4.1", "Q1", evidence=("form", "pdf"), steps=(submit, endorse)),
        Plan("R1", "9.3", "Q1", evidence=("form",)),
        Plan("R2", "2.1", "M01", {"items": [
            {"order_no": "สปข.2 ที่ 7/2569", "committee": "คณะทำงานประชาสัมพันธ์ท่องเที่ยว"},
        ]}, steps=(("reporter2", "submit", ""),)),
        Plan("R2", "2.2", "M02", {"items": [
            {"agency": "สำนักงานเกษตรจังหวัดตัวอย่าง", "date": _day(year, "M02", 9)},
        ]}),
        Plan("R2", "15.1", "H1", {"items": [
            {"activity": "เวทีรับฟังความคิดเห็นประชาชน", "date": _day(year, "H1", 30)},
        ]}),
    ]  # fmt: skip


def sample_pdf(title: str) -> bytes:
    """A one-page PDF naming what it stands for (a scanned letter in real life)."""
    text = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def fill_form(form: bytes, levels: int = 3) -> bytes:
    """What a reporter does in Word: tick levels 1 to `levels`, name their evidence, list
    processes (4.1) whose cycle times shrank by enough for that level (10 % a level by the
    seeded steps, and 5 % more)."""
    reached = {str(n) for n in range(1, levels + 1)}
    document = docx.Document(io.BytesIO(form))
    after = f"{20 * (95 - 10 * levels) / 100:g}"  # minutes, down from 20
    processes = iter([("ออกหนังสือรับรอง", "60", "20", after), ("ตอบข้อร้องเรียน", "40", "20", after)])
    for table in document.tables:
        for row in table.rows[1:]:
            cells = row.cells
            number = cells[0].text.strip()
            if len(cells) == 4 and number in reached:
                cells[2].text = "✓"
                cells[3].text = f"หลักฐานขั้นที่ {number} (ตัวอย่าง)"
            elif len(cells) >= 5 and (values := next(processes, None)):
                for cell, value in zip(cells[1:5], values, strict=True):
                    cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class Demo:
    def __init__(self, base: str, year: int):
        self.base, self.year = base.rstrip("/"), year
        self.sessions: dict[str, requests.Session] = {}

    def as_user(self, username: str) -> requests.Session:
        if username not in self.sessions:
            resp = requests.post(
                f"{self.base}/api/identity/token",
                json={"username": username, "password": PASSWORD},
                timeout=TIMEOUT,
            )
            resp.raise_for_status()
            http = requests.Session()
            http.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
            self.sessions[username] = http
        return self.sessions[username]

    def call(
        self, username: str, method: str, path: str, timeout: float = TIMEOUT, **kwargs
    ) -> Any:
        resp = self.as_user(username).request(
            method, f"{self.base}/api{path}", timeout=timeout, **kwargs
        )
        if not resp.ok:
            raise RuntimeError(f"{method} {path} as {username}: {resp.status_code} {resp.text}")
        return resp.json()

    def year_is_open(self) -> bool:
        years = self.call("admin", "GET", "/catalogue/years")
        return any(y["year"] == self.year and y["status"] == "open" for y in years)

    def written(self) -> set[tuple[str, str, str]]:
        """(unit, KPI, period) of the year's demo reports that exist already."""
        found = set()
        for username, unit in (("reporter1", "R1"), ("reporter2", "R2")):
            params = {"year": self.year, "unit": unit}
            for r in self.call(username, "GET", "/workflow/reports", params=params):
                found.add((r["unit"], r["kpi"], r["period"]))
        return found

    def upload(self, writer: str, plan: Plan, kind: str) -> str:
        fields = {"unit": plan.unit, "year": str(self.year), "kpi": plan.kpi, "period": plan.period}
        if kind == "form":
            resp = self.as_user(writer).get(
                f"{self.base}/api/evidence/templates/{self.year}/{plan.kpi}",
                params={"unit": plan.unit, "period": plan.period},
                timeout=TIMEOUT,
            )
            resp.raise_for_status()
            name, content = f"แบบฟอร์ม {plan.kpi}.docx", fill_form(resp.content)
        else:
            name = f"หนังสือรับรองผล {plan.kpi}.pdf"
            content = sample_pdf(f"KPI {plan.kpi} {plan.unit} {plan.period}: evidence (sample)")
        stored = self.call(
            writer, "POST", "/evidence/files", data=fields, files={"file": (name, content)}
        )
        return stored["id"]

    def write(self, plan: Plan) -> dict:
        writer = "reporter1" if plan.unit == "R1" else "reporter2"
        evidence = [self.upload(writer, plan, kind) for kind in plan.evidence]
        body = {"year": self.year, "kpi": plan.kpi, "unit": plan.unit, "period": plan.period}
        body.update(plan.data)
        if evidence:
            body["evidence_ids"] = evidence
        report = self.call(writer, "POST", "/workflow/reports", json=body)
        for username, action, comment in plan.steps:
            report = self.call(
                username,
                "POST",
                f"/workflow/reports/{report['id']}/transitions",
                json={"action": action, "comment": comment},
            )
        return report


def seed(base: str, today: date | None = None, wait: float = 120.0) -> int:
    """Write the demo reports of today's fiscal year unless they exist; how many were written."""
    demo = Demo(base, fiscal_year_of(today or date.today()))
    deadline = time.monotonic() + wait
    while not demo.year_is_open():
        if time.monotonic() > deadline:
            raise RuntimeError(f"fiscal year {demo.year} is not open in the catalogue")
        time.sleep(1)
    done = demo.written()
    written = [
        demo.write(plan)
        for plan in plans(demo.year)
        if (plan.unit, plan.kpi, plan.period) not in done
    ]
    log.info("demo_reports_written", year=demo.year, reports=len(written))
    return len(written)


if __name__ == "__main__":
    print(f"{seed(sys.argv[1] if len(sys.argv) > 1 else 'http://127.0.0.1:8000')} reports written")
