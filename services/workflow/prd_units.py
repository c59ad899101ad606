"""Whether a name written in a report is one of PRD's own units (never an outside agency).

A unit is recognised by what the catalogue says of it (code, Thai and English names, aliases)
and by the forms PRD's units are written in whatever the catalogue holds: "กปส.", "สปข. 1",
"ส.ปชส.เชียงใหม่" (every province has a PRD office, listed in the catalogue or not), the radio
stations "สวท. ..." and the television station "สทท."/NBT. Names compare without spaces and
dots ("สปข.1", "สปข. 1" and "สปข 1" are one), with Thai digits read as Arabic ones.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping

from services.workflow.thai_names import normalise_name

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SPACES_AND_DOTS = re.compile(r"[\s.]")

# How PRD's units are written, abbreviated and in full, as patterns of `alias_key`'s form (no
# spaces nor dots, lower case): whatever follows a province's or a station's prefix is its name.
# NBTC (the broadcasting regulator) is an outside agency, not NBT.
PRD_FORMS: Mapping[str, tuple[str, ...]] = {
    "the department": ("กปส.*", "กรมประชาสัมพันธ์.*", "prd"),
    "a regional office": (r"สปข\d*", r"สำนักประชาสัมพันธ์เขต\d*"),
    "a provincial office": ("สปชส.+", "ปชส.+", "สำนักงานประชาสัมพันธ์จังหวัด.+", "ประชาสัมพันธ์จังหวัด.+"),
    "a radio station": ("สวท.*", "สถานีวิทยุกระจายเสียงแห่งประเทศไทย.*"),
    "the television station": ("สทท.*", "สถานีวิทยุโทรทัศน์แห่งประเทศไทย.*", "nbt(?!c).*"),
}
_PRD = re.compile("|".join(f"(?:{f})" for forms in PRD_FORMS.values() for f in forms))


def alias_key(text: str) -> str:
    """The form a unit's name compares in: normalised, Arabic digits, no spaces nor dots."""
    return _SPACES_AND_DOTS.sub("", normalise_name(text).translate(_THAI_DIGITS))


def own_unit_names(units: Iterable[Mapping]) -> frozenset[str]:
    """The department's own units as names compare: codes, Thai and English names, aliases."""
    names = [u.get(k) for u in units for k in ("name_th", "name_en", "code")]
    names += [a for u in units for a in u.get("aliases") or ()]
    return frozenset(alias_key(str(n)) for n in names if n)


def is_own_unit(name: str, own_units: Collection[str]) -> bool:
    """Whether `name` is one of PRD's units: listed in `own_units`, or written in PRD's forms."""
    key = alias_key(name)
    return key in own_units or _PRD.fullmatch(key) is not None
