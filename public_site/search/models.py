"""Tables of the public site: the search index of public records and its change cursors."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime
from public_site.search import autogenerate  # noqa: F401 -- keeps full-text objects out of autogenerate


class SearchDocument(SQLModel, table=True):
    """One public record as the search box finds it; rebuilt from the domains at any time."""

    __tablename__ = "public_search_document"
    __table_args__ = (
        sa.UniqueConstraint("kind", "key"),
        sa.Index("ix_public_search_document_sort_at_id", "sort_at", "id"),
        sa.Index("ix_public_search_document_kind_sort_at_id", "kind", "sort_at", "id"),
        sa.Index("ix_public_search_document_sort_value_id", "sort_value", "id"),
        sa.Index("ix_public_search_document_buyer_sort_at", "buyer", "sort_at"),
        sa.Index("ix_public_search_document_department_sort_at", "department", "sort_at"),
        # Filters walked in sort order as a range of an index (a year is a range of sort_at):
        # migration 0013_search_filter_indexes.
        sa.Index("ix_public_search_document_status_sort_at_id", "status", "sort_at", "id"),
        sa.Index(
            "ix_public_search_document_category_status_sort_at_id",
            "category",
            "status",
            "sort_at",
            "id",
        ),
        sa.Index("ix_public_search_document_buyer_sort_value_id", "buyer", "sort_value", "id"),
    )

    # A plain INTEGER primary key: SQLite's FTS5 table uses it as the rowid of its content.
    id: int | None = Field(default=None, primary_key=True, sa_type=sa.Integer)
    kind: str = Field(sa_type=sa.String(16))
    key: str = Field(sa_type=sa.String(64))
    title: str = Field(sa_type=sa.String(400))
    body: str = Field(sa_type=sa.Text)
    url: str = Field(sa_type=sa.String(200))
    status: str | None = Field(default=None, sa_type=sa.String(32))
    buyer: str | None = Field(default=None, sa_type=sa.String(64))
    buyer_name: str | None = Field(default=None, sa_type=sa.String(200))
    department: str | None = Field(default=None, sa_type=sa.String(64))
    department_name: str | None = Field(default=None, sa_type=sa.String(200))
    category: str | None = Field(default=None, sa_type=sa.String(32))
    year: int | None = Field(default=None)
    value: int | None = Field(default=None, sa_type=sa.BigInteger, description="minor units")
    currency: str | None = Field(default=None, sa_type=sa.String(3))
    # value, or -1 when the record has none: a NOT NULL key that keyset pagination can use.
    sort_value: int = Field(sa_type=sa.BigInteger)
    overdue: bool = Field(default=False)
    sort_at: datetime = Field(sa_type=UTCDateTime)
    digest: str = Field(sa_type=sa.String(32))
    indexed_at: datetime = Field(sa_type=UTCDateTime)


class SearchCursor(SQLModel, table=True):
    """How far the indexer has read each source of public records."""

    __tablename__ = "public_search_cursor"

    source: str = Field(primary_key=True, sa_type=sa.String(64))
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_id: int = Field(default=0, sa_type=sa.BigInteger)
    updated_at: datetime = Field(sa_type=UTCDateTime)
