"""month keys: a unit's history counts each of 2.2's [agency, month] once across its units

Revision ID: c3f8e2a6d914
Revises: a1d7c3e9f5b2
Create Date: 2026-12-08 00:05:00.000000

A share keeps the fiscal month its approved reports first counted each key in; each unit keeps
how many shares of it and the units below it first counted each key in each month. Every year
kept is marked stale: it is counted again, which fills them.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = "c3f8e2a6d914"
down_revision: Union[str, Sequence[str], None] = "a1d7c3e9f5b2"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add the months of a share's keys and the month keys of each unit; count again."""
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.add_column(sa.Column("a_key_months", sa.JSON(), nullable=True))
    op.create_table(
        "month_keys",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("kpi", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("shares", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "unit", "kpi", "key", "month"),
    )
    op.execute(sa.text("UPDATE years SET stale = true"))


def downgrade() -> None:
    op.drop_table("month_keys")
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.drop_column("a_key_months")
