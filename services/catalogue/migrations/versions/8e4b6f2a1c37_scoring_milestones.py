"""the milestones and 4.1's level steps the forms print, kept with a KPI's scoring

Revision ID: 8e4b6f2a1c37
Revises: 5c0e7a1d9b21
Create Date: 2026-12-01 10:50:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "8e4b6f2a1c37"
down_revision: Union[str, Sequence[str], None] = "5c0e7a1d9b21"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # NULL in a row stored before keeps the KPI's default milestones and steps.
    op.add_column("scoring", sa.Column("milestones", sa.JSON(), nullable=True))
    op.add_column("scoring", sa.Column("level_steps", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("scoring", "level_steps")
    op.drop_column("scoring", "milestones")
