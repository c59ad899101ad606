"""numbered events: the outbox's feed order, and each consumer's place in other feeds

Revision ID: 6e3a2c9f43c3
Revises: 95b0c3b13224
Create Date: 2026-12-01 06:30:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "6e3a2c9f43c3"
down_revision: Union[str, Sequence[str], None] = "95b0c3b13224"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_outbox_seq", ["seq"], unique=True)
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_column("seq")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_seq")
        batch_op.drop_column("seq")
