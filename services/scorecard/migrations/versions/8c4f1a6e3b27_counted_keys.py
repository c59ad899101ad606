"""counted keys: a parent counts each of 2.2's [agency, month] once across its units

Revision ID: 8c4f1a6e3b27
Revises: 5e2b9c4d7a10
Create Date: 2026-12-07 19:40:00.000000

A report keeps the keys its event carries, a share the keys it counts, and each unit the keys
counted by it and the units below it (how many shares count each). Reports kept from events of
before have none and count their value. Counted again when a year is copied: every year kept
is marked to be copied again at its next read.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = "8c4f1a6e3b27"
down_revision: Union[str, Sequence[str], None] = "5e2b9c4d7a10"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SHARE_KEYS = ("a_keys", "p_keys")


def upgrade() -> None:
    """Add the keys of reports and shares and the keys counted by each unit; count again."""
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counted_keys", sa.JSON(), nullable=True))
    with op.batch_alter_table("shares", schema=None) as batch_op:
        for column in SHARE_KEYS:
            batch_op.add_column(sa.Column(column, sa.JSON(), nullable=True))
    op.create_table(
        "counted_keys",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("kpi", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("a_shares", sa.Integer(), nullable=False),
        sa.Column("p_shares", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "unit", "kpi", "key"),
    )
    op.execute(sa.text("UPDATE years SET stale = true"))


def downgrade() -> None:
    op.drop_table("counted_keys")
    with op.batch_alter_table("shares", schema=None) as batch_op:
        for column in SHARE_KEYS:
            batch_op.drop_column(column)
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("counted_keys")
