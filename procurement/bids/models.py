"""Tables of bids: registered suppliers, sealed bids, their lots and idempotency keys."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime


class BidStatus(StrEnum):
    SEALED = "sealed"
    SUPERSEDED = "superseded"  # replaced by a later version from the same supplier
    WITHDRAWN = "withdrawn"
    VALID = "valid"  # opened, commitment checked
    INVALID = "invalid"  # opened, but the commitment or decryption failed
    DISQUALIFIED = "disqualified"


class Supplier(SQLModel, table=True):
    """A supplier company's registration; the contact fields are private."""

    __tablename__ = "procurement_supplier"

    organisation_id: int = Field(
        primary_key=True, foreign_key="auth_organisation.id", ondelete="CASCADE"
    )
    address: str = Field(sa_type=sa.String(500))
    contact_name: str = Field(sa_type=sa.String(200))
    contact_email: str = Field(sa_type=sa.String(254))
    contact_phone: str = Field(sa_type=sa.String(40))
    registered_at: datetime = Field(sa_type=UTCDateTime)


class Bid(SQLModel, table=True):
    """A sealed bid: ciphertext and commitment until the opening; price only after it."""

    __tablename__ = "procurement_bid"
    __table_args__ = (sa.UniqueConstraint("tender_id", "supplier_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="procurement_tender.id", index=True, ondelete="CASCADE")
    supplier_id: int = Field(foreign_key="auth_organisation.id", index=True, ondelete="RESTRICT")
    version: int
    status: BidStatus = Field(sa_type=sa.String(16))
    ciphertext: bytes = Field(sa_type=sa.LargeBinary)
    commitment: str = Field(sa_type=sa.String(64))
    sealed_by_client: bool = False
    log_index: int = Field(sa_type=sa.BigInteger)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    price: int | None = Field(default=None, sa_type=sa.BigInteger)
    price_currency: str | None = Field(default=None, sa_type=sa.String(3))
    opened_json: str | None = Field(default=None, sa_type=sa.Text)
    rank: int | None = None
    problem: str | None = Field(default=None, sa_type=sa.Text)
    reserve_picks: str | None = Field(default=None, sa_type=sa.String(20))


class BidLot(SQLModel, table=True):
    """A bid's price for one lot: written at the opening, never before."""

    __tablename__ = "procurement_bid_lot"
    __table_args__ = (sa.UniqueConstraint("bid_id", "lot_id"),)

    id: int | None = Field(default=None, primary_key=True)
    bid_id: int = Field(foreign_key="procurement_bid.id", index=True, ondelete="CASCADE")
    lot_id: int = Field(foreign_key="procurement_lot.id", index=True, ondelete="CASCADE")
    price: int = Field(sa_type=sa.BigInteger)
    rank: int | None = None


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "procurement_idempotency_key"
    __table_args__ = (sa.UniqueConstraint("supplier_id", "target", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="auth_organisation.id", ondelete="CASCADE")
    target: str = Field(sa_type=sa.String(300))  # method and route target: the key's scope
    key: str = Field(sa_type=sa.String(200))  # SHA-256 of the client's key, never the key
    # HMAC-SHA256 under the server's secret and the client's key (procurement/bids/idempotency.py)
    request_hash: str = Field(sa_type=sa.String(64))
    bid_id: int | None = Field(default=None, foreign_key="procurement_bid.id", ondelete="SET NULL")
    created_at: datetime = Field(sa_type=UTCDateTime)
    lease_expires_at: datetime = Field(sa_type=UTCDateTime)  # an unfinished claim, until then
