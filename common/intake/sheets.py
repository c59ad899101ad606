"""The text cells of a workbook (.xlsx): none may open as a formula (see `cells`).

A cell's text is in the sheet (an inline string) or in the shared strings, by number. The
shared strings are read first and only the numbers of those that would run are kept; each
sheet is then streamed, so a large workbook costs little memory. Formula cells proper (`<f>`)
are the ooxml check's business: it refuses those that call another program."""

from __future__ import annotations

import re
import zipfile
from typing import BinaryIO

from defusedxml.ElementTree import DefusedXMLParser

from common.intake.cells import formula_refused, is_formula
from common.intake.ooxml import content_types, feed_part, type_of

SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml."
SHARED_STRINGS = SPREADSHEET + "sharedStrings+xml"
WORKSHEET = SPREADSHEET + "worksheet+xml"
CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")


class _Text:
    """Collects the text of `<v>` and `<t>` elements, leaving out phonetic hints (`<rPh>`)."""

    def __init__(self):
        self.collecting = False
        self.phonetic = False
        self.text: list[str] = []

    def start(self, tag, attrs):
        local = tag.rpartition("}")[2]
        self.phonetic = self.phonetic or local == "rPh"
        self.collecting = local in ("v", "t") and not self.phonetic
        self.opened(local, attrs)

    def end(self, tag):
        local = tag.rpartition("}")[2]
        self.phonetic = self.phonetic and local != "rPh"
        self.collecting = False
        self.closed(local)

    def data(self, text):
        if self.collecting:
            self.text.append(text)

    def taken(self) -> str:
        text, self.text = "".join(self.text), []
        return text

    def opened(self, local: str, attrs) -> None: ...

    def closed(self, local: str) -> None: ...


class _SharedStrings(_Text):
    """Numbers the shared strings as they go by; keeps the numbers of those that would run."""

    def __init__(self):
        super().__init__()
        self.index = 0
        self.running: set[int] = set()

    def closed(self, local: str) -> None:
        if local == "si":
            if is_formula(self.taken()):
                self.running.add(self.index)
            self.index += 1

    def close(self):
        return self.running


class _Sheet(_Text):
    """Refuses the first text cell that would run: a shared string kept, or an inline one."""

    def __init__(self, part: str, running: set[int]):
        super().__init__()
        self.part, self.running = part, running
        self.ref, self.kind = "", ""

    def opened(self, local: str, attrs) -> None:
        if local == "c":
            self.ref, self.kind = attrs.get("r", ""), attrs.get("t", "n")
            self.taken()

    def closed(self, local: str) -> None:
        if local != "c":
            return
        text = self.taken()
        shared = self.kind == "s" and text.strip().isdigit() and int(text) in self.running
        if shared or (self.kind == "inlineStr" and is_formula(text)):
            found = CELL_REF.fullmatch(self.ref)
            line, column = (int(found[2]), found[1].upper()) if found else (0, "?")
            raise formula_refused(line, column, where=f"In {self.part}")

    def close(self):
        return None


def inspect(spool: BinaryIO) -> None:
    """Refuse a workbook (already past the ooxml check) with a text cell that would run."""
    spool.seek(0)
    with zipfile.ZipFile(spool) as archive:
        types = content_types(archive)
        entries = archive.infolist()
        running: set[int] = set()
        for info in entries:
            if type_of(info.filename, types) == SHARED_STRINGS:
                parser = DefusedXMLParser(target=_SharedStrings(), forbid_dtd=True)
                running |= feed_part(archive, info, parser)
        for info in entries:
            if type_of(info.filename, types) == WORKSHEET:
                parser = DefusedXMLParser(target=_Sheet(info.filename, running), forbid_dtd=True)
                feed_part(archive, info, parser)
    spool.seek(0)
