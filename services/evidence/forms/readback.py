"""Reading a filled form back: its identity (custom properties) and the values it holds."""

from __future__ import annotations

from typing import Any, BinaryIO


def read_form(spool: BinaryIO, fields: dict[str, str]) -> dict[str, Any] | None:
    return None
