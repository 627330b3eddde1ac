"""Requests about tenders: drafts, documents, amendments, cancellation, questions."""

from __future__ import annotations

from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, Field

from core.types import Input, Money, MoneyOrZero
from procurement.tenders.models import AwardCriteria, Category, Method


class ItemIn(Input):
    description: str = Field(min_length=1, max_length=500)
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=3)
    unit: str = Field(min_length=1, max_length=40)
    classification: str | None = Field(default=None, max_length=40)
    lot: int | None = Field(default=None, ge=1, le=50, description="the number of the item's lot")


class LotIn(Input):
    """A lot: bid on, ranked and awarded on its own."""

    title: str = Field(min_length=3, max_length=300)
    description: str = Field(default="", max_length=20_000)
    estimated_value: MoneyOrZero = Field(description="minor units")


class CriterionIn(Input):
    name: str = Field(min_length=1, max_length=200)
    weight: int = Field(gt=0, le=100)


class ReserveIn(Input):
    """KONEPS multiple reserve prices: a base amount and a range; 15 candidates are drawn."""

    base_amount: Money = Field(description="minor units")
    range_bp: int = Field(default=200, ge=10, le=1_000, description="± range, basis points")
    floor_rate_bp: int | None = Field(
        default=None,
        ge=5_000,
        le=10_000,
        description="bids under this share of the reserve price cannot win (basis points)",
    )


class TenderDraftIn(Input):
    title: str = Field(min_length=3, max_length=300)
    description: str = Field(min_length=1, max_length=20_000)
    category: Category
    method: Method = Method.OPEN
    estimated_value: MoneyOrZero = Field(description="in minor units (satang for THB)")
    currency: str = Field(default="THB", pattern=r"^[A-Z]{3}$")
    award_criteria: AwardCriteria = AwardCriteria.LOWEST_PRICE
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=20)
    eligibility: str = Field(default="", max_length=20_000)
    invited_suppliers: list[str] = Field(
        default_factory=list, max_length=500, description="organisation slugs"
    )
    standstill_days: int = Field(default=10, ge=0, le=60)
    enquiry_end_at: AwareDatetime
    tender_start_at: AwareDatetime
    tender_end_at: AwareDatetime
    opening_at: AwareDatetime
    items: list[ItemIn] = Field(min_length=1, max_length=500)
    lots: list[LotIn] = Field(
        default_factory=list, max_length=50, description="numbered 1, 2, ... in this order"
    )
    reserve: ReserveIn | None = None


class DocumentIn(Input):
    title: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(description="a PDF, base64-encoded")


class AmendmentIn(Input):
    rationale: str = Field(min_length=5, max_length=5_000)
    title: str | None = Field(default=None, min_length=3, max_length=300)
    description: str | None = Field(default=None, min_length=1, max_length=20_000)
    eligibility: str | None = Field(default=None, max_length=20_000)
    estimated_value: MoneyOrZero | None = None
    enquiry_end_at: AwareDatetime | None = None
    tender_end_at: AwareDatetime | None = None
    opening_at: AwareDatetime | None = None
    documents: list[DocumentIn] = Field(
        default_factory=list, max_length=10, description="new PDF documents to publish"
    )


class CancelIn(Input):
    reason: str = Field(min_length=5, max_length=5_000)


class QuestionIn(Input):
    question: str = Field(min_length=5, max_length=5_000)


class AnswerIn(Input):
    answer: str = Field(min_length=1, max_length=10_000)


class WaitingQuestion(BaseModel):
    """A supplier's question the buyer has not answered yet (the asker stays private)."""

    id: int
    tender_id: int
    tender_title: str
    question: str
    asked_at: AwareDatetime
