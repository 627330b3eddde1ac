"""Idempotency-Keys kept as their SHA-256, their requests hashed under the client's key too.

Until now the key was stored as the client sent it, and the request's HMAC was keyed by the
server's secret alone: with a database dump and the secret file, a guessed price could be
tested against it. Keys become their digest here (so a retry of a finished request still finds
its bid) and the old HMACs are scrubbed: a retry of an old key with its body is refused as a
mismatch rather than matched. Unfinished claims are dropped, as their requests are long over.

Revision ID: 0011_idempotency_key_digest
Revises: 0010_information_requests
Create Date: 2026-12-07
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_idempotency_key_digest"
down_revision: str | None = "0010_information_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = sa.table(
    "procurement_idempotency_key",
    sa.column("id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("request_hash", sa.String),
    sa.column("bid_id", sa.Integer),
)


def upgrade() -> None:
    connection = op.get_bind()
    connection.execute(sa.delete(KEYS).where(KEYS.c.bid_id.is_(None)))
    for row_id, key in connection.execute(sa.select(KEYS.c.id, KEYS.c.key)).all():
        digest = hashlib.sha256(key.encode()).hexdigest()
        connection.execute(
            sa.update(KEYS).where(KEYS.c.id == row_id).values(key=digest, request_hash="")
        )


def downgrade() -> None:
    # The clients' keys cannot be recovered from their digests. Finished keys stay as digests:
    # a retry of one after a downgrade records the bid again as a new version, which replaces
    # the old one (the newest version of a supplier's bid is the one that counts).
    op.execute("DELETE FROM procurement_idempotency_key WHERE bid_id IS NULL")
