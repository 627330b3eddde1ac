"""A request for information names what it asks for: a document (by its name) or a written
answer, which the applicant gives in the system (kept private, like the applicant's data).

Requests made before this ask, as they did, for any of the permit type's documents.

Revision ID: 0010_information_requests
Revises: 0009_hostile_input
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_information_requests"
down_revision: str | None = "0009_hostile_input"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("permits_pause") as batch:
        batch.add_column(sa.Column("asks", sa.String(20), nullable=True))
        batch.add_column(sa.Column("asked_for", sa.String(300), nullable=True))
        batch.add_column(sa.Column("answer", sa.Text(), nullable=True))
        batch.add_column(sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("permits_pause") as batch:
        batch.drop_column("answered_at")
        batch.drop_column("answer")
        batch.drop_column("asked_for")
        batch.drop_column("asks")
