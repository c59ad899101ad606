"""Demo users of API.md, loaded only when RBM_DEMO=1."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.auth import ADMIN, AUDITOR, REPORTER, REVIEWER, UNIT_HEAD
from common.errors import Conflict
from services.identity.models import User
from services.identity.service import NewUser, add_user

DEMO_PASSWORD = "demo-password"
DEMO_USERS = (
    ("reporter1", "ผู้รายงาน สปข.1 (ตัวอย่าง)", (("R1", REPORTER),)),
    ("head1", "ผู้อำนวยการ สปข.1 (ตัวอย่าง)", (("R1", UNIT_HEAD),)),
    ("reporter2", "ผู้รายงาน สปข.2 (ตัวอย่าง)", (("R2", REPORTER),)),
    ("reviewer", "กลุ่มพัฒนาระบบบริหาร (ตัวอย่าง)", (("MSD", REVIEWER),)),
    ("auditor", "ผู้ตรวจสอบ (ตัวอย่าง)", (("PRD", AUDITOR),)),
    ("admin", "ผู้ดูแลระบบ (ตัวอย่าง)", (("PRD", ADMIN),)),
)


def load_demo_users(session: Session) -> int:
    """Create the demo users that do not exist yet; returns how many were created."""
    created = 0
    for username, display_name, memberships in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == username)):
            continue
        new = NewUser(
            username, display_name, DEMO_PASSWORD, f"{username}@demo.rbm.invalid", memberships
        )
        try:
            with session.begin_nested():
                add_user(session, "demo-loader", new)
        except Conflict:
            continue  # another process of this service created it a moment ago
        created += 1
    return created
