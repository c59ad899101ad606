"""Names shown for the codes the APIs return, translated (Thai by default)."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

ROLE = {
    "reporter": _l("reporter"),
    "unit_head": _l("unit head"),
    "reviewer": _l("reviewer"),
    "auditor": _l("auditor"),
    "admin": _l("administrator"),
}
STATE = {
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "endorsed": _l("endorsed"),
    "returned": _l("returned"),
    "approved": _l("approved"),
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
}


def register(blueprint: Blueprint) -> None:
    for name, table in (
        ("role_name", ROLE),
        ("state_name", STATE),
        ("method_name", METHOD),
        ("cycle_name", CYCLE),
        ("action_name", ACTION),
    ):
        blueprint.add_app_template_filter(lambda code, t=table: t.get(code, code), name)
