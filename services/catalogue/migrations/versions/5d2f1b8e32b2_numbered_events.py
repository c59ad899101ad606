"""numbered events: the outbox's feed order, and each consumer's place in other feeds

Revision ID: 5d2f1b8e32b2
Revises: cfa0ca6a0565
Create Date: 2026-12-01 06:30:00.000000

"""

from typing import Sequence, Union

from common.migration_steps import number_events, unnumber_events


# revision identifiers, used by Alembic.
revision: str = "5d2f1b8e32b2"
down_revision: Union[str, Sequence[str], None] = "cfa0ca6a0565"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    number_events()


def downgrade() -> None:
    """Downgrade schema."""
    unnumber_events()
