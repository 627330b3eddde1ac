"""Requests about contracts: signature, amendments, milestones and payments."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class ContractIn(BaseModel):
    value: int = Field(gt=0)
    start_date: date
    end_date: date
    signed_date: date


class ContractAmendmentIn(BaseModel):
    rationale: str = Field(min_length=5, max_length=5_000)
    value: int | None = Field(default=None, gt=0)
    end_date: date | None = None


class MilestoneIn(BaseModel):
    title: str = Field(min_length=3, max_length=300)
    due_date: date


class MilestoneDoneIn(BaseModel):
    met: bool = True


class PaymentIn(BaseModel):
    amount: int = Field(gt=0, description="minor units")
    paid_date: date
    description: str = Field(min_length=1, max_length=500)
