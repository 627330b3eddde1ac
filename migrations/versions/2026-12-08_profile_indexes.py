"""The buyer and supplier profiles' lists read a page at a time, newest first, through indexes
that start with the party: a buyer's tenders by id (with their status), a supplier's bids by
tender and its awards by decision time; and a buyer's awards and contracts, whose page is
chosen among thousands, from indexes that hold what the choice reads (an award's tender,
status and decision time; a contract's award and signature date), so no row is read but the
page's.

The profiles' totals are running totals of their own, in procurement_insight_party_sum (see
procurement.insights.party_sums), created empty here: tenders read into the aggregates before
them add nothing to them until `prongsai insights rebuild`.

Revision ID: 0016_profile_indexes
Revises: 0014_home_page_indexes
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_profile_indexes"
down_revision: str | None = "0014_home_page_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procurement_insight_party_sum",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("k1", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("k2", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("k3", sa.String(16), nullable=False),
        sa.Column("cur", sa.String(3), nullable=False),
        sa.Column("n1", sa.BigInteger(), nullable=False),
        sa.Column("n2", sa.BigInteger(), nullable=False),
        sa.Column("n3", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind", "k1", "k2", "k3", "cur", name="pk_procurement_insight_party_sum"
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_procurement_tender_buyer_id_id_status",
        "procurement_tender",
        ["buyer_id", "id", "status"],
    )
    op.create_index(
        "ix_procurement_award_tender_id_status_decided_at",
        "procurement_award",
        ["tender_id", "status", "decided_at", "id"],
    )
    op.create_index(
        "ix_procurement_contract_award_id_signed_date",
        "procurement_contract",
        ["award_id", "signed_date", "id"],
    )
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
    op.drop_index("ix_procurement_contract_award_id_signed_date", "procurement_contract")
    op.drop_index("ix_procurement_award_tender_id_status_decided_at", "procurement_award")
    op.drop_index("ix_procurement_tender_buyer_id_id_status", "procurement_tender")
    op.drop_table("procurement_insight_party_sum")
