"""Waiting for what the system does a moment later (events, read models, processes)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(
    check: Callable[[], T], timeout: float = 30.0, interval: float = 0.2, what: str = ""
) -> T:
    """Ask `check()` until it answers something truthy without failing an assertion, and
    return that answer; past `timeout`, fail with its last assertion or naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        else:
            if answer:
                return answer
            if time.monotonic() > deadline:
                raise AssertionError(f"never happened: {what or check}; last answer {answer!r}")
        time.sleep(interval)


def until_passes(check: Callable[[], object], timeout: float = 30.0) -> None:
    """Run `check`, whose assertions say what is expected, until it passes."""
    eventually(lambda: check() or True, timeout)


def settled(
    read: Callable[[], T],
    until: Callable[[T], bool] = lambda _answer: True,
    timeout: float = 30.0,
    interval: float = 0.5,
) -> T:
    """What `read()` answers once two reads `interval` apart agree and the answer meets
    `until`: a read model that follows events a moment after them has caught up."""
    seen: list[T] = []

    def agreed() -> tuple[T] | None:
        now = read()
        same = bool(seen) and seen[-1] == now and until(now)
        seen.append(now)
        return (now,) if same else None

    return eventually(agreed, timeout, interval, what=f"a settled answer of {read}")[0]
