"""Tables of tenders: the notice, its lots, items, documents, questions and amendments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime


class Category(StrEnum):
    GOODS = "goods"
    WORKS = "works"
    SERVICES = "services"


class Method(StrEnum):
    OPEN = "open"
    SELECTIVE = "selective"


class AwardCriteria(StrEnum):
    LOWEST_PRICE = "lowest_price"
    BEST_VALUE = "best_value"


class TenderStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"  # published, bids accepted until the deadline
    OPENED = "opened"  # bids opened and published
    AWARDED = "awarded"  # award decided; standstill running or over
    CONTRACTED = "contracted"
    CANCELLED = "cancelled"


class Tender(SQLModel, table=True):
    __tablename__ = "procurement_tender"
    # by status, and the tenders taking bids now by deadline (the home page's count and
    # "closing soon"); it replaced an index on status alone, which SQLite preferred to it;
    # and by status newest first (the public list filtered by status, paged by id)
    __table_args__ = (
        sa.Index("ix_procurement_tender_status_tender_end_at", "status", "tender_end_at"),
        sa.Index("ix_procurement_tender_status_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    buyer_id: int = Field(foreign_key="auth_organisation.id", index=True, ondelete="RESTRICT")
    created_by_id: int = Field(foreign_key="auth_user.id", ondelete="RESTRICT")
    title: str = Field(sa_type=sa.String(300))
    description: str = Field(sa_type=sa.Text)
    category: Category = Field(sa_type=sa.String(16))
    method: Method = Field(sa_type=sa.String(16))
    estimated_value: int = Field(sa_type=sa.BigInteger, description="minor units")
    currency: str = Field(sa_type=sa.String(3))
    award_criteria: AwardCriteria = Field(sa_type=sa.String(16))
    criteria_json: str = Field(default="[]", sa_type=sa.Text)
    eligibility: str = Field(default="", sa_type=sa.Text)
    invited_json: str = Field(default="[]", sa_type=sa.Text)
    standstill_days: int = 10
    enquiry_end_at: datetime = Field(sa_type=UTCDateTime)
    tender_start_at: datetime = Field(sa_type=UTCDateTime)
    tender_end_at: datetime = Field(sa_type=UTCDateTime, index=True)
    opening_at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: TenderStatus = Field(sa_type=sa.String(16))  # indexed with the deadline, below
    version: int = 1
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime, index=True)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_reason: str | None = Field(default=None, sa_type=sa.Text)
    public_key: bytes | None = Field(default=None, sa_type=sa.LargeBinary(32))
    sealed_private_key: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # KONEPS multiple reserve prices (all None when the tender does not use them).
    reserve_base: int | None = Field(default=None, sa_type=sa.BigInteger)
    reserve_range_bp: int | None = None
    floor_rate_bp: int | None = None
    reserve_seed_commitment: str | None = Field(default=None, sa_type=sa.String(64))
    sealed_reserve_seed: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    reserve_seed: str | None = Field(default=None, sa_type=sa.String(64))
    reserve_price: int | None = Field(default=None, sa_type=sa.BigInteger)


class Lot(SQLModel, table=True):
    """A part of a tender that is bid on, ranked and awarded on its own."""

    __tablename__ = "procurement_lot"
    __table_args__ = (sa.UniqueConstraint("tender_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="procurement_tender.id", index=True, ondelete="CASCADE")
    position: int  # the lot number the public and bidders use (1, 2, ...)
    title: str = Field(sa_type=sa.String(300))
    description: str = Field(default="", sa_type=sa.Text)
    estimated_value: int = Field(sa_type=sa.BigInteger, description="minor units")


class Item(SQLModel, table=True):
    __tablename__ = "procurement_item"

    id: int | None = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="procurement_tender.id", index=True, ondelete="CASCADE")
    lot_id: int | None = Field(
        default=None, foreign_key="procurement_lot.id", index=True, ondelete="CASCADE"
    )
    position: int
    description: str = Field(sa_type=sa.String(500))
    quantity: Decimal = Field(sa_type=sa.Numeric(18, 3))
    unit: str = Field(sa_type=sa.String(40))
    classification: str | None = Field(default=None, sa_type=sa.String(40))


class Document(SQLModel, table=True):
    __tablename__ = "procurement_document"

    id: int | None = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="procurement_tender.id", index=True, ondelete="CASCADE")
    title: str = Field(sa_type=sa.String(200))
    sha256: str = Field(sa_type=sa.String(64))
    size: int
    created_at: datetime = Field(sa_type=UTCDateTime)
    # Set when the document came with an amendment (None: attached to the draft).
    amendment_id: int | None = Field(
        default=None, foreign_key="procurement_amendment.id", index=True, ondelete="CASCADE"
    )


class Clarification(SQLModel, table=True):
    __tablename__ = "procurement_clarification"

    id: int | None = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="procurement_tender.id", index=True, ondelete="CASCADE")
    asker_id: int = Field(foreign_key="auth_organisation.id", ondelete="RESTRICT")  # private
    question: str = Field(sa_type=sa.Text)
    asked_at: datetime = Field(sa_type=UTCDateTime)
    answer: str | None = Field(default=None, sa_type=sa.Text)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Amendment(SQLModel, table=True):
    __tablename__ = "procurement_amendment"

    id: int | None = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="procurement_tender.id", index=True, ondelete="CASCADE")
    version: int
    rationale: str = Field(sa_type=sa.Text)
    changes_json: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
