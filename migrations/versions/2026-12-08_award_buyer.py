"""An award carries its tender's buying entity (which never changes), copied when it is
decided, with an index on (buyer, decision time, id, status): a buyer's newest awards (its
Atom feed) are read from the end of its own range instead of from every award of every tender
of the buyer (5,014 index probes for a buyer of 5,014 tenders, 26 ms on PostgreSQL at
1,000,000 tenders, and the largest buyers of a country publish tens of thousands).

The copies are filled from the tenders in one statement. The column stays nullable in the
database, as the permits' copies do: making it NOT NULL would make SQLite copy the table, which
the contracts and complaints that refer to it forbid while foreign keys are enforced.

Revision ID: 0019_award_buyer
Revises: 0018_organisation_directory
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_award_buyer"
down_revision: str | None = "0018_organisation_directory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("procurement_award", sa.Column("buyer_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE procurement_award SET buyer_id = "
        "(SELECT t.buyer_id FROM procurement_tender AS t WHERE t.id = procurement_award.tender_id)"
    )
    op.create_index(
        "ix_procurement_award_buyer_id_decided_at",
        "procurement_award",
        ["buyer_id", "decided_at", "id", "status"],
    )


def downgrade() -> None:
    op.drop_index("ix_procurement_award_buyer_id_decided_at", "procurement_award")
    # ALTER TABLE … DROP COLUMN on both (SQLite 3.35+), not a copy of a table others refer to
    op.execute("ALTER TABLE procurement_award DROP COLUMN buyer_id")
