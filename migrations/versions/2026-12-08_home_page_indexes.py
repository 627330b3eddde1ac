"""Awards indexed by their decision time, tenders by status and deadline: the home page's
latest awards (and the awards feed) are read from the end of an index instead of sorting every
award, and the tenders taking bids now from a range of one instead of every active tender (the
index on status alone goes: the new one serves every status lookup, and SQLite, with no
statistics, took the older one and read every active tender).

Revision ID: 0014_home_page_indexes
Revises: 0013_search_filter_indexes
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_home_page_indexes"
down_revision: str | None = "0013_search_filter_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_procurement_award_decided_at_id", "procurement_award", ["decided_at", "id"])
    op.create_index(
        "ix_procurement_tender_status_tender_end_at",
        "procurement_tender",
        ["status", "tender_end_at"],
    )
    op.drop_index("ix_procurement_tender_status", "procurement_tender")


def downgrade() -> None:
    op.create_index("ix_procurement_tender_status", "procurement_tender", ["status"])
    op.drop_index("ix_procurement_tender_status_tender_end_at", "procurement_tender")
    op.drop_index("ix_procurement_award_decided_at_id", "procurement_award")
