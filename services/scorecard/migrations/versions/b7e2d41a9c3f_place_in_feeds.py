"""place in feeds: each consumer's last number read in a producer's feed

Revision ID: b7e2d41a9c3f
Revises: dca84433161f
Create Date: 2026-12-01 07:10:00.000000

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = "b7e2d41a9c3f"
down_revision: Union[str, Sequence[str], None] = "dca84433161f"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_column("seq")
