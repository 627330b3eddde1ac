"""Onboarding: organisations' status, verified e-mail and lead users, single-use links, the
accounts' e-mail outbox, the record of admin actions, and uploaded documents' names.

Revision ID: 0008_onboarding
Revises: 0007_public_search
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_onboarding"
down_revision: str | None = "0007_public_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auth_organisation") as batch:
        batch.add_column(
            sa.Column("status", sa.String(length=16), server_default="active", nullable=False)
        )
        batch.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_auth_organisation_status"), ["status"], unique=False)
    with op.batch_alter_table("auth_user") as batch:
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("is_lead", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("permits_document") as batch:
        batch.add_column(sa.Column("filename", sa.String(length=255), nullable=True))
    # Accounts made before self-registration were made by an operator, who vouched for them.
    op.execute("UPDATE auth_user SET email_verified_at = created_at")

    op.create_table(
        "auth_account_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("fk_auth_account_link_user_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_account_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_account_link_token_hash")),
    )
    with op.batch_alter_table("auth_account_link") as batch:
        batch.create_index(batch.f("ix_auth_account_link_user_id"), ["user_id"], unique=False)

    op.create_table(
        "auth_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_email", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_mail")),
    )
    with op.batch_alter_table("auth_mail") as batch:
        batch.create_index(batch.f("ix_auth_mail_sent_at"), ["sent_at"], unique=False)

    op.create_table(
        "auth_admin_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["auth_user.id"],
            name=op.f("fk_auth_admin_action_actor_id_auth_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_admin_action")),
    )
    with op.batch_alter_table("auth_admin_action") as batch:
        batch.create_index(batch.f("ix_auth_admin_action_actor_id"), ["actor_id"], unique=False)
        batch.create_index(batch.f("ix_auth_admin_action_action"), ["action"], unique=False)
        batch.create_index(batch.f("ix_auth_admin_action_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_table("auth_admin_action")
    op.drop_table("auth_mail")
    op.drop_table("auth_account_link")
    with op.batch_alter_table("permits_document") as batch:
        batch.drop_column("filename")
    with op.batch_alter_table("auth_user") as batch:
        batch.drop_column("is_lead")
        batch.drop_column("email_verified_at")
    with op.batch_alter_table("auth_organisation") as batch:
        batch.drop_index(batch.f("ix_auth_organisation_status"))
        batch.drop_column("status_changed_at")
        batch.drop_column("status_reason")
        batch.drop_column("status")
