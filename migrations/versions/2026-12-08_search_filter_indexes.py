"""Search filters served by indexes in sort order: status, category with status, and one
buyer's records by value, so that a common word with these filters walks a range of an index
instead of testing every match (a year filter is read as a range of sort_at).

Revision ID: 0013_search_filter_indexes
Revises: 0012_insight_aggregates
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_search_filter_indexes"
down_revision: str | None = "0012_insight_aggregates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_public_search_document_status_sort_at_id": ["status", "sort_at", "id"],
    "ix_public_search_document_category_status_sort_at_id": [
        "category",
        "status",
        "sort_at",
        "id",
    ],
    "ix_public_search_document_buyer_sort_value_id": ["buyer", "sort_value", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "public_search_document", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="public_search_document")
