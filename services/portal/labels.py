"""Names shown for the codes the APIs return, translated (Thai by default), as template filters."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal import thai

ROLE = {
    "reporter": _l("reporter"),
    "unit_head": _l("unit head"),
    "reviewer": _l("reviewer"),
    "auditor": _l("auditor"),
    "admin": _l("administrator"),
    "importer": _l("importer of figures"),
}
STATE = {
    "missing": _l("not started"),
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "endorsed": _l("endorsed"),
    "returned": _l("returned"),
    "approved": _l("approved"),
    # Groups the review list filters by: what a scorecard counts (see review.STATE_GROUPS).
    "pending": _l("awaiting approval"),
    "approved_or_pending": _l("approved or awaiting approval"),
}
METHOD = {
    "entry": _l("entered in rbm"),
    "template": _l("form upload"),
    "feed": _l("from another system"),
    "survey": _l("outside survey"),
    "none": _l("not reported"),
}
CYCLE = {
    "monthly": _l("monthly"),
    "quarterly": _l("quarterly"),
    "half-yearly": _l("half-yearly"),
    "yearly": _l("yearly"),
    "on-results": _l("when there are results"),
    "none": _l("—"),
}
ACTION = {
    "submit": _l("Submit"),
    "endorse": _l("Endorse"),
    "approve": _l("Approve"),
    "return": _l("Return"),
    "reopen": _l("Reopen"),
}
# What an audit entry's action did, in the past tense.
DONE = {
    "create": _l("created"),
    "edit": _l("edited"),
    "submit": _l("submitted"),
    "endorse": _l("endorsed"),
    "approve": _l("approved"),
    "return": _l("returned"),
    "reopen": _l("reopened"),
    "recount": _l("recounted"),
}
KIND = {
    "submitted": _l("Report submitted"),
    "endorsed": _l("Report endorsed"),
    "returned": _l("Report returned"),
    "approved": _l("Report approved"),
    "reopened": _l("Report reopened"),
    "due_soon": _l("Report due soon"),
    "overdue": _l("Report overdue"),
    "escalation": _l("Report long overdue"),
}
# What the inbox may also hold: kinds told in the inbox only, which have no delivery preference.
INBOX_KIND = {
    **KIND,
    "delegation_ended": _l("Stand-in ended"),
    "pack_ready": _l("Evidence pack ready"),
    "pack_failed": _l("Evidence pack failed"),
}
DELIVERY = {
    "immediate": _l("Email at once"),
    "digest": _l("Daily digest email"),
    "in_app": _l("In the inbox only"),
}
FIELD = {
    "state": _l("state"),
    "value": _l("value"),
    "value_source": _l("source of the value"),
    "value_basis": _l("how the value was reached"),
    "items": _l("items"),
    "evidence": _l("evidence"),
    "note": _l("note"),
    "frozen_sha256": _l("frozen copy"),
}
SOURCE = {
    "counted": _l("counted from the items"),
    "computed": _l("computed over the catalogue's denominator"),
    "evidence": _l("level read from the uploaded form"),
    "entered": _l("entered"),
    "import": _l("imported from the source system's file"),
}


# What is wrong with a date typed as day, month and BE year (thai.typed_date).
DATE_PROBLEM = {
    "incomplete": _l("Fill in the day, the month and the year (B.E.)."),
    "not_a_date": _l(
        "Type the day and the year in digits, the year in the Buddhist Era (e.g. 2547)."
    ),
    "no_such_day": _l("There is no such day in the calendar."),
}


def lang() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in thai.MONTHS else "th"


def period_label(year: int, period: str) -> str:
    """ "เดือนตุลาคม 2546" for M01 of 2547, "ไตรมาสที่ 1" for Q1, "ครึ่งปีแรก" for H1,
    "ทั้งปีงบประมาณ" for Y: the one way every page names a period."""
    if month := thai.month_label(year, period, lang()):
        return month
    if len(period) == 2 and period[0] == "Q" and period[1] in "1234":
        return _("Quarter %(n)s", n=period[1])
    return {"H1": _("First half"), "H2": _("Second half"), "Y": _("Whole year")}.get(period, period)


# The catalogue's Thai text as the department typed it, and as the portal shows it.
CORRECTED = {
    "ดาวน้โหลด": "ดาวน์โหลด",
    "ดาว์ โหลด": "ดาวน์โหลด",
    "ระบบrbm": "ระบบ rbm",
    # 10.5's tick box: whether the award came from outside the department.
    "เป็นหน่วยงานภายนอก": "รางวัลจากหน่วยงานภายนอก",
}


def corrected(text: str) -> str:
    """Catalogue text with its known typos put right, for display only."""
    for typed, meant in CORRECTED.items():
        text = text.replace(typed, meant)
    return text


def localized(obj: Mapping | None, field: str = "name") -> str:
    """`name_en` in English when there is one, else `name_th` (its typos put right)."""
    if not obj:
        return ""
    if lang() == "en" and obj.get(f"{field}_en"):
        return str(obj[f"{field}_en"])
    return corrected(str(obj.get(f"{field}_th") or obj.get(f"{field}_en") or ""))


def percent(share: float | None) -> str:
    if share is None:
        return "—"
    return f"{share * 100:.1f}".removesuffix(".0") + "%"


def number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def measured(value: float | None, measure: str | None) -> str:
    """A report's value as its measure reads: "12.5%", "level 3", "4"."""
    if value is None:
        return "—"
    if measure == "percent":
        return f"{number(value)}%"
    if measure == "level":
        return _("level %(n)s", n=number(value))
    return number(value)


def init_app(app: Flask) -> None:
    for name, table in (
        ("role_name", ROLE),
        ("state_name", STATE),
        ("method_name", METHOD),
        ("cycle_name", CYCLE),
        ("action_name", ACTION),
        ("done_name", DONE),
        ("kind_name", INBOX_KIND),
        ("delivery_name", DELIVERY),
        ("field_name", FIELD),
        ("source_name", SOURCE),
    ):
        app.add_template_filter(lambda code, t=table: t.get(code, code), name)
    app.add_template_filter(lambda value: thai.show_date(value, lang()), "thai_date")
    app.add_template_filter(lambda value: thai.show_moment(value, lang()), "thai_moment")
    app.add_template_filter(localized, "localized")
    app.add_template_filter(corrected, "corrected")
    app.add_template_filter(thai.periods_in_text, "periods")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(number, "number")
    app.add_template_filter(measured, "measured")
    app.jinja_env.globals.update(
        period_label=period_label,
        lang=lang,
        date_parts=thai.date_parts,
        month_names=lambda: thai.FULL_MONTHS[lang()],
    )
