"""The directory of organisations read a page at a time: an index on (kind, name, id), the
order of /buyers and /supplier-register, carrying the status they are filtered and counted
by, so a country's tens of thousands of public bodies are neither read whole
nor sorted per request (the page and the tenders' filter listed every one: 2.0–2.4 s at
50,000 buying entities on PostgreSQL).

Revision ID: 0018_organisation_directory
Revises: 0017_public_lists
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_organisation_directory"
down_revision: str | None = "0017_public_lists"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_auth_organisation_kind_name_id", "auth_organisation", ["kind", "name", "id", "status"]
    )


def downgrade() -> None:
    op.drop_index("ix_auth_organisation_kind_name_id", "auth_organisation")
