"""month tallies: each unit's approved figures by the fiscal month they were approved in

Revision ID: f4c2d674bc9e
Revises: 4c1e9a7d2b60
Create Date: 2026-12-01 10:50:00.000000

The rows are counted when a year is copied: every year kept is marked to be copied again at
its next read, which counts them.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = "f4c2d674bc9e"
down_revision: Union[str, Sequence[str], None] = "4c1e9a7d2b60"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("month_shares", "month_tallies")


def upgrade() -> None:
    """Create the month tables and copy every year again at its next read."""
    for name in TABLES:
        op.create_table(
            name,
            sa.Column("year", sa.Integer(), nullable=False),
            sa.Column("unit", sa.String(length=32), nullable=False),
            sa.Column("kpi", sa.String(length=8), nullable=False),
            sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("a_total", sa.Float(), nullable=False),
            sa.Column("a_units", sa.Integer(), nullable=False),
            sa.Column("a_num", sa.Float(), nullable=False),
            sa.Column("a_den", sa.Float(), nullable=False),
            sa.Column("approved", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("year", "unit", "kpi", "month", name=op.f(f"pk_{name}")),
        )
    op.execute("UPDATE years SET stale = true")


def downgrade() -> None:
    """Drop the month tables."""
    for name in reversed(TABLES):
        op.drop_table(name)
