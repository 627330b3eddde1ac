"""The buyer and supplier profiles' lists read a page at a time, newest first, through indexes
that start with the party: a buyer's tenders by id, a supplier's bids by tender and its awards
by decision time (on SQLite the index on the buyer alone already ends with the row id; on
PostgreSQL it does not, and the newest of a buyer's tenders were found by sorting them all).

The profiles' totals are new kinds of running total in procurement_insight_sum (see
procurement.insights.party_sums); tenders read into the aggregates before them add nothing to
them until `prongsai insights rebuild`. No data is changed here.

Revision ID: 0016_profile_indexes
Revises: 0014_home_page_indexes
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016_profile_indexes"
down_revision: str | None = "0014_home_page_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_procurement_tender_buyer_id_id", "procurement_tender", ["buyer_id", "id"])
    op.create_index(
        "ix_procurement_bid_supplier_id_tender_id", "procurement_bid", ["supplier_id", "tender_id"]
    )
    op.create_index(
        "ix_procurement_award_supplier_id_decided_at",
        "procurement_award",
        ["supplier_id", "decided_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_procurement_award_supplier_id_decided_at", "procurement_award")
    op.drop_index("ix_procurement_bid_supplier_id_tender_id", "procurement_bid")
    op.drop_index("ix_procurement_tender_buyer_id_id", "procurement_tender")
