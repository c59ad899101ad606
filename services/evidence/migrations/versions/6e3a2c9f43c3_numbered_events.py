"""numbered events: the outbox's feed order, and each consumer's place in other feeds

Revision ID: 6e3a2c9f43c3
Revises: 95b0c3b13224
Create Date: 2026-12-01 06:30:00.000000

"""

from typing import Sequence, Union

from common.migration_steps import number_events, unnumber_events


# revision identifiers, used by Alembic.
revision: str = "6e3a2c9f43c3"
down_revision: Union[str, Sequence[str], None] = "95b0c3b13224"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    number_events()


def downgrade() -> None:
    """Downgrade schema."""
    unnumber_events()
