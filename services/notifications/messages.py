"""What notifications and emails say, in Thai: titles, bodies, subjects, plain text and HTML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from common.fiscal import period_label_th, thai_date
from services.notifications import rules


@dataclass(frozen=True)
class Slot:
    """What a message is about: a KPI of a unit for a period of a year."""

    year: int
    unit: str
    kpi: str
    period: str
    unit_name: str = ""

    def describe(self) -> str:
        unit = f"{self.unit_name} ({self.unit})" if self.unit_name else self.unit
        return (
            f"ตัวชี้วัด {self.kpi} ของหน่วยงาน {unit} "
            f"({period_label_th(self.period)} ปีงบประมาณ {self.year})"
        )

    def short(self) -> str:
        return f"ตัวชี้วัด {self.kpi} {self.unit} {period_label_th(self.period)}/{self.year}"


REPORT_TITLES = {
    rules.SUBMITTED: "รายงานรอการรับรอง",
    rules.ENDORSED: "รายงานรอการพิจารณาอนุมัติ",
    rules.RETURNED: "รายงานถูกส่งกลับให้แก้ไข",
    rules.APPROVED: "รายงานได้รับอนุมัติ",
    rules.REOPENED: "รายงานถูกเปิดให้แก้ไขอีกครั้ง",
}
REPORT_ACTIONS = {
    rules.SUBMITTED: "ส่งรายงาน{what} แล้ว กรุณาตรวจสอบและรับรอง",
    rules.ENDORSED: "รับรองรายงาน{what} แล้ว กรุณาพิจารณาอนุมัติหรือส่งกลับ",
    rules.RETURNED: "ส่งรายงาน{what} กลับให้แก้ไข",
    rules.APPROVED: "อนุมัติรายงาน{what} แล้ว",
    rules.REOPENED: "เปิดรายงาน{what} ให้แก้ไขอีกครั้ง",
}


def report_message(kind: str, slot: Slot, actor: str, comment: str | None) -> tuple[str, str]:
    """Title and body of a notification about a report's transition."""
    title = f"{REPORT_TITLES[kind]}: {slot.short()}"
    body = f"{actor} {REPORT_ACTIONS[kind].format(what=slot.describe())}"
    if comment:
        body += f"\nความเห็น: {comment}"
    return title, body


def reminder_message(stage: str, slot: Slot, due_on: date, today: date) -> tuple[str, str]:
    """Title and body of a reminder about a period not yet handed in."""
    due = thai_date(due_on, short=True)
    if stage == rules.DUE_SOON:
        days = (due_on - today).days
        when = "วันนี้" if days == 0 else f"อีก {days} วัน"
        title = f"ใกล้ถึงกำหนดส่งรายงาน: {slot.short()}"
        body = f"รายงาน{slot.describe()} ครบกำหนดส่ง{when} (วันที่ {due}) และยังไม่ได้ส่ง"
    elif stage == rules.OVERDUE:
        title = f"เลยกำหนดส่งรายงาน: {slot.short()}"
        body = f"รายงาน{slot.describe()} ครบกำหนดส่งเมื่อวันที่ {due} แต่ยังไม่ได้ส่ง กรุณาติดตาม"
    else:
        late = (today - due_on).days
        title = f"รายงานค้างส่งเกินกำหนด: {slot.short()}"
        body = f"รายงาน{slot.describe()} เลยกำหนดส่งมาแล้ว {late} วัน (กำหนดส่ง {due}) ยังไม่ได้ส่ง"
    return title, body


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())


def _page(greeting: str, inner: str) -> str:
    return (
        '<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"></head>'
        '<body style="font-family: Sarabun, Tahoma, sans-serif">'
        f"<p>เรียน {escape(greeting)}</p>{inner}"
        "<p style='color:#666'>ข้อความนี้ส่งโดยอัตโนมัติจากระบบรายงานผลการดำเนินงาน (rbm) "
        "ตั้งค่าการแจ้งเตือนได้ที่หน้าการตั้งค่าของท่าน</p></body></html>"
    )


FOOTER = "\n\n--\nข้อความนี้ส่งโดยอัตโนมัติจากระบบรายงานผลการดำเนินงาน (rbm)\n"


def notification_mail(name: str, title: str, body: str, link: str) -> Mail:
    """The email of one notification: Thai subject, plain text and HTML, link to the report."""
    text = f"เรียน {name}\n\n{body}\n\nเปิดดู: {link}{FOOTER}"
    inner = f'{_paragraphs(body)}<p><a href="{escape(link)}">เปิดดูในระบบ</a></p>'
    return Mail(subject=f"[rbm] {title}", text=text, html=_page(name, inner))


def digest_mail(name: str, day: date, items: list[tuple[str, str, str]]) -> Mail:
    """A day's notifications (title, body, link) in one email."""
    subject = f"[rbm] สรุปการแจ้งเตือนประจำวันที่ {thai_date(day, short=True)} ({len(items)} รายการ)"
    lines = [
        f"{n}. {title}\n   {body}\n   {link}" for n, (title, body, link) in enumerate(items, 1)
    ]
    text = f"เรียน {name}\n\nการแจ้งเตือนของท่าน {len(items)} รายการ\n\n" + "\n\n".join(lines)
    entries = "".join(
        f'<li><a href="{escape(link)}">{escape(title)}</a><br>{escape(body)}</li>'
        for title, body, link in items
    )
    inner = f"<p>การแจ้งเตือนของท่าน {len(items)} รายการ</p><ol>{entries}</ol>"
    return Mail(subject=subject, text=text + FOOTER, html=_page(name, inner))
