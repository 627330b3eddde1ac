"""Permits: types, applications, stages, pauses, transitions, documents, certificates.

Revision ID: 0003_permits
Revises: 0002_ledger_events_scheduler
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_permits"
down_revision: str | None = "0002_ledger_events_scheduler"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _application_fk(table: str) -> sa.ForeignKeyConstraint:
    return _fk(table, "application_id", "permits_application", "CASCADE")


def upgrade() -> None:
    op.create_table(
        "permits_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_th", sa.String(200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits_type")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_permits_type_code_version")),
    )
    op.create_index(op.f("ix_permits_type_code"), "permits_type", ["code"])
    op.create_table(
        "permits_closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("closure_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits_closure")),
        sa.UniqueConstraint("closure_date", name=op.f("uq_permits_closure_closure_date")),
    )
    op.create_table(
        "permits_officer_profile",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("badge_number", sa.String(32), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        _fk("permits_officer_profile", "user_id", "auth_user", "CASCADE"),
        _fk("permits_officer_profile", "supervisor_id", "auth_user", "SET NULL"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_permits_officer_profile")),
        sa.UniqueConstraint("badge_number", name=op.f("uq_permits_officer_profile_badge_number")),
    )
    op.create_table(
        "permits_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracking_number", sa.String(32), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("type_code", sa.String(8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("form_data", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("permits_application", "type_id", "permits_type", "RESTRICT"),
        _fk("permits_application", "applicant_id", "auth_user", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits_application")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_permits_application_tracking_number")),
        sa.UniqueConstraint(
            "type_code",
            "year",
            "sequence",
            name=op.f("uq_permits_application_type_code_year_sequence"),
        ),
    )
    for column in ("type_id", "applicant_id", "status", "submitted_at"):
        op.create_index(op.f(f"ix_permits_application_{column}"), "permits_application", [column])
    op.create_table(
        "permits_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("original_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("paused_units", sa.Integer(), nullable=False),
        sa.Column("extension_reason", sa.String(1000), nullable=True),
        sa.Column("extended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delay_reason", sa.String(1000), nullable=True),
        sa.Column("delay_reason_at", sa.DateTime(timezone=True), nullable=True),
        _application_fk("permits_stage"),
        _fk("permits_stage", "department_id", "auth_organisation", "RESTRICT"),
        _fk("permits_stage", "officer_id", "auth_user", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits_stage")),
        sa.UniqueConstraint(
            "application_id", "position", name=op.f("uq_permits_stage_application_id_position")
        ),
    )
    for column in ("application_id", "department_id", "officer_id", "due_at"):
        op.create_index(op.f(f"ix_permits_stage_{column}"), "permits_stage", [column])
    op.create_table(
        "permits_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("units", sa.Integer(), nullable=True),
        _fk("permits_pause", "stage_id", "permits_stage", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits_pause")),
    )
    op.create_index(op.f("ix_permits_pause_stage_id"), "permits_pause", ["stage_id"])
    op.create_table(
        "permits_transition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("late_entry", sa.Boolean(), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        _application_fk("permits_transition"),
        _fk("permits_transition", "stage_id", "permits_stage", "CASCADE"),
        _fk("permits_transition", "actor_id", "auth_user", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits_transition")),
    )
    op.create_index(
        op.f("ix_permits_transition_application_id"), "permits_transition", ["application_id"]
    )
    op.create_table(
        "permits_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("requirement", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        _application_fk("permits_document"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits_document")),
    )
    op.create_index(
        op.f("ix_permits_document_application_id"), "permits_document", ["application_id"]
    )
    op.create_table(
        "permits_data_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("accessed_at", sa.DateTime(timezone=True), nullable=False),
        _application_fk("permits_data_access"),
        _fk("permits_data_access", "officer_id", "auth_user", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits_data_access")),
    )
    op.create_index(
        op.f("ix_permits_data_access_application_id"), "permits_data_access", ["application_id"]
    )
    op.create_table(
        "permits_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _application_fk("permits_subscription"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits_subscription")),
        sa.UniqueConstraint(
            "application_id", "email", name=op.f("uq_permits_subscription_application_id_email")
        ),
        sa.UniqueConstraint("token", name=op.f("uq_permits_subscription_token")),
    )
    op.create_index(
        op.f("ix_permits_subscription_application_id"), "permits_subscription", ["application_id"]
    )
    op.create_table(
        "permits_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        _application_fk("permits_notification"),
        _fk("permits_notification", "user_id", "auth_user", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits_notification")),
    )
    for column in ("application_id", "user_id", "sent_at"):
        op.create_index(op.f(f"ix_permits_notification_{column}"), "permits_notification", [column])
    op.create_table(
        "permits_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=False),
        _application_fk("permits_certificate"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits_certificate")),
        sa.UniqueConstraint("application_id", name=op.f("uq_permits_certificate_application_id")),
        sa.UniqueConstraint("digest", name=op.f("uq_permits_certificate_digest")),
    )


def downgrade() -> None:
    for table in (
        "permits_certificate",
        "permits_notification",
        "permits_subscription",
        "permits_data_access",
        "permits_document",
        "permits_transition",
        "permits_pause",
        "permits_stage",
        "permits_application",
        "permits_officer_profile",
        "permits_closure",
        "permits_type",
    ):
        op.drop_table(table)
