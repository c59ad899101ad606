"""`python -m services.notifications.rebuild`: the local copies rebuilt from the producers.

People, memberships, unit names, delegations, data collectors and report states are emptied,
then refilled from identity's, catalogue's and workflow's feeds (what they keep: the retention
period) and identity's and catalogue's current lists. Nobody is notified again: report events
only set report states. The system must be running (the feeds are read over HTTP).
"""

from __future__ import annotations

import json
import sys

from flask import Flask
from sqlalchemy import delete

from common.db import unit_of_work
from common.messaging import replay
from common.web import dependencies_of, runtime_of
from services.notifications.dependencies import Dependencies
from services.notifications.directory import moment
from services.notifications.events import ReportEvent, on_directory_event, track_states
from services.notifications.models import (
    Assignment,
    Delegation,
    Membership,
    Person,
    ReportState,
    Unit,
)
from services.notifications.routines import WorkerDependencies, sync_people

COPIES = (Membership, Person, Unit, Delegation, Assignment, ReportState)


def apply_directory(session, envelopes) -> None:
    for envelope in envelopes:
        on_directory_event(session, envelope)


def apply_report_states(session, envelopes) -> None:
    track_states(session, [(ReportEvent.parse(e), moment(e.occurred_at)) for e in envelopes])


def rebuild(app: Flask) -> dict[str, int]:
    """Empty the copies and refill them, in one transaction: readers see the old or the new."""
    runtime = runtime_of(app)
    directory, reports = dependencies_of(app, Dependencies).consumers[:2]
    with unit_of_work(runtime.session_factory) as session:
        for model in COPIES:
            session.execute(delete(model))
        counts = {
            "directory_events": replay(directory, session, apply_directory),
            "report_events": replay(reports, session, apply_report_states),
        }
    counts["people"] = sync_people(WorkerDependencies.of(runtime.settings, runtime.session_factory))
    return counts


def main() -> int:
    from services.notifications.app import create_app

    print(json.dumps(rebuild(create_app())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
