"""The unit picker: the catalogue's unit tree as one drop-down, each unit by its Thai name with
its code beside, a region's provinces grouped under it, and a choice of "the unit and every
unit below it" where a list can be narrowed that way.

A choice is a unit's code (that unit alone) or the code followed by BELOW (the unit and every
unit under it, at any depth), which the workflow reads as `within`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

BELOW = "*"
_NUMBER = re.compile(r"(\d+)")


@dataclass
class Node:
    """One unit of the tree with the units right below it."""

    code: str
    unit: Mapping
    children: list[Node] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """What a picker's choice narrows a list to: one unit, or a unit and those below it."""

    unit: str = ""
    below: bool = False

    @property
    def chosen(self) -> str:
        """The picker's value for this scope."""
        return f"{self.unit}{BELOW}" if self.unit and self.below else self.unit

    def params(self) -> dict[str, str]:
        """The workflow's query for this scope: `within` a unit, or one `unit`."""
        if not self.unit:
            return {}
        return {"within": self.unit} if self.below else {"unit": self.unit}


def scope_of(text: str | None) -> Scope:
    """The scope of a picker's value ("R1", "R1*" or "" for every unit)."""
    text = (text or "").strip()[:33]
    if text.endswith(BELOW):
        return Scope(text.removesuffix(BELOW), below=bool(text.removesuffix(BELOW)))
    return Scope(text)


def natural(code: str) -> tuple:
    """R2 before R10, B01 before ITC."""
    return tuple(int(part) if part.isdigit() else part for part in _NUMBER.split(code))


def tree(known: Mapping[str, Mapping], roots: Iterable[str]) -> list[Node]:
    """The units under each root (and the roots), as nodes; a root under another root is
    shown once, under it."""
    below: dict[str, list[str]] = {}
    for code, unit in known.items():
        below.setdefault(unit.get("parent") or "", []).append(code)
    wanted = set(roots) & set(known)
    tops = [c for c in wanted if not _has_ancestor_in(c, wanted, known)]

    def grow(code: str, seen: frozenset[str]) -> Node:
        children = sorted(below.get(code, []), key=natural)
        node = Node(code, known[code])
        node.children = [grow(c, seen | {code}) for c in children if c not in seen]
        return node

    return [grow(code, frozenset()) for code in sorted(tops, key=natural)]


def _has_ancestor_in(code: str, wanted: set[str], known: Mapping[str, Mapping]) -> bool:
    seen, parent = {code}, known[code].get("parent")
    while parent and parent not in seen:
        if parent in wanted:
            return True
        seen.add(parent)
        parent = known.get(parent, {}).get("parent")
    return False


@dataclass(frozen=True)
class Option:
    value: str
    unit: Mapping
    depth: int = 0
    below: bool = False


@dataclass(frozen=True)
class Group:
    """Options of a drop-down under one label (a unit with units below it), or under none."""

    label: Mapping | None
    options: tuple[Option, ...]


def groups(nodes: Iterable[Node], below: bool) -> list[Group]:
    """The picker's options: a unit with units below it heads a group of its own (its choice
    "and below" first when offered, then itself, then those below it, indented); the units
    with nothing below them go in order between the groups."""
    out: list[Group] = []
    loose: list[Option] = []

    def flush() -> None:
        if loose:
            out.append(Group(None, tuple(loose)))
            loose.clear()

    def walk(node: Node, depth: int) -> None:
        if not node.children:
            loose.append(Option(node.code, node.unit, depth))
            return
        flush()
        options = [Option(f"{node.code}{BELOW}", node.unit, 0, True)] if below else []
        options.append(Option(node.code, node.unit, 0))
        if depth > 0 or all(not c.children for c in node.children):
            # A region: its provinces (and anything under them) in its group.
            options += [Option(c.code, c.unit, 1) for c in _descendants(node)]
            out.append(Group(node.unit, tuple(options)))
            return
        out.append(Group(node.unit, tuple(options)))
        for child in node.children:
            walk(child, depth + 1)
        flush()

    for node in nodes:
        walk(node, 0)
    flush()
    return out


def _descendants(node: Node) -> list[Node]:
    found = []
    for child in node.children:
        found.append(child)
        found += _descendants(child)
    return found
