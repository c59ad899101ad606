"""The worker that builds round reports: a loop in the service's runtime (no Celery worker
serves the scorecard) that claims one queued report at a time from its table.

A claim is a conditional update (the row as it was read, or nothing): two workers never take
the same report. A claim older than the lease belongs to a worker that died: the report is
taken again, up to `max_attempts` times, then marked failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import structlog
from sqlalchemy import CursorResult, and_, case, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from common.clients import ServiceClient
from common.db import unit_of_work
from common.errors import Conflict
from common.events import utcnow
from services.scorecard import round_content, round_document
from services.scorecard.catalogue_copy import Catalogue
from services.scorecard.models import RoundReport
from services.scorecard.round_reports import (
    BUILDING,
    EXPIRED,
    FAILED,
    QUEUED,
    READY,
    RoundPolicy,
)

log = structlog.get_logger("rbm.scorecard.round_reports")
POLL_SECONDS = 1.0
PURGE_EVERY = timedelta(minutes=10)
RETRY_AFTER = timedelta(seconds=30)


class TooLarge(Exception):
    """The document is over the size the table keeps."""


@dataclass
class RoundWorker:
    factory: sessionmaker[Session]
    catalogue: Catalogue
    workflow: ServiceClient
    policy: RoundPolicy

    def run(self, stop: Any) -> None:
        purge_at = utcnow()
        while not stop.is_set():
            try:
                if utcnow() >= purge_at:
                    self.purge_expired(utcnow())
                    purge_at = utcnow() + PURGE_EVERY
                claimed = self.claim(utcnow())
            except Exception:  # noqa: BLE001 - a database hiccup must not end the loop
                log.exception("round_report.claim_failed")
                claimed = None
            if claimed is None:
                stop.wait(POLL_SECONDS)
            else:
                self.build(*claimed)

    def claim(self, now: datetime) -> tuple[str, datetime] | None:
        """Take the oldest queued report (or one whose claim outlived its lease)."""
        # Looked for without the write lock (SQLite's): the worker looks every second.
        with unit_of_work(self.factory, writes=False) as session:
            row = session.execute(
                select(
                    RoundReport.id, RoundReport.state, RoundReport.claimed_at, RoundReport.attempts
                )
                .where(
                    or_(
                        # One given back after a failed build waits a while before its next try.
                        and_(
                            RoundReport.state == QUEUED,
                            or_(
                                RoundReport.claimed_at.is_(None),
                                RoundReport.claimed_at < now - RETRY_AFTER,
                            ),
                        ),
                        and_(
                            RoundReport.state == BUILDING,
                            RoundReport.claimed_at < now - self.policy.lease,
                        ),
                    )
                )
                .order_by(RoundReport.requested_at)
                .limit(1)
            ).first()
        if row is None:
            return None
        with unit_of_work(self.factory) as session:
            as_read = [RoundReport.id == row.id, RoundReport.state == row.state]
            as_read.append(
                RoundReport.claimed_at.is_(None)
                if row.claimed_at is None
                else RoundReport.claimed_at == row.claimed_at
            )
            if row.attempts >= self.policy.max_attempts:
                session.execute(
                    update(RoundReport)
                    .where(*as_read)
                    .values(
                        state=FAILED,
                        finished_at=now,
                        error="The build stopped every time it was tried.",
                    )
                )
                return None
            taken = session.execute(
                update(RoundReport)
                .where(*as_read)
                .values(state=BUILDING, claimed_at=now, attempts=row.attempts + 1, progress=5)
            )
            return (row.id, now) if cast(CursorResult, taken).rowcount == 1 else None

    def build(self, report_id: str, claimed_at: datetime) -> None:
        try:
            content = self._document(report_id, claimed_at)
            if len(content) > self.policy.max_bytes:
                raise TooLarge(
                    f"The document is {len(content)} bytes, over {self.policy.max_bytes}."
                )
        except TooLarge as exc:
            self.mark(report_id, claimed_at, state=FAILED, finished_at=utcnow(), error=str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - any failure is the report's, said in its row
            log.exception("round_report.failed", report_id=report_id)
            self.give_back(report_id, claimed_at, _reason(exc))
            return
        now = utcnow()
        self.mark(
            report_id,
            claimed_at,
            state=READY,
            progress=100,
            content=content,
            size=len(content),
            finished_at=now,
            expires_at=now + self.policy.keep,
        )

    def _document(self, report_id: str, claimed_at: datetime) -> bytes:
        with unit_of_work(self.factory, writes=False) as session:
            report = session.get_one(RoundReport, report_id)
            ask: dict[str, Any] = {"year": report.year, "unit": report.unit, "as_of": report.as_of}
            fmt = report.format
        files = round_content.evidence_files(self.workflow, ask["year"], ask["unit"], ask["as_of"])
        self.mark(report_id, claimed_at, progress=30)
        context = self._context(ask, files)
        self.mark(report_id, claimed_at, progress=50)
        content = round_document.render_docx(context)
        if fmt == "pdf":
            self.mark(report_id, claimed_at, progress=70)
            content = round_document.to_pdf(content)
        return content

    def _context(self, ask: dict[str, Any], files: dict[str, list[dict]] | None) -> dict:
        # Copying the year (its first read) writes: the context is made in a writing unit.
        # A reader copying it at the same time wins the race (409): the copy is then read.
        for attempt in (1, 2):
            try:
                with unit_of_work(self.factory) as session:
                    return round_content.context(session, self.catalogue, ask, files, utcnow())
            except Conflict:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def give_back(self, report_id: str, claimed_at: datetime, reason: str) -> None:
        """A build that failed is queued again (a database or a service that did not answer
        may answer the next time) until its attempts are spent; then it is failed."""
        spent = RoundReport.attempts >= self.policy.max_attempts
        self.mark(
            report_id,
            claimed_at,
            state=case((spent, FAILED), else_=QUEUED),
            finished_at=case((spent, utcnow()), else_=None),
            progress=0,
            error=reason,
        )

    def mark(self, report_id: str, claimed_at: datetime, **values: Any) -> None:
        """Change the report while this worker's claim holds (a later claim's worker owns it)."""
        with unit_of_work(self.factory) as session:
            session.execute(
                update(RoundReport)
                .where(RoundReport.id == report_id, RoundReport.claimed_at == claimed_at)
                .values(**values)
            )

    def purge_expired(self, now: datetime) -> None:
        """Drop the documents kept past their expiry (the rows stay, to say they expired)."""
        with unit_of_work(self.factory) as session:
            session.execute(
                update(RoundReport)
                .where(RoundReport.state == READY, RoundReport.expires_at < now)
                .values(state=EXPIRED, content=None)
            )


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]
