"""units due: how many units must first report a KPI on a day

Revision ID: 9a3e5c71d2f4
Revises: f4c2d674bc9e
Create Date: 2026-12-07 18:40:00.000000

A level's mean is over the units that must report, and a due KPI without an approved value is
missing: the due counts keep on which day each unit must first have reported. Counted when a
year is copied: every year kept is marked to be copied again at its next read.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = "9a3e5c71d2f4"
down_revision: Union[str, Sequence[str], None] = "f4c2d674bc9e"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add the units due; copy every year again at its next read, which counts them."""
    with op.batch_alter_table("due_counts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("units", sa.Integer(), server_default="0", nullable=False))
    op.execute(sa.text("UPDATE years SET stale = true"))


def downgrade() -> None:
    with op.batch_alter_table("due_counts", schema=None) as batch_op:
        batch_op.drop_column("units")
