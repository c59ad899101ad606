"""numbered events: the outbox's feed order, and each consumer's place in other feeds

Revision ID: 4c1e0a7d21a1
Revises: a197bb05fe70
Create Date: 2026-12-01 06:30:00.000000

"""

from typing import Sequence, Union

from common.migration_steps import number_events, unnumber_events


# revision identifiers, used by Alembic.
revision: str = "4c1e0a7d21a1"
down_revision: Union[str, Sequence[str], None] = "a197bb05fe70"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    number_events()


def downgrade() -> None:
    """Downgrade schema."""
    unnumber_events()
