"""Request and response models of procurement; never tables. No bid schema has a price
field before the opening, so no route can leak one."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from procurement.models import AwardCriteria, Category, Method


class ItemIn(BaseModel):
    description: str = Field(min_length=1, max_length=500)
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=3)
    unit: str = Field(min_length=1, max_length=40)
    classification: str | None = Field(default=None, max_length=40)
    lot: int | None = Field(default=None, ge=1, description="the number of the item's lot")


class LotIn(BaseModel):
    """A lot: bid on, ranked and awarded on its own."""

    title: str = Field(min_length=3, max_length=300)
    description: str = Field(default="", max_length=20_000)
    estimated_value: int = Field(ge=0, description="minor units")


class CriterionIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    weight: int = Field(gt=0, le=100)


class ReserveIn(BaseModel):
    """KONEPS multiple reserve prices: a base amount and a range; 15 candidates are drawn."""

    base_amount: int = Field(gt=0, description="minor units")
    range_bp: int = Field(default=200, ge=10, le=1_000, description="± range, basis points")
    floor_rate_bp: int | None = Field(
        default=None,
        ge=5_000,
        le=10_000,
        description="bids under this share of the reserve price cannot win (basis points)",
    )


class TenderDraftIn(BaseModel):
    title: str = Field(min_length=3, max_length=300)
    description: str = Field(min_length=1, max_length=20_000)
    category: Category
    method: Method = Method.OPEN
    estimated_value: int = Field(ge=0, description="in minor units (satang for THB)")
    currency: str = Field(default="THB", pattern=r"^[A-Z]{3}$")
    award_criteria: AwardCriteria = AwardCriteria.LOWEST_PRICE
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=20)
    eligibility: str = Field(default="", max_length=20_000)
    invited_suppliers: list[str] = Field(default_factory=list, description="organisation slugs")
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


class DocumentIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(description="a PDF, base64-encoded")


BidDocumentIn = DocumentIn


class AmendmentIn(BaseModel):
    rationale: str = Field(min_length=5, max_length=5_000)
    title: str | None = Field(default=None, min_length=3, max_length=300)
    description: str | None = Field(default=None, min_length=1, max_length=20_000)
    eligibility: str | None = Field(default=None, max_length=20_000)
    estimated_value: int | None = Field(default=None, ge=0)
    enquiry_end_at: AwareDatetime | None = None
    tender_end_at: AwareDatetime | None = None
    opening_at: AwareDatetime | None = None
    documents: list[DocumentIn] = Field(
        default_factory=list, max_length=10, description="new PDF documents to publish"
    )


class CancelIn(BaseModel):
    reason: str = Field(min_length=5, max_length=5_000)


class QuestionIn(BaseModel):
    question: str = Field(min_length=5, max_length=5_000)


class AnswerIn(BaseModel):
    answer: str = Field(min_length=1, max_length=10_000)


class SupplierIn(BaseModel):
    address: str = Field(min_length=5, max_length=500)
    contact_name: str = Field(min_length=1, max_length=200)
    contact_email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    contact_phone: str = Field(min_length=5, max_length=40)


class PriceIn(BaseModel):
    amount: int = Field(gt=0, description="the total, in minor units")
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class LotPriceIn(BaseModel):
    lot: int = Field(ge=1, description="the lot number")
    amount: int = Field(gt=0, description="the price for this lot, in minor units")


class BidIn(BaseModel):
    """A bid in clear, sealed by the server on arrival (never stored in clear)."""

    price: PriceIn
    item_prices: list[int] = Field(default_factory=list, description="unit prices, minor units")
    lot_prices: list[LotPriceIn] = Field(
        default_factory=list,
        max_length=50,
        description="when the tender has lots: a price for each lot bid on (the total is "
        "their sum); lots left out are not bid on",
    )
    reserve_picks: list[int] = Field(
        default_factory=list, description="two of the 15 reserve-price numbers, when asked"
    )
    documents: list[BidDocumentIn] = Field(default_factory=list, max_length=10)
    declaration: bool = Field(description="the supplier declares the bid true and eligible")

    @field_validator("declaration")
    @classmethod
    def _declared(cls, value: bool) -> bool:
        if not value:
            raise ValueError("the declaration must be accepted to bid")
        return value


class SealedBidIn(BaseModel):
    """A bid sealed on the supplier's own machine (see `prongsai seal-bid`)."""

    ciphertext_base64: str = Field(max_length=70_000_000)
    commitment: str = Field(pattern=r"^[0-9a-f]{64}$")


class BidReceipt(BaseModel):
    ocid: str
    tender_id: int
    bid_id: int
    version: int
    supplier: str
    commitment: str
    server_time: datetime
    log_index: int
    tree_size: int
    root_hash: str
    inclusion_proof: list[str]


class AwardIn(BaseModel):
    lot: int | None = Field(default=None, ge=1, description="the lot awarded, on lotted tenders")
    justification: str = Field(default="", max_length=10_000)
    scores: dict[int, list[int]] = Field(
        default_factory=dict, description="best value: bid id -> a score 0-100 per criterion"
    )
    notes: dict[int, list[str]] = Field(
        default_factory=dict,
        description="best value: bid id -> the committee's justification of each score",
    )


class DisqualifyIn(BaseModel):
    reason: str = Field(min_length=5, max_length=5_000)


class ComplaintIn(BaseModel):
    text: str = Field(min_length=10, max_length=20_000)


class ComplaintAnswerIn(BaseModel):
    response: str = Field(min_length=5, max_length=20_000)


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
