"""Lots: a tender's lots, and bids and awards per lot.

Revision ID: 0006_lots
Revises: 0005_reserve_prices
Create Date: 2026-11-26
"""

from collections.abc import Sequence

revision: str = "0006_lots"
down_revision: str | None = "0005_reserve_prices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Filled in with the lots tables."""


def downgrade() -> None:
    """Reverses upgrade()."""
