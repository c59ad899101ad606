"""Report events reach exactly the people of that unit and role (and their stand-ins)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from tests.notifications.conftest import new_unit, report_data
from tests.waiting import eventually

SUBMITTED = "workflow.report.submitted"


def test_submitted_goes_to_the_heads_of_that_unit_only(people, publisher, store):
    unit, other = new_unit(), new_unit()
    reporter, head, second_head, other_head = people(
        (unit, "reporter"), (unit, "unit_head"), (unit, "unit_head"), (other, "unit_head")
    )
    event = publisher.event(SUBMITTED, report_data(unit, "submitted", reporter, reporter))
    eventually(lambda: len(store.recipients(event)) == 2, what="two heads told")
    assert store.recipients(event) == sorted([head, second_head])
    assert other_head not in store.recipients(event)


def test_endorsed_goes_to_the_reviewers_of_the_management_group_only(people, publisher, store):
    unit, elsewhere = new_unit(), new_unit()
    head, msd_reviewer, stray_reviewer = people(
        (unit, "unit_head"), ("MSD", "reviewer"), (elsewhere, "reviewer")
    )
    event = publisher.event(
        "workflow.report.endorsed", report_data(unit, "endorsed", "someone", head)
    )
    eventually(lambda: msd_reviewer in store.recipients(event), what="MSD reviewer told")
    told = store.recipients(event)
    assert stray_reviewer not in told and head not in told
    assert "reviewer" in told  # the demo reviewer is in MSD too


def test_returned_tells_the_reporter_and_the_head_with_the_comment(people, publisher, store):
    unit = new_unit()
    reporter, head, reviewer = people((unit, "reporter"), (unit, "unit_head"), ("MSD", "reviewer"))
    data = report_data(unit, "returned", reporter, reviewer, comment="แนบหลักฐานคำสั่งแต่งตั้งด้วย")
    event = publisher.event("workflow.report.returned", data)
    eventually(lambda: len(store.recipients(event)) == 2, what="reporter and head told")
    assert store.recipients(event) == sorted([reporter, head])
    for note in store.notifications(source=event):
        assert note.kind == "returned" and "แนบหลักฐานคำสั่งแต่งตั้งด้วย" in note.body


def test_approved_and_reopened_tell_the_reporter_and_the_head(people, publisher, store):
    unit = new_unit()
    reporter, head, other_reporter = people(
        (unit, "reporter"), (unit, "unit_head"), (unit, "reporter")
    )
    events = [
        publisher.event(f"workflow.report.{verb}", report_data(unit, state, reporter, "reviewer"))
        for verb, state in (("approved", "approved"), ("reopened", "draft"))
    ]
    for event in events:
        eventually(lambda e=event: len(store.recipients(e)) == 2, what="reporter and head told")
        assert store.recipients(event) == sorted([reporter, head])
        assert other_reporter not in store.recipients(event)


def test_nobody_is_told_what_they_did_themselves(people, publisher, store):
    unit = new_unit()
    reporter, head = people((unit, "reporter"), (unit, "unit_head"))
    data = report_data(unit, "returned", reporter, head, comment="ยังไม่ครบ")
    event = publisher.event("workflow.report.returned", data)
    eventually(lambda: store.recipients(event), what="someone told")
    assert store.recipients(event) == [reporter]


def test_created_and_updated_reports_tell_nobody(people, publisher, store):
    unit = new_unit()
    reporter, head = people((unit, "reporter"), (unit, "unit_head"))
    report = report_data(unit, "draft", reporter, reporter)
    quiet = [publisher.event(f"workflow.report.{v}", report) for v in ("created", "updated")]
    loud = publisher.event(SUBMITTED, {**report, "state": "submitted"})
    eventually(lambda: store.recipients(loud), what="the submission told")
    assert all(store.recipients(event) == [] for event in quiet)


def test_a_reporter_who_left_the_unit_is_not_told(people, publisher, store):
    unit, new_home = new_unit(), new_unit()
    head, moved = people((unit, "unit_head"), (new_home, "reporter"))
    event = publisher.event(
        "workflow.report.approved", report_data(unit, "approved", moved, "reviewer")
    )
    eventually(lambda: store.recipients(event), what="the head told")
    assert store.recipients(event) == [head]


def test_a_disabled_head_is_not_told(live, people, publisher, store):
    unit = new_unit()
    reporter, head, away = people((unit, "reporter"), (unit, "unit_head"), (unit, "unit_head"))
    admin = live.session("admin")
    assert admin.patch(f"/api/identity/users/{away}", json={"active": False}).status_code == 200
    eventually(lambda: not store.person(away).active, what="disabled user known")
    event = publisher.event(SUBMITTED, report_data(unit, "submitted", reporter, reporter))
    eventually(lambda: store.recipients(event), what="the active head told")
    assert store.recipients(event) == [head]


def _delegation(delegator, delegate, unit, role, starts_on, ends_on, delegation_id=None):
    import uuid

    return {
        "delegation_id": delegation_id or str(uuid.uuid4()),
        "delegator": delegator,
        "delegate": delegate,
        "unit": unit,
        "role": role,
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
    }


def test_a_stand_in_gets_what_the_head_gets_during_the_delegation(people, publisher, store):
    unit = new_unit()
    reporter, head, stand_in = people((unit, "reporter"), (unit, "unit_head"), (unit, "reporter"))
    yesterday, tomorrow = date.today() - timedelta(1), date.today() + timedelta(1)
    data = _delegation(head, stand_in, unit, "unit_head", yesterday, tomorrow)
    publisher.event("workflow.delegation.created", data, actor=head)
    # The directory queue is ordered: once this later user event is known, so is the delegation.
    (marker,) = people((unit, "auditor"))
    assert store.person(marker)
    event = publisher.event(SUBMITTED, report_data(unit, "submitted", reporter, reporter))
    eventually(lambda: len(store.recipients(event)) == 2, what="head and stand-in told")
    assert store.recipients(event) == sorted([head, stand_in])


def test_an_expired_or_revoked_delegation_gives_nothing(people, publisher, store):
    unit = new_unit()
    reporter, head, late, revoked = people(
        (unit, "reporter"), (unit, "unit_head"), (unit, "reporter"), (unit, "reporter")
    )
    today = date.today()
    past = _delegation(head, late, unit, "unit_head", today - timedelta(9), today - timedelta(2))
    current = _delegation(head, revoked, unit, "unit_head", today, today + timedelta(5))
    publisher.event("workflow.delegation.created", past, actor=head)
    publisher.event("workflow.delegation.created", current, actor=head)
    publisher.event("workflow.delegation.revoked", current, actor=head)
    people((unit, "auditor"))  # the directory queue is ordered: the delegations are in
    event = publisher.event(SUBMITTED, report_data(unit, "submitted", reporter, reporter))
    eventually(lambda: store.recipients(event), what="the head told")
    assert store.recipients(event) == [head]


def test_a_delegation_for_another_role_gives_nothing(people, publisher, store):
    unit = new_unit()
    reporter, head, stand_in = people((unit, "reporter"), (unit, "unit_head"), (unit, "reporter"))
    today = date.today()
    data = _delegation(head, stand_in, unit, "reviewer", today, today)
    publisher.event("workflow.delegation.created", data, actor=head)
    people((unit, "auditor"))
    event = publisher.event(SUBMITTED, report_data(unit, "submitted", reporter, reporter))
    eventually(lambda: store.recipients(event), what="the head told")
    assert store.recipients(event) == [head]


def test_the_notification_names_the_kpi_unit_and_period_in_thai(people, publisher, store):
    unit = new_unit()
    reporter, head = people((unit, "reporter"), (unit, "unit_head"))
    data = report_data(unit, "submitted", reporter, reporter, kpi="10.1", period="Q2")
    event = publisher.event(SUBMITTED, data)
    (note,) = eventually(lambda: store.notifications(source=event), what="head told")
    assert note.title.startswith("รายงานรอการรับรอง")
    assert "10.1" in note.title and unit in note.title and "ไตรมาสที่ 2" in note.title
    assert note.report_id == data["report_id"]
    assert note.link.endswith(f"/reports/{data['report_id']}")


def test_a_head_not_yet_announced_by_identity_is_still_told(live, publisher, store):
    """Identity's event about new people travels on another queue and may lag the report's:
    notifications asks identity rather than telling no one."""
    from common.db import unit_of_work
    from services.identity.models import Outbox as IdentityOutbox
    from services.identity.service import NewUser, add_user

    unit = new_unit()
    head = f"nt-{uuid.uuid4().hex[:10]}"
    with unit_of_work(live.app("identity").extensions["rbm"].session_factory) as session:
        add_user(
            session,
            "nt-tests",
            NewUser(head, "หัวหน้าใหม่", "long-enough-1", "", ((unit, "unit_head"),)),
        )
        # This head is never announced: drop the event from identity's outbox before commit.
        session.flush()
        session.query(IdentityOutbox).filter(IdentityOutbox.body.contains(head)).delete()
    event_id = publisher.event(
        "workflow.report.submitted", report_data(unit, "submitted", "someone", "someone")
    )
    eventually(lambda: store.recipients(event_id) == [head], what="the head told")
