"""scoring of each KPI in a year

Revision ID: 5c0e7a1d9b21
Revises: 5d2f1b8e32b2
Create Date: 2026-12-01 06:30:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "5c0e7a1d9b21"
down_revision: Union[str, Sequence[str], None] = "5d2f1b8e32b2"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "scoring",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kpi", sa.String(length=8), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("aggregation", sa.String(length=16), nullable=False),
        sa.Column("rollup", sa.String(length=16), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["year", "kpi"], ["kpis.year", "kpis.code"], name=op.f("fk_scoring_year_kpis")
        ),
        sa.PrimaryKeyConstraint("year", "kpi", name=op.f("pk_scoring")),
    )


def downgrade() -> None:
    op.drop_table("scoring")
