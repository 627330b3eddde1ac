"""The public site's search index.

Revision ID: 0007_public_search
Revises: 0006_lots
Create Date: 2026-11-26
"""

from collections.abc import Sequence

revision: str = "0007_public_search"
down_revision: str | None = "0006_lots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Filled in with the search tables."""


def downgrade() -> None:
    """Reverses upgrade()."""
