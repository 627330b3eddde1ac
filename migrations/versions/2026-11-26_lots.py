"""Lots: a tender's lots, and bids and awards per lot; documents added by amendments.

Revision ID: 0006_lots
Revises: 0005_reserve_prices
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_lots"
down_revision: str | None = "0005_reserve_prices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procurement_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("estimated_value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tender_id"],
            ["procurement_tender.id"],
            name=op.f("fk_procurement_lot_tender_id_procurement_tender"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_lot")),
        sa.UniqueConstraint(
            "tender_id", "position", name=op.f("uq_procurement_lot_tender_id_position")
        ),
    )
    with op.batch_alter_table("procurement_lot") as batch:
        batch.create_index(batch.f("ix_procurement_lot_tender_id"), ["tender_id"], unique=False)

    op.create_table(
        "procurement_bid_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bid_id"],
            ["procurement_bid.id"],
            name=op.f("fk_procurement_bid_lot_bid_id_procurement_bid"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["procurement_lot.id"],
            name=op.f("fk_procurement_bid_lot_lot_id_procurement_lot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_bid_lot")),
        sa.UniqueConstraint("bid_id", "lot_id", name=op.f("uq_procurement_bid_lot_bid_id_lot_id")),
    )
    with op.batch_alter_table("procurement_bid_lot") as batch:
        batch.create_index(batch.f("ix_procurement_bid_lot_bid_id"), ["bid_id"], unique=False)
        batch.create_index(batch.f("ix_procurement_bid_lot_lot_id"), ["lot_id"], unique=False)

    with op.batch_alter_table("procurement_item") as batch:
        batch.add_column(sa.Column("lot_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_procurement_item_lot_id_procurement_lot"),
            "procurement_lot",
            ["lot_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(batch.f("ix_procurement_item_lot_id"), ["lot_id"], unique=False)

    with op.batch_alter_table("procurement_award") as batch:
        batch.add_column(sa.Column("lot_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("evaluation_json", sa.Text(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_procurement_award_lot_id_procurement_lot"),
            "procurement_lot",
            ["lot_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(batch.f("ix_procurement_award_lot_id"), ["lot_id"], unique=False)
        # The red flags read one supplier's awards (has it ever won?).
        batch.create_index(
            batch.f("ix_procurement_award_supplier_id"), ["supplier_id"], unique=False
        )

    with op.batch_alter_table("procurement_document") as batch:
        batch.add_column(sa.Column("amendment_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_procurement_document_amendment_id_procurement_amendment"),
            "procurement_amendment",
            ["amendment_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(
            batch.f("ix_procurement_document_amendment_id"), ["amendment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("procurement_document") as batch:
        batch.drop_index(batch.f("ix_procurement_document_amendment_id"))
        batch.drop_constraint(
            batch.f("fk_procurement_document_amendment_id_procurement_amendment"),
            type_="foreignkey",
        )
        batch.drop_column("amendment_id")
    with op.batch_alter_table("procurement_award") as batch:
        batch.drop_index(batch.f("ix_procurement_award_supplier_id"))
        batch.drop_index(batch.f("ix_procurement_award_lot_id"))
        batch.drop_constraint(
            batch.f("fk_procurement_award_lot_id_procurement_lot"), type_="foreignkey"
        )
        batch.drop_column("evaluation_json")
        batch.drop_column("lot_id")
    with op.batch_alter_table("procurement_item") as batch:
        batch.drop_index(batch.f("ix_procurement_item_lot_id"))
        batch.drop_constraint(
            batch.f("fk_procurement_item_lot_id_procurement_lot"), type_="foreignkey"
        )
        batch.drop_column("lot_id")
    with op.batch_alter_table("procurement_bid_lot") as batch:
        batch.drop_index(batch.f("ix_procurement_bid_lot_lot_id"))
        batch.drop_index(batch.f("ix_procurement_bid_lot_bid_id"))
    op.drop_table("procurement_bid_lot")
    with op.batch_alter_table("procurement_lot") as batch:
        batch.drop_index(batch.f("ix_procurement_lot_tender_id"))
    op.drop_table("procurement_lot")
