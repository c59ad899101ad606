"""A pack's taker told in their inbox that it is ready to download, or that it failed."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from common.config import Settings
from common.events import Envelope
from common.messaging import EventConsumer
from services.notifications import rules
from services.notifications.directory import field, moment
from services.notifications.messages import period_label
from services.notifications.models import Inbox, Notification, new_id
from services.notifications.service import insert_new_rows

PACK_KEYS = ("evidence.pack.finished",)
TITLES = {"ready": "ชุดหลักฐานพร้อมดาวน์โหลด", "failed": "สร้างชุดหลักฐานไม่สำเร็จ"}
BODIES = {
    "ready": "ชุดหลักฐาน{scope} สร้างเสร็จแล้ว ดาวน์โหลดได้จากหน้าชุดหลักฐาน",
    "failed": "ชุดหลักฐาน{scope} สร้างไม่สำเร็จ โปรดขอสร้างใหม่อีกครั้ง",
}


def scope_text(data: dict) -> str:
    """What the pack holds, in Thai: its year, and its unit, KPI and period when it has them."""
    parts = [f"ปีงบประมาณ พ.ศ. {field(data, 'year', int)}"]
    if unit := field(data, "unit", str, required=False):
        parts.append(f"หน่วยงาน {unit}")
    if kpi := field(data, "kpi", str, required=False):
        parts.append(f"ตัวชี้วัด {kpi}")
    if period := field(data, "period", str, required=False):
        parts.append(period_label(period, "th"))
    return " ".join(parts)


def tell_pack_finished(session: Session, envelope: Envelope) -> None:
    data = envelope.data
    state = "ready" if field(data, "state", str) == "ready" else "failed"
    scope = scope_text(data)
    row = {
        "id": new_id(),
        "recipient": field(data, "requested_by", str),
        "source": envelope.id,
        "kind": rules.PACK_READY if state == "ready" else rules.PACK_FAILED,
        "report_id": None,
        "title": f"{TITLES[state]}: {scope}",
        "body": BODIES[state].format(scope=f" {scope}"),
        "link": f"/packs?pack={field(data, 'pack_id', str)}",
        "delivery": rules.IN_APP,
        "created_at": moment(envelope.occurred_at),
    }
    insert_new_rows(session, Notification, [row])


def pack_consumer(settings: Settings, factory: sessionmaker[Session]) -> EventConsumer:
    return EventConsumer.of(
        settings, "notifications.packs", factory, Inbox, PACK_KEYS, handler=tell_pack_finished
    )
