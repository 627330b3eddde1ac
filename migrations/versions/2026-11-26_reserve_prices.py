"""KONEPS multiple reserve prices on tenders, and the picks each opened bid made.

Revision ID: 0005_reserve_prices
Revises: 0004_procurement
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_reserve_prices"
down_revision: str | None = "0004_procurement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("procurement_tender") as batch:
        batch.add_column(sa.Column("reserve_base", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("reserve_range_bp", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("floor_rate_bp", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reserve_seed_commitment", sa.String(64), nullable=True))
        batch.add_column(sa.Column("sealed_reserve_seed", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("reserve_seed", sa.String(64), nullable=True))
        batch.add_column(sa.Column("reserve_price", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("procurement_bid") as batch:
        batch.add_column(sa.Column("reserve_picks", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("procurement_bid") as batch:
        batch.drop_column("reserve_picks")
    with op.batch_alter_table("procurement_tender") as batch:
        for column in (
            "reserve_price",
            "reserve_seed",
            "sealed_reserve_seed",
            "reserve_seed_commitment",
            "floor_rate_bp",
            "reserve_range_bp",
            "reserve_base",
        ):
            batch.drop_column(column)
