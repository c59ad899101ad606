"""The department's calendar: Buddhist Era fiscal years (1 October - 30 September), periods.

Fiscal year 2547 runs from 2003-10-01 to 2004-09-30. Periods count fiscal months from
October: M01 = October, Q1 = October-December, H1 = October-March, Y = the whole year.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BE_OFFSET = 543
# Days begin and end in Thailand: "due on the 10th" or "until 31 May" ends at midnight there.
DEPARTMENT_TZ = ZoneInfo("Asia/Bangkok")
MONTHLY = tuple(f"M{i:02d}" for i in range(1, 13))
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
HALVES = ("H1", "H2")
WHOLE_YEAR = ("Y",)
# Each period as its (first, last) fiscal month, 1 = October.
PERIOD_MONTHS: Mapping[str, tuple[int, int]] = {
    **{p: (i, i) for i, p in enumerate(MONTHLY, start=1)},
    **{p: (3 * i - 2, 3 * i) for i, p in enumerate(QUARTERS, start=1)},
    **{p: (6 * i - 5, 6 * i) for i, p in enumerate(HALVES, start=1)},
    "Y": (1, 12),
}
PERIODS = tuple(PERIOD_MONTHS)

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip


def today(now: datetime | None = None) -> date:
    """The department's date now (or at the moment `now`)."""
    return (now or datetime.now(UTC)).astimezone(DEPARTMENT_TZ).date()


def fiscal_year_of(day: date) -> int:
    """The Buddhist Era fiscal year a day falls in."""
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


def fiscal_year_dates(year: int) -> tuple[date, date]:
    """First and last day of a fiscal year."""
    start_ce = year - BE_OFFSET - 1
    return date(start_ce, 10, 1), date(start_ce + 1, 9, 30)


def fiscal_month(year: int, index: int) -> tuple[int, int]:
    """(CE year, calendar month) of fiscal month `index` (1 = October) of a fiscal year."""
    offset = 9 + index - 1  # months after January of the CE year the fiscal year starts in
    return year - BE_OFFSET - 1 + offset // 12, offset % 12 + 1


def period_dates(year: int, period: str) -> tuple[date, date]:
    """First and last day of a period of a fiscal year; KeyError for a name that is no period."""
    first, last = PERIOD_MONTHS[period]
    start_year, start_month = fiscal_month(year, first)
    end_year, end_month = fiscal_month(year, last)
    end_day = calendar.monthrange(end_year, end_month)[1]
    return date(start_year, start_month, 1), date(end_year, end_month, end_day)


def thai_date(day: date, short: bool = False) -> str:
    """`1 ตุลาคม 2546` (or `1 ต.ค. 2546`): a day as Thai documents write it."""
    months = THAI_MONTHS_SHORT if short else THAI_MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year + BE_OFFSET}"


def period_label_th(period: str) -> str:
    """`เดือนตุลาคม`, `ไตรมาสที่ 1`, `ครึ่งปีแรก`, `ทั้งปีงบประมาณ`; the code itself if unknown."""
    if period in MONTHLY:
        return "เดือน" + THAI_MONTHS[fiscal_month(2500, int(period[1:]))[1] - 1]
    if period in QUARTERS:
        return f"ไตรมาสที่ {period[1:]}"
    if period in HALVES:
        return "ครึ่งปีแรก" if period == "H1" else "ครึ่งปีหลัง"
    return "ทั้งปีงบประมาณ" if period == "Y" else period
