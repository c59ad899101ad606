"""Dates and periods as people read them: Thai months and Buddhist Era years, or English.

The APIs speak ISO dates in the Gregorian calendar; the Buddhist Era (CE + 543) appears only
here, in what the UI shows. Times are shown in Thailand's time zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from common import fiscal
from common.fiscal import BE_OFFSET, MONTHLY, THAI_MONTHS, THAI_MONTHS_SHORT, fiscal_month

LOCAL_TZ = fiscal.DEPARTMENT_TZ
MONTHS = {
    "th": THAI_MONTHS_SHORT,
    "en": (
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ),
}
# A period's month is named in full: "เดือนตุลาคม 2546", "October 2003".
FULL_MONTHS = {
    "th": THAI_MONTHS,
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def _year(ce_year: int, lang: str) -> int:
    return ce_year + BE_OFFSET if lang == "th" else ce_year


def as_date(value: date | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def show_date(value: date | str | None, lang: str) -> str:
    """`2003-11-10` as "10 พ.ย. 2546" in Thai, "10 Nov 2003" in English; "—" for none."""
    day = as_date(value)
    if day is None:
        return "—"
    return f"{day.day} {MONTHS[lang][day.month - 1]} {_year(day.year, lang)}"


def show_moment(value: datetime | str | None, lang: str) -> str:
    """A timestamp in Thailand's time: "25 พ.ย. 2569 13:22 น." ("25 Nov 2026 13:22")."""
    if value is None or value == "":
        return "—"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL_TZ)
    clock = f"{moment:%H:%M} น." if lang == "th" else f"{moment:%H:%M}"
    return f"{show_date(moment.date(), lang)} {clock}"


def month_of(fiscal_year: int, period: str) -> tuple[int, int] | None:
    """(CE year, month) of a monthly period: M01 of fiscal 2547 is October 2003."""
    if period not in MONTHLY:
        return None
    return fiscal_month(fiscal_year, int(period[1:]))


def month_name(ce_year: int, month: int, lang: str) -> str:
    """ "ต.ค. 2546" / "Oct 2003" for a calendar month."""
    return f"{MONTHS[lang][month - 1]} {_year(ce_year, lang)}"


def month_label(fiscal_year: int, period: str, lang: str) -> str | None:
    """ "เดือนตุลาคม 2546" / "October 2003" for a monthly period, None for any other."""
    found = month_of(fiscal_year, period)
    if found is None:
        return None
    ce_year, month = found
    name = FULL_MONTHS[lang][month - 1]
    return f"เดือน{name} {_year(ce_year, lang)}" if lang == "th" else f"{name} {ce_year}"


# How the notifications service writes a period of a fiscal year: "เดือนตุลาคม/2570".
_SLASHED_PERIOD = re.compile(
    r"เดือน(?P<month>" + "|".join(THAI_MONTHS) + r")/(?P<year>\d{4})"
    r"|(?P<other>ไตรมาสที่ [1-4]|ครึ่งปีแรก|ครึ่งปีหลัง|ทั้งปีงบประมาณ)/(?P<fiscal>\d{4})"
)


def _unslash(match: re.Match) -> str:
    if match["other"]:
        whole_year = match["other"].endswith("ปีงบประมาณ")
        return f"{match['other']} {'' if whole_year else 'ปีงบประมาณ '}{match['fiscal']}"
    month = THAI_MONTHS.index(match["month"]) + 1
    # October to December fall in the calendar year before the fiscal year they open.
    calendar_year = int(match["year"]) - (1 if month >= 10 else 0)
    return f"เดือน{match['month']} {calendar_year}"


def periods_in_text(text: str) -> str:
    """A message's "เดือนตุลาคม/2570" (a month of fiscal 2570) written as the portal writes
    periods, "เดือนตุลาคม 2569"; "ไตรมาสที่ 1/2570" as "ไตรมาสที่ 1 ปีงบประมาณ 2570"."""
    return _SLASHED_PERIOD.sub(_unslash, text)


def days_late(due_on: date | str | None, today: date) -> int:
    """Whole days past the due date (0 when not yet due)."""
    due = as_date(due_on)
    return max((today - due).days, 0) if due else 0


today_here = fiscal.today


# A date typed in a form: day, month and Buddhist Era year, each in a field of its own
# (`<name>-day`, `<name>-month`, `<name>-year`); the server turns it into an ISO date.
DATE_PARTS = ("day", "month", "year")
# Years before this are taken for Christian Era years typed by mistake.
MIN_BE_YEAR = 2400


def date_parts(value: str | None) -> dict[str, str]:
    """The day, month and BE year to show in a date's fields: from an ISO date, or from the
    "day/month/year" text of a date that was typed and refused (kept as typed)."""
    text = (value or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = as_date(text)
        assert day is not None
        return {"day": str(day.day), "month": str(day.month), "year": str(day.year + BE_OFFSET)}
    parts = text.split("/") if text.count("/") == 2 else ["", "", ""]
    return dict(zip(DATE_PARTS, parts, strict=True))


def typed_problem(text: str | None) -> str | None:
    """What is wrong with a date kept as typed ("day/month/year"); None for any other text."""
    if (text or "").count("/") != 2:
        return None
    parts = date_parts(text)
    return typed_date({f"d-{part}": parts[part] for part in DATE_PARTS}, "d")[1]


def typed_date(form, name: str) -> tuple[str, str | None]:
    """The ISO date typed as `name`'s day, month and BE year, and what is wrong with it:
    None, "incomplete", "not_a_date" (letters, a Christian Era year) or "no_such_day". A
    form that sends `name` itself (an ISO date) is taken as it is."""
    if not any(f"{name}-{part}" in form for part in DATE_PARTS):
        return (form.get(name) or "").strip(), None
    day, month, year = ((form.get(f"{name}-{part}") or "").strip() for part in DATE_PARTS)
    if not (day or month or year):
        return "", None
    typed = f"{day}/{month}/{year}"
    if not (day and month and year):
        return typed, "incomplete"
    if not (day.isdigit() and month.isdigit() and year.isdigit()) or int(year) < MIN_BE_YEAR:
        return typed, "not_a_date"
    try:
        return date(int(year) - BE_OFFSET, int(month), int(day)).isoformat(), None
    except ValueError:
        return typed, "no_such_day"
