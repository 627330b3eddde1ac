"""The trust machinery: transparency log, event outbox, persisted scheduler jobs.

Revision ID: 0002_ledger_events_scheduler
Revises: 0001_accounts
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_ledger_events_scheduler"
down_revision: str | None = "0001_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    head = op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    op.bulk_insert(head, [{"id": 1, "tree_size": 0}])
    op.create_table(
        "ledger_entry",
        sa.Column("index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entry_type", sa.String(80), nullable=False),
        sa.Column("subject", sa.String(120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("index", name=op.f("pk_ledger_entry")),
    )
    op.create_index(op.f("ix_ledger_entry_entry_type"), "ledger_entry", ["entry_type"])
    op.create_index(op.f("ix_ledger_entry_subject"), "ledger_entry", ["subject"])
    op.create_table(
        "ledger_node",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("level", "index", name=op.f("pk_ledger_node")),
    )
    op.create_table(
        "ledger_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_checkpoint")),
        sa.UniqueConstraint("tree_size", name=op.f("uq_ledger_checkpoint_tree_size")),
    )
    op.create_table(
        "core_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("subject", sa.String(120), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_event")),
    )
    op.create_index(op.f("ix_core_event_name"), "core_event", ["name"])
    op.create_index(op.f("ix_core_event_subject"), "core_event", ["subject"])
    # The table APScheduler's SQLAlchemyJobStore uses, under our name and our migrations.
    op.create_table(
        "scheduler_job",
        sa.Column("id", sa.Unicode(191), nullable=False),
        sa.Column("next_run_time", sa.Float(25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_job")),
    )
    op.create_index(op.f("ix_scheduler_job_next_run_time"), "scheduler_job", ["next_run_time"])


def downgrade() -> None:
    op.drop_table("scheduler_job")
    op.drop_table("core_event")
    op.drop_table("ledger_checkpoint")
    op.drop_table("ledger_node")
    op.drop_table("ledger_entry")
    op.drop_table("ledger_head")
