"""The public site's search index.

Revision ID: 0007_public_search
Revises: 0006_lots
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_public_search"
down_revision: str | None = "0006_lots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite: an FTS5 table over the documents' title and body, trigram-tokenized so that any
# substring of three characters or more (a Thai word inside an unspaced sentence) matches;
# external content (the documents table), kept in step by triggers.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE public_search_fts USING fts5("
    "title, body, content='public_search_document', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER public_search_document_ai AFTER INSERT ON public_search_document BEGIN "
    "INSERT INTO public_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER public_search_document_ad AFTER DELETE ON public_search_document BEGIN "
    "INSERT INTO public_search_fts(public_search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER public_search_document_au AFTER UPDATE ON public_search_document BEGIN "
    "INSERT INTO public_search_fts(public_search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO public_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS public_search_document_au",
    "DROP TRIGGER IF EXISTS public_search_document_ad",
    "DROP TRIGGER IF EXISTS public_search_document_ai",
    "DROP TABLE IF EXISTS public_search_fts",
]
# PostgreSQL: trigram GIN indexes, which serve ILIKE '%word%' in any script.
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_public_search_document_title_trgm ON public_search_document "
    "USING gin (title gin_trgm_ops)",
    "CREATE INDEX ix_public_search_document_body_trgm ON public_search_document "
    "USING gin (body gin_trgm_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_public_search_document_body_trgm",
    "DROP INDEX IF EXISTS ix_public_search_document_title_trgm",
]


def upgrade() -> None:
    """The documents table, its cursors, and the full-text objects of the database in use."""
    op.create_table(
        "public_search_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(200), nullable=False),
        sa.Column("status", sa.String(32), nullable=True),
        sa.Column("buyer", sa.String(64), nullable=True),
        sa.Column("buyer_name", sa.String(200), nullable=True),
        sa.Column("department", sa.String(64), nullable=True),
        sa.Column("department_name", sa.String(200), nullable=True),
        sa.Column("category", sa.String(32), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("sort_value", sa.BigInteger(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("sort_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest", sa.String(32), nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_public_search_document"),
        sa.UniqueConstraint("kind", "key", name="uq_public_search_document_kind_key"),
    )
    for name, columns in (
        ("ix_public_search_document_sort_at_id", ["sort_at", "id"]),
        ("ix_public_search_document_kind_sort_at_id", ["kind", "sort_at", "id"]),
        ("ix_public_search_document_sort_value_id", ["sort_value", "id"]),
        ("ix_public_search_document_buyer_sort_at", ["buyer", "sort_at"]),
        ("ix_public_search_document_department_sort_at", ["department", "sort_at"]),
    ):
        op.create_index(name, "public_search_document", columns)
    op.create_table(
        "public_search_cursor",
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_public_search_cursor"),
    )
    op.create_index(
        "ix_permits_transition_entered_at_id", "permits_transition", ["entered_at", "id"]
    )
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    """Reverses upgrade(); the pg_trgm extension stays, as other schemas may use it."""
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(dialect, []):
        op.execute(statement)
    op.drop_index("ix_permits_transition_entered_at_id", table_name="permits_transition")
    op.drop_table("public_search_cursor")
    for name in (
        "ix_public_search_document_department_sort_at",
        "ix_public_search_document_buyer_sort_at",
        "ix_public_search_document_sort_value_id",
        "ix_public_search_document_kind_sort_at_id",
        "ix_public_search_document_sort_at_id",
    ):
        op.drop_index(name, table_name="public_search_document")
    op.drop_table("public_search_document")
