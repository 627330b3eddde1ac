"""Tables of procurement. Bid prices exist here only after the opening."""

from __future__ import annotations

from datetime import date, datetime
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


class BidStatus(StrEnum):
    SEALED = "sealed"
    SUPERSEDED = "superseded"  # replaced by a later version from the same supplier
    WITHDRAWN = "withdrawn"
    VALID = "valid"  # opened, commitment checked
    INVALID = "invalid"  # opened, but the commitment or decryption failed
    DISQUALIFIED = "disqualified"


class AwardStatus(StrEnum):
    STANDSTILL = "standstill"
    FINAL = "final"
    CANCELLED = "cancelled"


class Tender(SQLModel, table=True):
    __tablename__ = "procurement_tender"

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
    status: TenderStatus = Field(sa_type=sa.String(16), index=True)
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
    __table_args__ = (sa.UniqueConstraint("supplier_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="auth_organisation.id", ondelete="CASCADE")
    key: str = Field(sa_type=sa.String(200))
    request_hash: str = Field(sa_type=sa.String(64))
    bid_id: int | None = Field(default=None, foreign_key="procurement_bid.id", ondelete="SET NULL")
    created_at: datetime = Field(sa_type=UTCDateTime)


class Award(SQLModel, table=True):
    __tablename__ = "procurement_award"

    id: int | None = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="procurement_tender.id", index=True, ondelete="CASCADE")
    bid_id: int = Field(foreign_key="procurement_bid.id", ondelete="RESTRICT")
    supplier_id: int = Field(foreign_key="auth_organisation.id", index=True, ondelete="RESTRICT")
    lot_id: int | None = Field(
        default=None, foreign_key="procurement_lot.id", index=True, ondelete="CASCADE"
    )
    value: int = Field(sa_type=sa.BigInteger)
    currency: str = Field(sa_type=sa.String(3))
    status: AwardStatus = Field(sa_type=sa.String(16))
    justification: str = Field(default="", sa_type=sa.Text)
    # Best value: the committee's scores and their justifications, as published (JSON).
    evaluation_json: str | None = Field(default=None, sa_type=sa.Text)
    decided_at: datetime = Field(sa_type=UTCDateTime)
    standstill_end_at: datetime = Field(sa_type=UTCDateTime)


class Complaint(SQLModel, table=True):
    __tablename__ = "procurement_complaint"

    id: int | None = Field(default=None, primary_key=True)
    award_id: int = Field(foreign_key="procurement_award.id", index=True, ondelete="CASCADE")
    complainant_id: int = Field(foreign_key="auth_organisation.id", ondelete="RESTRICT")
    text: str = Field(sa_type=sa.Text)
    lodged_at: datetime = Field(sa_type=UTCDateTime)
    response: str | None = Field(default=None, sa_type=sa.Text)
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Contract(SQLModel, table=True):
    __tablename__ = "procurement_contract"

    id: int | None = Field(default=None, primary_key=True)
    award_id: int = Field(foreign_key="procurement_award.id", unique=True, ondelete="RESTRICT")
    value: int = Field(sa_type=sa.BigInteger)
    currency: str = Field(sa_type=sa.String(3))
    start_date: date
    end_date: date
    signed_date: date
    created_at: datetime = Field(sa_type=UTCDateTime)


class ContractAmendment(SQLModel, table=True):
    __tablename__ = "procurement_contract_amendment"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="procurement_contract.id", index=True, ondelete="CASCADE")
    rationale: str = Field(sa_type=sa.Text)
    value_before: int = Field(sa_type=sa.BigInteger)
    value_after: int = Field(sa_type=sa.BigInteger)
    end_date_before: date
    end_date_after: date
    created_at: datetime = Field(sa_type=UTCDateTime)


class MilestoneStatus(StrEnum):
    SCHEDULED = "scheduled"
    MET = "met"
    NOT_MET = "notMet"


class Milestone(SQLModel, table=True):
    __tablename__ = "procurement_milestone"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="procurement_contract.id", index=True, ondelete="CASCADE")
    title: str = Field(sa_type=sa.String(300))
    due_date: date
    status: MilestoneStatus = Field(sa_type=sa.String(16))
    date_met: date | None = None


class Payment(SQLModel, table=True):
    __tablename__ = "procurement_payment"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="procurement_contract.id", index=True, ondelete="CASCADE")
    amount: int = Field(sa_type=sa.BigInteger)
    paid_date: date
    description: str = Field(sa_type=sa.String(500))
    created_at: datetime = Field(sa_type=UTCDateTime)


class Release(SQLModel, table=True):
    """An OCDS release, as published: immutable once written."""

    __tablename__ = "procurement_release"

    id: int | None = Field(default=None, primary_key=True)
    release_id: str = Field(sa_type=sa.String(120), unique=True)
    ocid: str = Field(sa_type=sa.String(120), index=True)
    tender_id: int = Field(foreign_key="procurement_tender.id", index=True, ondelete="CASCADE")
    date: datetime = Field(sa_type=UTCDateTime)
    tags: str = Field(sa_type=sa.String(200))
    body: str = Field(sa_type=sa.Text)


class Notification(SQLModel, table=True):
    """The outbox: sent by SMTP when configured, otherwise written to the data folder."""

    __tablename__ = "procurement_notification"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="auth_organisation.id", index=True, ondelete="CASCADE")
    subject: str = Field(sa_type=sa.String(300))
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
