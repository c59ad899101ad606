"""What the APIs say in English, said in the user's language where the portal knows the message.

The services answer in English (problem+json `detail` and `errors`, counting reasons); the
portal shows the messages it recognises in Thai or English and any other one as sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from flask_babel import gettext as _

from services.portal import thai
from services.portal.labels import period_label

# Each: the API's English text, and how to say it (given the match and the language).
_FIELD_MESSAGES: tuple[tuple[re.Pattern, Callable[[re.Match, str], str]], ...] = (
    (re.compile(r"Required\.|Missing data for required field\."), lambda m, lang: _("Required.")),
    (re.compile(r"Must not be (empty|blank)\."), lambda m, lang: _("Must not be empty.")),
    (
        re.compile(r"Must be a date \(YYYY-MM-DD\)\.|Not a valid date\."),
        lambda m, lang: _("Must be a date."),
    ),
    (
        re.compile(r"Must fall in the period \((\S+) to (\S+)\)\."),
        lambda m, lang: _(
            "Must fall in the period (%(start)s to %(end)s).",
            start=thai.show_date(m.group(1), lang),
            end=thai.show_date(m.group(2), lang),
        ),
    ),
    (re.compile(r"Must be text\."), lambda m, lang: _("Must be text.")),
    (re.compile(r"Must be true or false\."), lambda m, lang: _("Must be yes or no.")),
    (
        re.compile(r"Must be a number\.|Not a valid number\."),
        lambda m, lang: _("Must be a number."),
    ),
    (
        re.compile(r"At most (\d+) characters of text\."),
        lambda m, lang: _("At most %(n)s characters.", n=m.group(1)),
    ),
    (re.compile(r"A level from 1 to 5\."), lambda m, lang: _("A level from 1 to 5.")),
    (re.compile(r"A whole number, 0 or more\."), lambda m, lang: _("A whole number, 0 or more.")),
    (re.compile(r"0 or more\."), lambda m, lang: _("0 or more.")),
    (re.compile(r"Name someone else\."), lambda m, lang: _("Name someone other than yourself.")),
    (
        re.compile(r"No active user '(.*)'\."),
        lambda m, lang: _("No active user %(name)s.", name=m.group(1)),
    ),
    (re.compile(r"On or after starts_on\."), lambda m, lang: _("On or after the first day.")),
    (
        re.compile(r"At most (\d+) days after starts_on\."),
        lambda m, lang: _("At most %(n)s days after the first day.", n=m.group(1)),
    ),
    (re.compile(r"Today or later\."), lambda m, lang: _("Today or later.")),
    (re.compile(r"Unknown field.*"), lambda m, lang: _("Unknown field.")),
    (
        re.compile(r"The newest form has nothing filled in: .*"),
        lambda m, lang: _(
            "The newest form has nothing filled in: fill in its levels and upload it again."
        ),
    ),
    (re.compile(r"Enter the data first\."), lambda m, lang: _("Enter the data first.")),
    (re.compile(r"Attach the uploaded form\."), lambda m, lang: _("Attach the uploaded form.")),
    (re.compile(r"Too long\..*|Longer than maximum length.*"), lambda m, lang: _("Too long.")),
    # the catalogue's words for a KPI's scoring and a unit's targets
    (
        re.compile(r"Each threshold must be above the one before it\."),
        lambda m, lang: _("Each threshold must be above the one before it."),
    ),
    (
        re.compile(r"Each step must be above the one before it\."),
        lambda m, lang: _("Each step must be above the one before it."),
    ),
    (re.compile(r"From 0 to (\S+)\."), lambda m, lang: _("From 0 to %(n)s.", n=m.group(1))),
    # identity's words for a new user's fields
    (re.compile(r"Taken\."), lambda m, lang: _("Someone already has this username.")),
    (
        re.compile(r"At least (\d+) characters\."),
        lambda m, lang: _("At least %(n)s characters.", n=m.group(1)),
    ),
    (
        re.compile(r"2-64 characters: lower-case letters, digits, '\.', '_' or '-'\."),
        lambda m, lang: _("2 to 64 characters: lower-case English letters, digits, . _ or -."),
    ),
    (re.compile(r"Not a valid email address\."), lambda m, lang: _("Not a valid email address.")),
    (re.compile(r"Must not be the username\."), lambda m, lang: _("Must not be the username.")),
)


# The workflow's refusal of a check by whoever took part in the report (it names them).
_SEPARATION = re.compile(r".+ this report: someone else must (endorse|approve) it\.")


def separation_refusal() -> str:
    """The portal's words for a check that separation of duties refused."""
    return _(
        "Whoever created, changed the data of, submitted or endorsed a report may neither "
        "endorse nor approve it: someone else must."
    )


def refusal_detail(detail: str, lang: str) -> str:
    """A refusal's detail in the user's language where the portal knows it; else as sent."""
    if lang != "en" and _SEPARATION.fullmatch(detail.strip()):
        return separation_refusal()
    return detail


def field_message(text: str, lang: str) -> str:
    """One validation message of a field, in the user's language when the portal knows it."""
    for pattern, say in _FIELD_MESSAGES:
        if match := pattern.fullmatch(text.strip()):
            return say(match, lang)
    return text


def field_messages(errors: Mapping | None, lang: str) -> dict[str, list[str]]:
    """problem+json `errors` {field: [message]} (or nested dicts) flattened and translated."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list | tuple):
            for message in value:
                if isinstance(message, Mapping):
                    walk(prefix, message)
                else:
                    out.setdefault(prefix, []).append(field_message(str(message), lang))
        else:
            out.setdefault(prefix, []).append(field_message(str(value), lang))

    walk("", errors or {})
    return out


_SAME = {
    "each_appointment_once": lambda: _("the same appointment order and committee"),
    "agency_once_per_month": lambda: _("the same agency in the same month"),
    "person_course_once_per_year": lambda: _("the same person"),
    "external_awards_only": lambda: _("the same work"),
    "each_activity_once": lambda: _("the same activity"),
    "person_once_per_activity": lambda: _("the same person"),
}
_EARLIER_PERIOD = re.compile(r"already counted in (\S+) of this fiscal year")


def not_counted_reason(item: Mapping, rule: str | None, year: int, lang: str) -> str:
    """Why an item did not count, from its `reason_code`; the API's text when unknown."""
    code = item.get("reason_code")
    same = _SAME[rule]() if rule in _SAME else None
    if code == "repeat" and same and isinstance(item.get("repeat_of"), int):
        row = item["repeat_of"] + 1
        return _("A repeat of row %(row)d: %(same)s counts once.", row=row, same=same)
    if code == "counted_earlier" and same:
        found = _EARLIER_PERIOD.search(item.get("reason") or "")
        if found:
            return _(
                "Already counted in %(period)s: %(same)s counts once a fiscal year.",
                period=period_label(year, found.group(1)),
                same=same,
            )
    if code == "not_eligible" and rule == "external_awards_only" and item.get("external"):
        return _("Awarded by one of the department's own units: not an outside award.")
    if code == "not_eligible" and rule == "external_awards_only":
        return _("Only awards from outside bodies count.")
    if code == "not_eligible" and rule == "person_once_per_activity":
        return _(
            "Not one of the activities this unit listed in 15.1 for the period: list it there."
        )
    if code == "not_eligible" and rule == "agency_once_per_month":
        return _("One of the department's own units: only outside agencies count.")
    return str(item.get("reason") or "")
