"""Dates and periods as people read them: Thai months and Buddhist Era years, or English.

The APIs speak ISO dates in the Gregorian calendar; the Buddhist Era (CE + 543) appears only
here, in what the UI shows. Times are shown in Thailand's time zone.
"""

from __future__ import annotations

from datetime import date, datetime

from common import fiscal
from common.fiscal import BE_OFFSET, MONTHLY, THAI_MONTHS_SHORT, fiscal_month

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
    """A timestamp in Thailand's time: "25 พ.ย. 2569 13:22"."""
    if value is None or value == "":
        return "—"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL_TZ)
    return f"{show_date(moment.date(), lang)} {moment:%H:%M}"


def month_of(fiscal_year: int, period: str) -> tuple[int, int] | None:
    """(CE year, month) of a monthly period: M01 of fiscal 2547 is October 2003."""
    if period not in MONTHLY:
        return None
    return fiscal_month(fiscal_year, int(period[1:]))


def month_name(ce_year: int, month: int, lang: str) -> str:
    """ "ต.ค. 2546" / "Oct 2003" for a calendar month."""
    return f"{MONTHS[lang][month - 1]} {_year(ce_year, lang)}"


def month_label(fiscal_year: int, period: str, lang: str) -> str | None:
    """ "ต.ค. 2546" / "Oct 2003" for a monthly period, None for any other."""
    found = month_of(fiscal_year, period)
    return None if found is None else month_name(*found, lang)


def days_late(due_on: date | str | None, today: date) -> int:
    """Whole days past the due date (0 when not yet due)."""
    due = as_date(due_on)
    return max((today - due).days, 0) if due else 0


today_here = fiscal.today
