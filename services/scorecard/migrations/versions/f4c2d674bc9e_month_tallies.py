"""month tallies: approved figures by the fiscal month they were approved in

Revision ID: f4c2d674bc9e
Revises: 4c1e9a7d2b60
Create Date: 2026-12-01 10:50:00.000000

Each share keeps how it moved month by month (`shares.months`) and the month tallies add them
up the tree. Both are counted when a year is copied: every year kept is marked to be copied
again at its next read, which counts them.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = "f4c2d674bc9e"
down_revision: Union[str, Sequence[str], None] = "4c1e9a7d2b60"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add the shares' months and the month tallies; copy every year again at its next read."""
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.add_column(sa.Column("months", sa.JSON(), nullable=True))
    op.create_table(
        "month_tallies",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("kpi", sa.String(length=8), nullable=False),
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("a_total", sa.Float(), nullable=False),
        sa.Column("a_units", sa.Integer(), nullable=False),
        sa.Column("a_num", sa.Float(), nullable=False),
        sa.Column("a_den", sa.Float(), nullable=False),
        sa.Column("approved", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", "unit", "kpi", "month", name=op.f("pk_month_tallies")),
    )
    op.execute("UPDATE years SET stale = true")


def downgrade() -> None:
    """Drop the month tallies and the shares' months."""
    op.drop_table("month_tallies")
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.drop_column("months")
