"""Tables owned by the evidence service."""

from common.db import new_base
from common.events import InboxMixin, OutboxMixin

Base = new_base()


class Outbox(OutboxMixin, Base):
    __tablename__ = "outbox"


class Inbox(InboxMixin, Base):
    __tablename__ = "inbox"
