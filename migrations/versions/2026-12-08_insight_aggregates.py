"""The procurement aggregates: each published tender's contribution, its own red flags, the
running totals the public figures are read from, and the refresh job's cursor.

Empty after the upgrade: the refresh job's first run (or `prongsai insights rebuild`) fills
them from the record.

Revision ID: 0012_insight_aggregates
Revises: 0011_idempotency_key_digest
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_insight_aggregates"
down_revision: str | None = "0011_idempotency_key_digest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procurement_insight_tender",
        sa.Column("tender_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("buyer_id", sa.BigInteger(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("winner_id", sa.BigInteger(), nullable=True),
        sa.Column("kept", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tender_id", name="pk_procurement_insight_tender"),
    )
    op.create_index(
        "ix_procurement_insight_tender_buyer_winner",
        "procurement_insight_tender",
        ["buyer_id", "winner_id", "year"],
    )
    op.create_table(
        "procurement_insight_flag",
        sa.Column("tender_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("supplier_id", sa.BigInteger(), nullable=True),
        sa.Column("message", sa.String(200), nullable=False),
        sa.Column("values_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tender_id", "seq", name="pk_procurement_insight_flag"),
    )
    op.create_index(
        "ix_procurement_insight_flag_code_tender",
        "procurement_insight_flag",
        ["code", "tender_id", "seq"],
    )
    op.create_index(
        "ix_procurement_insight_flag_code_year_tender",
        "procurement_insight_flag",
        ["code", "year", "tender_id"],
    )
    op.create_table(
        "procurement_insight_sum",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("k1", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("k2", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("k3", sa.String(40), nullable=False),
        sa.Column("cur", sa.String(3), nullable=False),
        sa.Column("n1", sa.BigInteger(), nullable=False),
        sa.Column("n2", sa.BigInteger(), nullable=False),
        sa.Column("n3", sa.BigInteger(), nullable=False),
        sa.Column("n4", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind", "year", "k1", "k2", "k3", "cur", name="pk_procurement_insight_sum"
        ),
    )
    op.create_index(
        "ix_procurement_insight_sum_kind_year_n1_n2",
        "procurement_insight_sum",
        ["kind", "year", "n1", "n2"],
    )
    op.create_index(
        "ix_procurement_insight_sum_kind_year_k1_n1",
        "procurement_insight_sum",
        ["kind", "year", "k1", "n1"],
    )
    op.create_table(
        "procurement_insight_cursor",
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_procurement_insight_cursor"),
    )


def downgrade() -> None:
    op.drop_table("procurement_insight_cursor")
    op.drop_index("ix_procurement_insight_sum_kind_year_k1_n1", "procurement_insight_sum")
    op.drop_index("ix_procurement_insight_sum_kind_year_n1_n2", "procurement_insight_sum")
    op.drop_table("procurement_insight_sum")
    op.drop_index("ix_procurement_insight_flag_code_year_tender", "procurement_insight_flag")
    op.drop_index("ix_procurement_insight_flag_code_tender", "procurement_insight_flag")
    op.drop_table("procurement_insight_flag")
    op.drop_index("ix_procurement_insight_tender_buyer_winner", "procurement_insight_tender")
    op.drop_table("procurement_insight_tender")
