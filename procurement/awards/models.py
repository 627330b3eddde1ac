"""Tables of awards and the complaints lodged against them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime


class AwardStatus(StrEnum):
    STANDSTILL = "standstill"
    FINAL = "final"
    CANCELLED = "cancelled"


class Award(SQLModel, table=True):
    __tablename__ = "procurement_award"
    # the newest decisions first (the home page's latest awards, the awards feed); and a
    # buyer's, from the end of its own range (its feed), the status read inside the index
    __table_args__ = (
        sa.Index("ix_procurement_award_decided_at_id", "decided_at", "id"),
        sa.Index(
            "ix_procurement_award_buyer_id_decided_at", "buyer_id", "decided_at", "id", "status"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    tender_id: int = Field(foreign_key="procurement_tender.id", index=True, ondelete="CASCADE")
    # the tender's buying entity (which never changes), copied when the award is decided;
    # nullable in the database only (migration 0019): every award has one
    buyer_id: int | None = Field(default=None, sa_type=sa.Integer)
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
