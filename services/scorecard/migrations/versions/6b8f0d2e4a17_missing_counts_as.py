"""the year's missing_counts_as, copied from the catalogue

Revision ID: 6b8f0d2e4a17
Revises: 9a3e5c71d2f4
Create Date: 2026-12-07 18:52:00.000000

What a KPI due without an approved value scores is the catalogue's per-year setting: every
year kept is marked to be copied again at its next read, which brings it.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = "6b8f0d2e4a17"
down_revision: Union[str, Sequence[str], None] = "9a3e5c71d2f4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add the setting (1.0, the lowest score, until copied); copy every year again."""
    with op.batch_alter_table("years", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("missing_counts_as", sa.Float(), server_default="1", nullable=False)
        )
    op.execute(sa.text("UPDATE years SET stale = true"))


def downgrade() -> None:
    with op.batch_alter_table("years", schema=None) as batch_op:
        batch_op.drop_column("missing_counts_as")
