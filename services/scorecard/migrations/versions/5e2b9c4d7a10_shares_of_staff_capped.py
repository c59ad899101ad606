"""shares of staff capped: which shares (and how many units below a tally) were capped at 100 %

Revision ID: 5e2b9c4d7a10
Revises: 3d5a8e1c7f92
Create Date: 2026-12-07 19:30:00.000000

A share of staff (10.1, 15.2) never exceeds 100 %: its people count at most the headcount, and
the basis says which units were capped. Counted again when a year is copied: every year kept is
marked to be copied again at its next read.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = "5e2b9c4d7a10"
down_revision: Union[str, Sequence[str], None] = "3d5a8e1c7f92"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("shares", "tallies")
COLUMNS = ("a_capped", "p_capped")


def upgrade() -> None:
    """Add the capped counts; count every year again at its next read, which caps them."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.add_column(
                    sa.Column(column, sa.Integer(), server_default="0", nullable=False)
                )
    op.execute(sa.text("UPDATE years SET stale = true"))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.drop_column(column)
