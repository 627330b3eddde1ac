"""Tables of contracts: amendments, milestones and payments."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.db import UTCDateTime


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
