"""Long lists shown a page at a time: which rows a page holds and the links to the others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import request, url_for


@dataclass(frozen=True)
class Pager:
    """Page `number` (from 1) of `pages`, of `total` rows."""

    number: int
    pages: int
    total: int
    size: int

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.size

    def link(self, number: int) -> str:
        """This page's address with another page number (its other arguments kept)."""
        args = {**(request.view_args or {}), **request.args.to_dict(), "page": number}
        return url_for(request.endpoint or "", **args)


def paged(rows: Sequence[Any], size: int) -> tuple[Sequence[Any], Pager]:
    """The rows of the page asked for (`?page=`, the last one when past the end)."""
    pages = max((len(rows) + size - 1) // size, 1)
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    pager = Pager(number, pages, len(rows), size)
    return rows[pager.first_row : pager.first_row + size], pager
