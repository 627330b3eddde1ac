"""Requests about contracts: signature, amendments, milestones and payments."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from core.types import Input, Money


class ContractIn(Input):
    value: Money
    start_date: date
    end_date: date
    signed_date: date


class ContractAmendmentIn(Input):
    rationale: str = Field(min_length=5, max_length=5_000)
    value: Money | None = None
    end_date: date | None = None


class MilestoneIn(Input):
    title: str = Field(min_length=3, max_length=300)
    due_date: date


class MilestoneDoneIn(Input):
    met: bool = True


class PaymentIn(Input):
    amount: Money = Field(description="minor units")
    paid_date: date
    description: str = Field(min_length=1, max_length=500)
