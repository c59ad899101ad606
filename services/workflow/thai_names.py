"""How names of agencies and people are compared: one written form, and people without titles.

A person's titles come from a table (civil, military, police, academic, medical, royal,
courtesy; abbreviated and in full). Stripping one must never cut into the name:

- a title is stripped when a space follows it, or when it ends with "." ("น.ส.สมศรี");
- a title glued to the name ("นายสมชาย") is stripped only when what is left can start a
  Thai name (a consonant or a leading vowel). "นางสาวิตรี" is therefore นาง + "สาวิตรี":
  นางสาว would leave "ิตรี", which no word starts with; "คุณากร" and "ดรุณี" stay whole;
- titles are tried longest first, and again after each one stripped ("ว่าที่ ร.ต. ดร.").

A name that itself starts with a title and a consonant ("คุณวุฒิ") loses that title; every
spelling of it loses it alike ("นาย คุณวุฒิ" too), so the same person still matches.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters Thai text carries as invisible word-break hints.
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
_THAI = "\u0e00-\u0e7f"
# Thai writes no spaces inside a name, so a space that touches a Thai letter is typing noise.
_SPACE_BY_THAI = re.compile(rf"(?<=[{_THAI}]) | (?=[{_THAI}])")
# NIKHAHIT + SARA AA is how some keyboards type SARA AM; NFC leaves both spellings apart.
_SARA_AM = ("\u0e4d\u0e32", "\u0e33")
# What a Thai word can start with: a consonant (ก..ฮ) or a leading vowel (เ แ โ ใ ไ).
_NAME_START = re.compile("[\u0e01-\u0e2e\u0e40-\u0e44]|[^\u0e00-\u0e7f\\W\\d_]")


def _cleaned(text: str) -> str:
    """NFC, one spelling of SARA AM, no zero-width characters, single spaces, casefolded."""
    text = unicodedata.normalize("NFC", text).replace(*_SARA_AM)
    return _SPACES.sub(" ", _ZERO_WIDTH.sub("", text)).strip().casefold()


def normalise_name(text: str) -> str:
    """The form names are compared in: `_cleaned`, and no space next to a Thai letter.

    "สำนักงาน  ก.พ.ร." and "สำนักงานก.พ.ร." are the same agency; so are "OPDC " and "opdc".
    """
    return _SPACE_BY_THAI.sub("", _cleaned(text))


# Ranks a woman holds with "หญิง" after them (ร.ต.อ.หญิง, ว่าที่ร้อยตรีหญิง, พันเอกหญิง).
_RANKS = (
    # army, and the navy's and air force's ranks written alike
    "พลเอก", "พลโท", "พลตรี", "พันเอก", "พันโท", "พันตรี", "ร้อยเอก", "ร้อยโท", "ร้อยตรี",
    "จ่าสิบเอก", "จ่าสิบโท", "จ่าสิบตรี", "สิบเอก", "สิบโท", "สิบตรี", "พลทหาร",
    "พล.อ.", "พล.ท.", "พล.ต.", "พ.อ.", "พ.ท.", "พ.ต.", "ร.อ.", "ร.ท.", "ร.ต.",
    "จ.ส.อ.", "จ.ส.ท.", "จ.ส.ต.", "ส.อ.", "ส.ท.", "ส.ต.",
    # navy
    "พลเรือเอก", "พลเรือโท", "พลเรือตรี", "นาวาเอก", "นาวาโท", "นาวาตรี",
    "เรือเอก", "เรือโท", "เรือตรี", "พันจ่าเอก", "พันจ่าโท", "พันจ่าตรี",
    "จ่าเอก", "จ่าโท", "จ่าตรี", "พล.ร.อ.", "พล.ร.ท.", "พล.ร.ต.", "น.อ.", "น.ท.", "น.ต.",
    "พ.จ.อ.", "พ.จ.ท.", "พ.จ.ต.", "จ.อ.", "จ.ท.", "จ.ต.",
    # air force
    "พลอากาศเอก", "พลอากาศโท", "พลอากาศตรี", "นาวาอากาศเอก", "นาวาอากาศโท", "นาวาอากาศตรี",
    "เรืออากาศเอก", "เรืออากาศโท", "เรืออากาศตรี", "พันจ่าอากาศเอก", "พันจ่าอากาศโท",
    "พันจ่าอากาศตรี", "จ่าอากาศเอก", "จ่าอากาศโท", "จ่าอากาศตรี",
    "พล.อ.อ.", "พล.อ.ท.", "พล.อ.ต.", "น.อ.อ.", "พ.อ.อ.", "พ.อ.ท.", "พ.อ.ต.",
    # police
    "พลตำรวจเอก", "พลตำรวจโท", "พลตำรวจตรี", "พันตำรวจเอก", "พันตำรวจโท", "พันตำรวจตรี",
    "ร้อยตำรวจเอก", "ร้อยตำรวจโท", "ร้อยตำรวจตรี", "ดาบตำรวจ", "จ่าสิบตำรวจ",
    "สิบตำรวจเอก", "สิบตำรวจโท", "สิบตำรวจตรี", "พลตำรวจ",
    "พล.ต.อ.", "พล.ต.ท.", "พล.ต.ต.", "พ.ต.อ.", "พ.ต.ท.", "พ.ต.ต.",
    "ร.ต.อ.", "ร.ต.ท.", "ร.ต.ต.", "ด.ต.", "จ.ส.ต.", "ส.ต.อ.", "ส.ต.ท.", "ส.ต.ต.", "พลฯ",
)  # fmt: skip

TITLES: dict[str, tuple[str, ...]] = {
    "civil": ("นาย", "นาง", "นางสาว", "น.ส.", "เด็กชาย", "เด็กหญิง", "ด.ช.", "ด.ญ."),
    # "ว่าที่" (acting, before a reserve rank) is stripped on its own, then the rank.
    "military and police": ("ว่าที่", *_RANKS, *(r + "หญิง" for r in _RANKS)),
    "academic": (
        "ศ.", "รศ.", "ผศ.", "ดร.", "ดร", "ศาสตราจารย์", "รองศาสตราจารย์",
        "ผู้ช่วยศาสตราจารย์", "อาจารย์",
    ),
    "medical": (
        "นพ.", "พญ.", "ทพ.", "ทพญ.", "ภก.", "ภญ.", "นายแพทย์", "แพทย์หญิง",
        "ทันตแพทย์", "ทันตแพทย์หญิง", "เภสัชกร", "เภสัชกรหญิง",
    ),
    "royal": (
        "ม.จ.", "ม.ร.ว.", "ม.ล.", "หม่อมเจ้า", "หม่อมราชวงศ์", "หม่อมหลวง", "คุณหญิง",
        "ท่านผู้หญิง",
    ),
    "courtesy": ("คุณ",),
    "latin": ("mr.", "mrs.", "ms.", "miss", "dr.", "mr", "mrs", "ms", "dr"),
}  # fmt: skip

# Every title in the form names are compared in (so "ร.ต.อ. หญิง" is "ร.ต.อ.หญิง"), longest first.
_ORDERED = tuple(
    sorted({normalise_name(t) for group in TITLES.values() for t in group}, key=len, reverse=True)
)
_THAI_TITLE = re.compile(f"[{_THAI}]")
# "ร.ต.อ. หญิง" is the rank "ร.ต.อ.หญิง" typed with a space.
_RANK_THEN_WOMAN = re.compile(r"(?<=\.) (?=หญิง)")


def _after_title(name: str, title: str) -> str | None:
    """What is left of `name` once `title` is stripped from its start, or None if it may not be."""
    if not name.startswith(title):
        return None
    rest = name[len(title) :]
    spaced = rest[:1] == " " or title.endswith(".")
    if _THAI_TITLE.search(title):
        fits = spaced or _NAME_START.match(rest) is not None
    else:  # a Latin title ends at a space or a dot: "Drake" is no "Dr" + "ake"
        fits = spaced or rest[:1] == "."
    rest = rest.lstrip(" .")
    return rest if fits and rest else None


def _without_titles(name: str) -> str:
    while True:
        rest = next((r for t in _ORDERED if (r := _after_title(name, t)) is not None), None)
        if rest is None:
            return name
        name = rest


def normalise_person(text: str) -> str:
    """A person's name without the titles and ranks before it, in the form names compare in.

    "นาย สมชาย ใจดี", "สมชาย ใจดี" and "ว่าที่ ร.ต. ดร.สมชาย  ใจดี" are one person.
    """
    cleaned = _cleaned(text)
    # Titles are matched in the compared form, but with the spaces the writer typed after them.
    spaced = _RANK_THEN_WOMAN.sub("", cleaned)
    return normalise_name(_without_titles(spaced))
