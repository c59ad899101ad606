"""every-KPI rows: each unit's reports due, approved and pending over all KPIs

Revision ID: 4c1e9a7d2b60
Revises: b7e2d41a9c3f
Create Date: 2026-12-01 10:20:00.000000

The rows are counted when a year is copied: every year kept is marked to be copied again at
its next read, which counts them.
"""

from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "4c1e9a7d2b60"
down_revision: Union[str, Sequence[str], None] = "b7e2d41a9c3f"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Copy every year again at its next read."""
    op.execute("UPDATE years SET stale = true")


def downgrade() -> None:
    """Drop the every-KPI rows."""
    op.execute("DELETE FROM tallies WHERE kpi = '*'")
    op.execute("DELETE FROM due_counts WHERE kpi = '*'")
