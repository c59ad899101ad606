"""Office Open XML (docx, xlsx): macros, external references, DTDs, zip bombs, path tricks,
DDE, fields that fetch outside files, packaged files and imported chunks."""

from __future__ import annotations

import re
import stat
import unicodedata
import warnings
import zipfile
from typing import BinaryIO
from urllib.parse import urlsplit

import olefile
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from common.intake.base import Limits, refuse

CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
OTHER_MAIN = {
    "wordprocessingml.template": "a Word template (.dotx)",
    "presentationml": "a PowerPoint file",
    "spreadsheetml.template": "an Excel template (.xltx)",
}
MACRO_PART_NAMES = {"vbaproject.bin", "vbadata.xml", "vbaprojectsignature.bin"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HYPERLINK = "/hyperlink"
ALT_CHUNK = "/aFChunk"
SAFE_LINK_SCHEMES = {"http", "https", "mailto"}
CHUNK = 64 * 1024


def inspect(spool: BinaryIO, limits: Limits) -> str:
    """The kind (docx or xlsx) of a safe OOXML package; 422 with the reason otherwise."""
    try:
        archive = zipfile.ZipFile(spool)
    except (zipfile.BadZipFile, OSError) as exc:
        raise refuse("damaged", "The file is not a readable Office document.") from exc
    with archive:
        entries = archive.infolist()
        _check_container(entries, limits)
        try:
            types = content_types(archive)
            kind = _kind(types)
            _check_macros(archive, entries, types)
            for info in entries:
                lower = info.filename.lower()
                if lower.endswith((".xml", ".rels")) or type_of(info.filename, types).endswith(
                    "xml"
                ):
                    _check_xml(archive, info)
                if lower.endswith(".rels"):
                    _check_relationships(archive, info)
        except zipfile.BadZipFile as exc:
            raise refuse("damaged", "The file is not a readable Office document.") from exc
    return kind


def _check_container(entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(entries) > limits.max_entries:
        raise refuse("zip-bomb", f"The document has more than {limits.max_entries} parts.")
    total = 0
    seen: set[str] = set()
    for info in entries:
        _check_name(info)
        folded = info.filename.casefold()
        if folded in seen:
            raise refuse("path", f"The document holds the part '{info.filename}' twice.")
        seen.add(folded)
        total += info.file_size
        if total > limits.max_uncompressed:
            raise refuse(
                "zip-bomb",
                f"The document unpacks to more than {limits.max_uncompressed // 2**20} MB.",
            )
        if info.file_size > limits.ratio_floor and (
            info.compress_size == 0 or info.file_size / info.compress_size > limits.max_ratio
        ):
            raise refuse(
                "zip-bomb", f"The part '{info.filename}' is compressed suspiciously tightly."
            )


def _check_name(info: zipfile.ZipInfo) -> None:
    name = info.filename
    parts = name.split("/")
    bad = (
        not name
        or name.startswith("/")
        or "\\" in name
        or ":" in name
        or ".." in parts
        or "." in parts
        or any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name)
        or stat.S_ISLNK(info.external_attr >> 16)
    )
    if bad:
        raise refuse("path", f"The document has a part with an unsafe name: {name!r}.")


def content_types(archive: zipfile.ZipFile) -> dict[str, dict[str, str]]:
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError as exc:
        raise refuse("type-mismatch", "The file is a zip archive, not an Office document.") from exc
    root = _parse(archive, info)
    defaults, overrides = {}, {}
    for node in root:
        if node.tag == f"{CT_NS}Default":
            defaults[node.get("Extension", "").lower()] = node.get("ContentType", "")
        elif node.tag == f"{CT_NS}Override":
            overrides[node.get("PartName", "").lstrip("/").lower()] = node.get("ContentType", "")
    return {"defaults": defaults, "overrides": overrides}


def type_of(name: str, types: dict[str, dict[str, str]]) -> str:
    lower = name.lower()
    if lower in types["overrides"]:
        return types["overrides"][lower]
    return types["defaults"].get(lower.rpartition(".")[2], "")


def _kind(types: dict[str, dict[str, str]]) -> str:
    all_types = list(types["overrides"].values()) + list(types["defaults"].values())
    if any("macroenabled" in t.lower() for t in all_types):
        raise refuse("macros", "The document is macro-enabled; macros are not accepted.")
    kinds = {MAIN_TYPES[t] for t in all_types if t in MAIN_TYPES}
    if len(kinds) == 1:
        return kinds.pop()
    for marker, what in OTHER_MAIN.items():
        if any(marker in t for t in all_types):
            raise refuse("type-mismatch", f"The file is {what}, not a .docx or .xlsx.")
    raise refuse("type-mismatch", "The file is not a Word (.docx) or Excel (.xlsx) document.")


def _check_macros(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], types) -> None:
    for info in entries:
        base = info.filename.rpartition("/")[2].lower()
        part_type = type_of(info.filename, types).lower()
        if base in MACRO_PART_NAMES or "vba" in part_type or "macrosheet" in part_type:
            raise refuse("macros", f"The document carries macros ({info.filename}).")
        if "/activex/" in f"/{info.filename.lower()}" or "activex" in part_type:
            raise refuse("macros", f"The document carries ActiveX controls ({info.filename}).")
        if base.rpartition(".")[2] in ("docm", "dotm", "xlsm", "xltm", "xlam", "pptm"):
            raise refuse("macros", f"The document embeds a macro-enabled file ({info.filename}).")
        if info.file_size >= len(OLE_MAGIC):
            with archive.open(info) as member:
                head = member.read(len(OLE_MAGIC))
            if head == OLE_MAGIC and _ole_is_package(archive, info):
                raise refuse(
                    "ole-package", f"The document embeds a packaged file ({info.filename})."
                )
            if head == OLE_MAGIC and _ole_has_macros(archive, info):
                raise refuse("macros", f"An embedded object carries macros ({info.filename}).")


def _ole_is_package(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an embedded OLE object is a Packager shell object: any file, run on a click."""
    with olefile.OleFileIO(archive.read(info)) as ole:
        return any(entry[-1].lower() == "\x01ole10native" for entry in ole.listdir())


def _ole_has_macros(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an embedded OLE object (an old .doc or .xls inside the file) holds VBA."""
    # Imported here: olevba is slow to import and few files need it; its pyparsing grammar
    # warns about deprecated names at import time, which says nothing about the file.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import VBA_Parser

    parser = VBA_Parser(info.filename, data=archive.read(info))
    try:
        return bool(parser.detect_vba_macros())
    finally:
        parser.close()


# Word fields that fetch or run something outside the document when it is opened or updated.
DDE_FIELD = re.compile(r"\bDDE(?:AUTO)?\b", re.IGNORECASE)
OUTSIDE_FIELD = re.compile(r"\b(INCLUDEPICTURE|INCLUDETEXT|INCLUDE|IMPORT|LINK)\b", re.IGNORECASE)
# A spreadsheet formula naming another program: =cmd|' /C calc'!A0 (outside quoted text).
DDE_FORMULA = re.compile(r"""^(?:[^"']|"[^"]*"|'[^']*')*?[\w.]+\|""")
INSTRUCTIONS = ("instrText", "delInstrText")


class _Watch:
    """An ElementTree target that keeps nothing but the field codes and formulas it checks.

    Each field's code is checked on its own: a simple field's `instr`, or the instruction runs
    between a complex field's `begin` and its `end` (split over runs, nested fields each apart).
    Joining the codes of different fields would let `... MERGEFORMAT` run into `DDEAUTO` and
    hide its word boundary. Instruction runs outside any field are read per paragraph."""

    def __init__(self, part: str):
        self.part = part
        self.text: list[str] | None = None
        self.fields: list[list[str]] = []  # the codes of the complex fields open, innermost last
        self.loose: list[str] = []  # instruction runs of the paragraph outside any field

    def start(self, tag, attrs):
        local = tag.rpartition("}")[2]
        if local in (*INSTRUCTIONS, "f"):
            self.text = []
        elif local == "fldSimple":
            self._check_field(_attr(attrs, "instr"))
        elif local == "fldChar":
            self._field_char(_attr(attrs, "fldCharType"))
        elif local in ("ddeLink", "oleLink"):
            raise refuse("dde", f"The workbook links to another program ({self.part}).")
        elif local == "altChunk":
            raise refuse("alt-chunk", f"The document imports another file ({self.part}).")
        elif local == "OLEObject" and _attr(attrs, "ProgID").lower().startswith("package"):
            raise refuse("ole-package", f"The document embeds a packaged file ({self.part}).")

    def _field_char(self, kind: str) -> None:
        if kind == "begin":
            self.fields.append([])
        elif kind == "end" and self.fields:
            self._check_field("".join(self.fields.pop()))

    def end(self, tag):
        local = tag.rpartition("}")[2]
        if local == "p":
            self._check_loose()
        if self.text is None or local not in (*INSTRUCTIONS, "f"):
            return
        text, self.text = "".join(self.text), None
        if local != "f":
            (self.fields[-1] if self.fields else self.loose).append(text)
        elif DDE_FORMULA.match(text):
            raise refuse("dde", f"A formula calls another program (DDE) in {self.part}.")

    def data(self, text):
        if self.text is not None:
            self.text.append(text)

    def close(self):
        for runs in self.fields:  # fields never ended: still checked
            self._check_field("".join(runs))
        self._check_loose()

    def _check_loose(self) -> None:
        """Loose runs may be one code split or several codes: read joined and each alone, so
        a run that opens with a keyword is caught after a run that ends in a letter."""
        for code in ("".join(self.loose), *self.loose):
            self._check_field(code)
        self.loose = []

    def _check_field(self, code: str) -> None:
        if DDE_FIELD.search(code):
            raise refuse("dde", f"The document runs another program (a DDE field in {self.part}).")
        if found := OUTSIDE_FIELD.search(code):
            raise refuse(
                "external-reference",
                f"The document fetches an outside file (an {found[1].upper()} field in "
                f"{self.part}).",
            )


def _attr(attrs: dict, name: str) -> str:
    """An attribute by its local name, whatever its namespace."""
    return next((v for k, v in attrs.items() if k.rpartition("}")[2] == name), "")


def _check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    parser = DefusedXMLParser(target=_Watch(info.filename), forbid_dtd=True)
    feed_part(archive, info, parser)


def _parse(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    parser = DefusedXMLParser(forbid_dtd=True)
    return feed_part(archive, info, parser)


def feed_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, parser: DefusedXMLParser):
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                parser.feed(chunk)
        return parser.close()
    except DefusedXmlException as exc:
        raise refuse(
            "dtd", f"The part '{info.filename}' declares a DTD or entities, which is not allowed."
        ) from exc
    except SyntaxError as exc:  # xml.etree.ElementTree.ParseError
        raise refuse("damaged", f"The part '{info.filename}' is not well-formed XML.") from exc


def _check_relationships(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    for rel in _parse(archive, info).iter(f"{REL_NS}Relationship"):
        target = rel.get("Target", "")
        kind = rel.get("Type", "")
        # An imported chunk (HTML, RTF, another document) is rendered as if it were the document.
        if kind.endswith(ALT_CHUNK):
            raise refuse("alt-chunk", f"The document imports another file ({info.filename}).")
        if rel.get("TargetMode", "").lower() != "external":
            continue
        # A hyperlink is only followed when clicked; Word makes one of every URL typed into a
        # form. Anything else external (attachedTemplate, OLE links, frames, remote images) is
        # fetched on open: remote template injection and credential leaks.
        if kind.endswith(HYPERLINK) and urlsplit(target).scheme.lower() in SAFE_LINK_SCHEMES:
            continue
        what = kind.rpartition("/")[2] or "relationship"
        raise refuse(
            "external-reference",
            f"The document refers to an outside resource ({what} in {info.filename}).",
        )
