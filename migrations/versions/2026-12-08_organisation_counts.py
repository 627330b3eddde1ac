"""The counts of organisations by kind and status that the public pages show (the home page,
the supplier directory's pages), kept by a job every minute (core.auth.jobs) instead of
counted by every request: a count of a country's hundreds of thousands of companies grows
with them (24 ms at 102,000 on PostgreSQL). Created empty: until the job first runs, the pages
count as before.

Revision ID: 0020_organisation_counts
Revises: 0019_award_buyer
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_organisation_counts"
down_revision: str | None = "0019_award_buyer"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_organisation_count",
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "status", name="pk_auth_organisation_count"),
    )


def downgrade() -> None:
    op.drop_table("auth_organisation_count")
