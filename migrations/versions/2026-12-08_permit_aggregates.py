"""The permit aggregates: each application's contribution, the running totals the departments'
rankings, the processing-time charts and the home page's permit figures are read from, the
open stages of applications in progress (indexed by department and due instant, so what is
overdue now is a range of an index), and the refresh job's cursor; and an index of the open
stages by the instant they were marked overdue, for the home page's "fell overdue" list.

The tables are empty after the upgrade: the refresh job's first run (or `prongsai insights
rebuild`) fills them from the record. (It follows 0016_profile_indexes, which landed first;
the ids were reserved before either was written.)

Revision ID: 0015_permit_aggregates
Revises: 0016_profile_indexes
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_permit_aggregates"
down_revision: str | None = "0016_profile_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("ended_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "permits_insight_application",
        sa.Column("application_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kept", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("application_id", name="pk_permits_insight_application"),
    )
    op.create_table(
        "permits_insight_sum",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("department_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(16), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("days", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("on_time", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind", "department_id", "key", "period", "days", name="pk_permits_insight_sum"
        ),
    )
    op.create_table(
        "permits_insight_open",
        sa.Column("stage_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column("type_code", sa.String(8), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("stage_id", name="pk_permits_insight_open"),
    )
    op.create_index(
        "ix_permits_insight_open_department_due_type",
        "permits_insight_open",
        ["department_id", "due_at", "type_code"],
    )
    op.create_index(
        "ix_permits_insight_open_due_application",
        "permits_insight_open",
        ["due_at", "application_id"],
    )
    op.create_table(
        "permits_insight_cursor",
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("calendar", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_permits_insight_cursor"),
    )
    op.create_index(
        "ix_permits_stage_open_overdue_at",
        "permits_stage",
        ["overdue_at", "id"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_permits_stage_open_overdue_at", "permits_stage")
    op.drop_table("permits_insight_cursor")
    op.drop_index("ix_permits_insight_open_due_application", "permits_insight_open")
    op.drop_index("ix_permits_insight_open_department_due_type", "permits_insight_open")
    op.drop_table("permits_insight_open")
    op.drop_table("permits_insight_sum")
    op.drop_table("permits_insight_application")
