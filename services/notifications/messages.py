"""What notifications and emails say, in Thai or English: titles, bodies, subjects, plain text
and HTML."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from html import escape

from common.fiscal import MONTHLY, fiscal_month, period_label_th, thai_date
from services.notifications import rules

LANGUAGES = ("th", "en")


def period_label(period: str, lang: str) -> str:
    """`ไตรมาสที่ 1` or `Q1`, `เดือนตุลาคม` or `October`; the code itself if unknown."""
    if lang == "th":
        return period_label_th(period)
    if period in MONTHLY:
        return calendar.month_name[fiscal_month(2000, int(period[1:]))[1]]
    names = {"H1": "first half", "H2": "second half", "Y": "whole fiscal year"}
    return names.get(period, period)


def show_date(day: date, lang: str) -> str:
    """`20 ม.ค. 2569` (Buddhist Era) or `20 Jan 2026`."""
    if lang == "th":
        return thai_date(day, short=True)
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


@dataclass(frozen=True)
class Slot:
    """What a message is about: a KPI of a unit for a period of a year."""

    year: int
    unit: str
    kpi: str
    period: str
    unit_name: str = ""

    def describe(self, lang: str = "th") -> str:
        unit = f"{self.unit_name} ({self.unit})" if self.unit_name else self.unit
        period = period_label(self.period, lang)
        if lang == "en":
            return f"KPI {self.kpi} of unit {unit} ({period}, fiscal year {self.year})"
        return f"ตัวชี้วัด {self.kpi} ของหน่วยงาน {unit} ({period} ปีงบประมาณ {self.year})"

    def short(self, lang: str = "th") -> str:
        period = period_label(self.period, lang)
        word = "KPI" if lang == "en" else "ตัวชี้วัด"
        return f"{word} {self.kpi} {self.unit} {period}/{self.year}"


REPORT_TITLES = {
    "th": {
        rules.SUBMITTED: "รายงานรอการรับรอง",
        rules.ENDORSED: "รายงานรอการพิจารณาอนุมัติ",
        rules.RETURNED: "รายงานถูกส่งกลับให้แก้ไข",
        rules.APPROVED: "รายงานได้รับอนุมัติ",
        rules.REOPENED: "รายงานถูกเปิดให้แก้ไขอีกครั้ง",
    },
    "en": {
        rules.SUBMITTED: "Report awaiting endorsement",
        rules.ENDORSED: "Report awaiting approval",
        rules.RETURNED: "Report returned for changes",
        rules.APPROVED: "Report approved",
        rules.REOPENED: "Report reopened for changes",
    },
}
REPORT_ACTIONS = {
    "th": {
        rules.SUBMITTED: "ส่งรายงาน{what} แล้ว กรุณาตรวจสอบและรับรอง",
        rules.ENDORSED: "รับรองรายงาน{what} แล้ว กรุณาพิจารณาอนุมัติหรือส่งกลับ",
        rules.RETURNED: "ส่งรายงาน{what} กลับให้แก้ไข",
        rules.APPROVED: "อนุมัติรายงาน{what} แล้ว",
        rules.REOPENED: "เปิดรายงาน{what} ให้แก้ไขอีกครั้ง",
    },
    "en": {
        rules.SUBMITTED: "submitted the report on {what}. Please review and endorse it.",
        rules.ENDORSED: "endorsed the report on {what}. Please approve it or return it.",
        rules.RETURNED: "returned the report on {what} for changes.",
        rules.APPROVED: "approved the report on {what}.",
        rules.REOPENED: "reopened the report on {what} for changes.",
    },
}
WORDS = {
    "th": {
        "comment": "ความเห็น",
        "system": "ระบบ",
        "for": "แทน",
        "dear": "เรียน",
        "open": "เปิดดู",
        "open_link": "เปิดดูในระบบ",
        "sender": "ระบบรายงานผล rbm",
        "footer": "ข้อความนี้ส่งโดยอัตโนมัติจากระบบรายงานผลการดำเนินงาน (rbm) "
        "ตั้งค่าการแจ้งเตือนหรือเลิกรับอีเมลได้ที่",
        "settings": "หน้าการตั้งค่าการแจ้งเตือน",
        "digest_subject": "สรุปการแจ้งเตือนประจำวันที่ {day} ({count} รายการ)",
        "digest_intro": "การแจ้งเตือนของท่าน {count} รายการ",
    },
    "en": {
        "comment": "Comment",
        "system": "the system",
        "for": "for",
        "dear": "Dear",
        "open": "Open",
        "open_link": "Open in rbm",
        "sender": "rbm results reporting",
        "footer": "This message was sent automatically by the results-based management "
        "system (rbm). You choose which notifications come by email at",
        "settings": "your notification settings",
        "digest_subject": "Your notifications of {day} ({count})",
        "digest_intro": "You have {count} notifications",
    },
}


def actor_label(name: str | None, on_behalf_of: str | None, lang: str) -> str:
    """Who acted, as the message names them: a stand-in with the person they stood in for."""
    words = WORDS[lang]
    label = name or words["system"]
    return f"{label} ({words['for']} {on_behalf_of})" if on_behalf_of else label


def report_message(
    kind: str, slot: Slot, actor: str, comment: str | None, lang: str = "th"
) -> tuple[str, str]:
    """Title and body of a notification about a report's transition."""
    title = f"{REPORT_TITLES[lang][kind]}: {slot.short(lang)}"
    body = f"{actor} {REPORT_ACTIONS[lang][kind].format(what=slot.describe(lang))}"
    if comment:
        body += f"\n{WORDS[lang]['comment']}: {comment}"
    return title, body


REMINDERS = {
    "th": {
        rules.DUE_SOON: (
            "ใกล้ถึงกำหนดส่งรายงาน: {short}",
            "รายงาน{what} ครบกำหนดส่ง{when} (วันที่ {due}) และยังไม่ได้ส่ง",
        ),
        rules.OVERDUE: (
            "เลยกำหนดส่งรายงาน: {short}",
            "รายงาน{what} ครบกำหนดส่งเมื่อวันที่ {due} แต่ยังไม่ได้ส่ง กรุณาติดตาม",
        ),
        rules.ESCALATION: (
            "รายงานค้างส่งเกินกำหนด: {short}",
            "รายงาน{what} เลยกำหนดส่งมาแล้ว {late} วัน (กำหนดส่ง {due}) ยังไม่ได้ส่ง",
        ),
    },
    "en": {
        rules.DUE_SOON: (
            "Report due soon: {short}",
            "The report on {what} is due {when} ({due}) and has not been submitted.",
        ),
        rules.OVERDUE: (
            "Report overdue: {short}",
            "The report on {what} was due on {due} and has not been submitted. "
            "Please follow it up.",
        ),
        rules.ESCALATION: (
            "Report still not submitted: {short}",
            "The report on {what} is {late} days late (due {due}) and has not been submitted.",
        ),
    },
}
# When a report is due: today, tomorrow, or in so many days.
DUE_IN = {
    "th": ("วันนี้", "อีก 1 วัน", "อีก {days} วัน"),
    "en": ("today", "tomorrow", "in {days} days"),
}


def reminder_message(
    stage: str, slot: Slot, due_on: date, today: date, lang: str = "th"
) -> tuple[str, str]:
    """Title and body of a reminder about a period not yet handed in."""
    days = (due_on - today).days
    fields = {
        "short": slot.short(lang),
        "what": slot.describe(lang),
        "due": show_date(due_on, lang),
        "when": DUE_IN[lang][min(max(days, 0), 2)].format(days=days),
        "late": -days,
    }
    title, body = REMINDERS[lang][stage]
    return title.format(**fields), body.format(**fields)


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())


def _text(name: str, inner: str, settings_link: str, lang: str) -> str:
    words = WORDS[lang]
    return f"{words['dear']} {name}\n\n{inner}\n\n-- \n{words['footer']} {settings_link}\n"


def _page(name: str, subject: str, inner: str, settings_link: str, lang: str) -> str:
    """The HTML part: the same words as the plain text, so the two alternatives agree."""
    words = WORDS[lang]
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head>"
        '<body style="font-family: Sarabun, Tahoma, sans-serif">'
        f"<p>{words['dear']} {escape(name)}</p>{inner}"
        f'<p style="color:#555">{escape(words["footer"])} '
        f'<a href="{escape(settings_link)}">{escape(words["settings"])}</a></p>'
        "</body></html>"
    )


def notification_mail(
    name: str, title: str, body: str, link: str, settings_link: str, lang: str = "th"
) -> Mail:
    """The email of one notification: subject, plain text and HTML, link to the report."""
    words = WORDS[lang]
    subject = f"[rbm] {title}"
    text = _text(name, f"{body}\n\n{words['open']}: {link}", settings_link, lang)
    inner = f'{_paragraphs(body)}<p><a href="{escape(link)}">{words["open_link"]}</a></p>'
    return Mail(subject, text, _page(name, subject, inner, settings_link, lang))


def digest_mail(
    name: str,
    day: date,
    items: list[tuple[str, str, str]],
    settings_link: str,
    lang: str = "th",
) -> Mail:
    """A day's notifications (title, body, link) in one email."""
    words = WORDS[lang]
    count = len(items)
    subject = "[rbm] " + words["digest_subject"].format(day=show_date(day, lang), count=count)
    intro = words["digest_intro"].format(count=count)
    lines = [
        f"{n}. {title}\n   {body}\n   {link}" for n, (title, body, link) in enumerate(items, 1)
    ]
    text = _text(name, f"{intro}\n\n" + "\n\n".join(lines), settings_link, lang)
    entries = "".join(
        f'<li><a href="{escape(link)}">{escape(title)}</a><br>{escape(body)}</li>'
        for title, body, link in items
    )
    inner = f"<p>{escape(intro)}</p><ol>{entries}</ol>"
    return Mail(subject, text, _page(name, subject, inner, settings_link, lang))
