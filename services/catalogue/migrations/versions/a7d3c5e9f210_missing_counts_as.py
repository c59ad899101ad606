"""a year's missing_counts_as: what a KPI due without an approved value scores

Revision ID: a7d3c5e9f210
Revises: 8e4b6f2a1c37
Create Date: 2026-12-07 18:50:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "a7d3c5e9f210"
down_revision: Union[str, Sequence[str], None] = "8e4b6f2a1c37"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Every year kept scores what is missing at the lowest score, 1.0, until changed.
    op.add_column(
        "years", sa.Column("missing_counts_as", sa.Float(), server_default="1", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("years", "missing_counts_as")
