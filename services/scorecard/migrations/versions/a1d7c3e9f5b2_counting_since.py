"""a stale year is counted again in the background: the claim of the counter that does it

Revision ID: a1d7c3e9f5b2
Revises: 8c4f1a6e3b27
Create Date: 2026-12-07 23:55:00.000000
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = "a1d7c3e9f5b2"
down_revision: Union[str, Sequence[str], None] = "8c4f1a6e3b27"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("years", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counting_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("years", schema=None) as batch_op:
        batch_op.drop_column("counting_since")
