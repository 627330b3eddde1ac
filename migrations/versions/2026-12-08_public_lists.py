"""The public lists through an index per filter.

The list of permits reads an application's stage in progress from the application: its code,
department and due instant are copied there in the transaction that starts, ends or moves the
stage (permits.record.follow_stage), so the list filters and orders through an index per
filter instead of joining every application to its open stage and sorting. Indexes: status,
type, type and status, and current department, each followed by the submission time and id
(newest first within the filter; the department's carries the type and status, so they are
tested inside it); status and due instant (overdue ones, longest overdue first, carrying type
and department); the change time (a mirror's `since`, and the permit aggregates' refresh,
which read every application to find the changed ones). The index on status alone goes: the
new one serves every status lookup.

The copies are filled from the open stages here, in one statement.

The public list of tenders, filtered by status and paged by id, gets (status, id): with only
(status, deadline) SQLite read every tender of the status and sorted them (80,000 awarded
ones at 1,000,000 tenders: 244 ms a page).

Revision ID: 0017_public_lists
Revises: 0015_permit_aggregates
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_public_lists"
down_revision: str | None = "0015_permit_aggregates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "permits_application"
INDEXES = {
    "ix_permits_application_status_submitted_at": ["status", "submitted_at", "id"],
    "ix_permits_application_type_code_submitted_at": ["type_code", "submitted_at", "id"],
    "ix_permits_application_type_code_status_submitted_at": [
        "type_code",
        "status",
        "submitted_at",
        "id",
    ],
    "ix_permits_application_current_department_id_submitted_at": [
        "current_department_id",
        "submitted_at",
        "id",
        "type_code",
        "status",
    ],
    "ix_permits_application_status_current_due_at": [
        "status",
        "current_due_at",
        "id",
        "type_code",
        "current_department_id",
    ],
    "ix_permits_application_updated_at": ["updated_at", "id"],
}


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN on both databases (no foreign key: a copy, not a relation),
    # so SQLite does not rebuild a table of a million rows.
    op.add_column(TABLE, sa.Column("current_stage", sa.String(32), nullable=True))
    op.add_column(TABLE, sa.Column("current_department_id", sa.Integer(), nullable=True))
    op.add_column(TABLE, sa.Column("current_due_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE permits_application SET current_stage = s.code, "
        "current_department_id = s.department_id, current_due_at = s.due_at "
        "FROM permits_stage AS s "
        "WHERE s.application_id = permits_application.id AND s.ended_at IS NULL"
    )
    op.drop_index("ix_permits_application_status", TABLE)
    for name, columns in INDEXES.items():
        op.create_index(name, TABLE, columns)
    op.create_index("ix_procurement_tender_status_id", "procurement_tender", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_procurement_tender_status_id", "procurement_tender")
    for name in reversed(INDEXES):
        op.drop_index(name, TABLE)
    op.create_index("ix_permits_application_status", TABLE, ["status"])
    # ALTER TABLE … DROP COLUMN on both (SQLite 3.35+), not a copy of a table others refer to
    for column in ("current_due_at", "current_department_id", "current_stage"):
        op.execute(f"ALTER TABLE {TABLE} DROP COLUMN {column}")
