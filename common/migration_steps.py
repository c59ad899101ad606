"""Schema steps of the tables every service builds from common mixins (`common/events.py`):
each service's own migration calls them, so the shared tables change alike everywhere."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def number_events() -> None:
    """`outbox.seq` (the feed's order, unique) and `inbox.seq` (a consumer's place in a feed)."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_outbox_seq", ["seq"], unique=True)
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))


def unnumber_events() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_column("seq")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_seq")
        batch_op.drop_column("seq")
