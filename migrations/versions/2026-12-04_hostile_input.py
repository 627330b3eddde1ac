"""Idempotency-Keys scoped, keyed-hashed and leased; permit subscriptions confirmed by their
address (double opt-in).

A key now belongs to (supplier, method and route target) and carries a lease. Its request
hash becomes an HMAC under a server secret: the plain SHA-256 of the clear bid kept until now
let a database dump test prices, so existing hashes are scrubbed (a retry of an old key with
its body is refused as a mismatch rather than matched) and unfinished old claims are dropped.

Revision ID: 0009_hostile_input
Revises: 0008_onboarding
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_hostile_input"
down_revision: str | None = "0008_onboarding"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "procurement_idempotency_key"


def upgrade() -> None:
    with op.batch_alter_table("permits_subscription") as batch:
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    # Subscriptions made before double opt-in keep their e-mails.
    op.execute("UPDATE permits_subscription SET confirmed_at = created_at")
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("target", sa.String(300), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("DELETE FROM procurement_idempotency_key WHERE bid_id IS NULL")
    op.execute(
        "UPDATE procurement_idempotency_key SET request_hash = '', "
        "lease_expires_at = created_at, target = 'POST /tenders/' || "
        "(SELECT CAST(b.tender_id AS VARCHAR) FROM procurement_bid b "
        "WHERE b.id = procurement_idempotency_key.bid_id) || '/bids'"
    )
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("target", existing_type=sa.String(300), nullable=False)
        batch.alter_column(
            "lease_expires_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch.drop_constraint("uq_procurement_idempotency_key_supplier_id_key", type_="unique")
        batch.create_unique_constraint(
            "uq_procurement_idempotency_key_supplier_id_target_key",
            ["supplier_id", "target", "key"],
        )


def downgrade() -> None:
    # One key per supplier again: the first claim of a key reused on several targets stays.
    op.execute(
        "DELETE FROM procurement_idempotency_key WHERE id NOT IN "
        "(SELECT MIN(id) FROM procurement_idempotency_key GROUP BY supplier_id, key)"
    )
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint(
            "uq_procurement_idempotency_key_supplier_id_target_key", type_="unique"
        )
        batch.create_unique_constraint(
            "uq_procurement_idempotency_key_supplier_id_key", ["supplier_id", "key"]
        )
        batch.drop_column("lease_expires_at")
        batch.drop_column("target")
    with op.batch_alter_table("permits_subscription") as batch:
        batch.drop_column("confirmed_at")
