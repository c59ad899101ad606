"""The worker that counts a stale year again: a loop in the service's runtime (beside the
event consumer and the round reports' worker) that claims one stale year at a time.

A new or moved unit, or a change to a year's structure, marks the year stale; reads keep
answering its last figures, marked stale with the time they were counted, until this
worker has copied the year from the catalogue and counted it again in one transaction
(`catalogue_copy.copy_year`, its reports streamed), which readers see whole or not at all.
A claim is a conditional update (two counters never take one year); a claim older than the
lease belongs to a counter that died, and the year is taken again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import structlog
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from common.db import unit_of_work
from common.events import utcnow
from services.scorecard import catalogue_copy
from services.scorecard.catalogue_copy import Catalogue
from services.scorecard.models import YearCopy

log = structlog.get_logger("rbm.scorecard.year_counter")
POLL_SECONDS = 1.0
# Longer than a national year's count takes (a million reports): a second counter taking a
# year still being counted would wait for the first, then count it once more.
LEASE = timedelta(minutes=30)


@dataclass
class YearCounter:
    factory: sessionmaker[Session]
    catalogue: Catalogue
    lease: timedelta = LEASE

    def run(self, stop: Any) -> None:
        while not stop.is_set():
            try:
                counted = self.count_next(utcnow())
            except Exception:  # noqa: BLE001 - a database or catalogue hiccup must not end the loop
                log.exception("year_count.failed")
                counted = None
            if counted is None:
                stop.wait(POLL_SECONDS)

    def count_next(self, now: datetime) -> int | None:
        """Count the next stale year again, if any; the year counted."""
        year = self.claim(now)
        if year is None:
            return None
        try:
            with unit_of_work(self.factory) as session:
                catalogue_copy.copy_year(session, self.catalogue, year)
        except Exception:
            self.release(year, now)  # tried again at the next look
            raise
        log.info("year_count.done", year=year, seconds=(utcnow() - now).total_seconds())
        return year

    def claim(self, now: datetime) -> int | None:
        """Take the lowest stale year nobody counts (or whose claim outlived its lease)."""
        with unit_of_work(self.factory, writes=False) as session:
            row = session.execute(
                select(YearCopy.year, YearCopy.counting_since)
                .where(YearCopy.stale, self._free(now))
                .order_by(YearCopy.year)
                .limit(1)
            ).first()
        if row is None:
            return None
        with unit_of_work(self.factory) as session:
            as_read = (
                YearCopy.counting_since.is_(None)
                if row.counting_since is None
                else YearCopy.counting_since == row.counting_since
            )
            taken = session.execute(
                update(YearCopy)
                .where(YearCopy.year == row.year, YearCopy.stale, as_read)
                .values(counting_since=now)
            )
            return row.year if cast(CursorResult, taken).rowcount == 1 else None

    def _free(self, now: datetime) -> Any:
        return or_(YearCopy.counting_since.is_(None), YearCopy.counting_since < now - self.lease)

    def release(self, year: int, claimed_at: datetime) -> None:
        with unit_of_work(self.factory) as session:
            session.execute(
                update(YearCopy)
                .where(YearCopy.year == year, YearCopy.counting_since == claimed_at)
                .values(counting_since=None)
            )
