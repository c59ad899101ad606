"""Every change writes a catalogue.* event to the outbox in its transaction; the relay sends it."""

import json
import uuid

from kombu import Connection, Exchange, Queue

from tests.catalogue.conftest import API, copy_year, new_unit
from tests.waiting import until_passes


def test_a_new_unit_records_unit_changed_with_its_values(admin, tables):
    unit = new_unit(admin, kind="province", parent="R4")
    [event] = tables.events("catalogue.unit.changed", code=unit["code"])
    assert event["actor"] == "admin"
    assert event["data"] == {**unit, "created": True}


def test_renaming_a_unit_records_the_new_name(admin, own_bureau, tables):
    admin.patch(f"{API}/units/{own_bureau}", json={"name_en": "Renamed"})
    latest = tables.events("catalogue.unit.changed", code=own_bureau)[-1]
    assert (latest["data"]["name_en"], latest["data"]["created"]) == ("Renamed", False)


def test_opening_a_year_records_year_opened_naming_its_kpis(admin, tables):
    year = copy_year(admin)["year"]
    [event] = tables.events("catalogue.year.opened", year=year)
    assert event["data"]["copied_from"] == 2547 and len(event["data"]["kpis"]) == 24
    assert event["data"]["status"] == "draft"


def test_changing_a_year_records_its_new_and_previous_status(admin, own_year, tables):
    admin.patch(f"{API}/years/{own_year}", json={"status": "open"})
    [event] = tables.events("catalogue.year.changed", year=own_year)
    assert (event["data"]["status"], event["data"]["previous_status"]) == ("open", "draft")


def test_changing_a_kpi_records_kpi_changed_with_every_value(reviewer, own_year, tables):
    reviewer.patch(f"{API}/years/{own_year}/kpis/10.2", json={"cycle": "quarterly"})
    [event] = tables.events("catalogue.kpi.changed", year=own_year, code="10.2")
    assert event["actor"] == "reviewer"
    assert event["data"]["cycle"] == "quarterly" and event["data"]["method"] == "entry"
    assert event["data"]["applies_to"] == ["bureau", "region", "province"]


def test_adding_a_csf_records_csf_changed(admin, own_year, tables):
    body = {"code": "20", "perspective": "P2", "name_th": "ทดสอบ", "name_en": "Test"}
    admin.post(f"{API}/years/{own_year}/csfs", json=body)
    [event] = tables.events("catalogue.csf.changed", year=own_year, code="20")
    assert event["data"]["created"] is True


def test_setting_a_target_records_target_changed(admin, own_region, tables):
    row = {"unit": own_region, "kpi": "10.1", "target": 75, "denominator": 30}
    admin.put(f"{API}/years/2547/targets", json=[row])
    [event] = tables.events("catalogue.target.changed", unit=own_region)
    assert event["data"] == {
        "year": 2547,
        "unit": own_region,
        "kpi": "10.1",
        "target": 75,
        "denominator": 30,
        "denominator_label": "จำนวนบุคลากรทั้งหมดของหน่วยงาน (คน)",
    }


def test_assigning_owners_records_assignment_changed(admin, own_bureau, tables):
    row = {"unit": own_bureau, "kpi": "13.1", "responsible": "head1", "data_collector": "reporter2"}
    admin.put(f"{API}/years/2547/assignments", json=[row])
    [event] = tables.events("catalogue.assignment.changed", unit=own_bureau)
    assert event["data"] == {"year": 2547, **row}


def test_setting_the_same_target_again_records_nothing(admin, own_bureau, tables):
    row = {"unit": own_bureau, "kpi": "2.1", "target": 4}
    admin.put(f"{API}/years/2547/targets", json=[row])
    admin.put(f"{API}/years/2547/targets", json=[row])
    assert len(tables.events("catalogue.target.changed", unit=own_bureau)) == 1


def test_a_change_reaches_the_broker(admin, live):
    exchange = Exchange(live.env["RBM_EVENTS_EXCHANGE"], type="topic", durable=True)
    with Connection(live.env["RBM_BROKER_URL"]) as conn:
        queue = Queue(
            f"catalogue-test-{uuid.uuid4().hex}",
            exchange,
            routing_key="catalogue.unit.changed",
            exclusive=True,
            auto_delete=True,
        )(conn.default_channel)
        queue.declare()
        code = new_unit(admin)["code"]
        _arrives(queue, code)


def _arrives(queue, wanted: str) -> None:
    """Read the unit events as they arrive until one of `wanted` does."""
    codes: list[str] = []

    def arrived() -> None:
        while (message := queue.get(no_ack=True)) is not None:
            codes.append(json.loads(message.body)["data"]["code"])
        assert wanted in codes

    until_passes(arrived, timeout=20)
