"""What anyone may see of a tender, as plain schemas (never tables)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from procurement.bids.models import BidStatus
from procurement.tenders.models import (
    TenderStatus,
)


class OrgRef(BaseModel):
    slug: str
    id: int | None = None
    name: str
    name_th: str | None = None


class ItemView(BaseModel):
    position: int
    description: str
    quantity: str
    unit: str
    classification: str | None
    lot: int | None = None


class LotView(BaseModel):
    """A lot of the tender, numbered from 1."""

    number: int
    title: str
    description: str
    estimated_value: int


class LotPriceView(BaseModel):
    """An opened bid's price for one lot, and its rank on that lot."""

    lot: int
    price: int
    rank: int | None


class DocumentView(BaseModel):
    id: int
    title: str
    sha256: str
    size: int
    amendment_version: int | None = None


class QuestionView(BaseModel):
    id: int
    question: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None


class AmendmentView(BaseModel):
    version: int
    rationale: str
    changes: dict[str, list[str]]
    created_at: datetime
    documents: list[DocumentView] = []


class ReserveView(BaseModel):
    """KONEPS multiple reserve prices: the seed and the price appear only at the opening."""

    base_amount: int
    range_bp: int
    floor_rate_bp: int | None
    seed_commitment: str | None
    seed: str | None
    reserve_price: int | None


class OpenedBidView(BaseModel):
    """A bid as published at the opening; before it, no such view exists."""

    id: int
    supplier: OrgRef
    status: BidStatus
    price: int | None
    currency: str | None
    rank: int | None
    commitment: str
    submitted_at: datetime
    problem: str | None
    reserve_picks: str | None = None
    lots: list[LotPriceView] = []


class ComplaintView(BaseModel):
    id: int
    complainant: OrgRef
    text: str
    lodged_at: datetime
    response: str | None
    responded_at: datetime | None


class AwardView(BaseModel):
    id: int
    supplier: OrgRef
    value: int
    currency: str
    status: str
    justification: str
    decided_at: datetime
    standstill_end_at: datetime
    complaints: list[ComplaintView]
    lot: int | None = None
    evaluation: list[dict] = []


class ContractAmendmentView(BaseModel):
    id: int
    rationale: str
    value_before: int
    value_after: int
    end_date_before: str
    end_date_after: str
    created_at: datetime


class MilestoneView(BaseModel):
    id: int
    title: str
    due_date: str
    status: str
    date_met: str | None


class PaymentView(BaseModel):
    id: int
    amount: int
    paid_date: str
    description: str


class ContractView(BaseModel):
    id: int
    award_id: int
    value: int
    currency: str
    start_date: str
    end_date: str
    signed_date: str
    amendments: list[ContractAmendmentView] = []
    milestones: list[MilestoneView] = []
    payments: list[PaymentView] = []


class LogEntryView(BaseModel):
    index: int
    entry_type: str
    created_at: datetime


class TenderView(BaseModel):
    id: int
    ocid: str
    title: str
    description: str
    buyer: OrgRef
    category: str
    method: str
    award_criteria: str
    criteria: list[dict]
    eligibility: str
    estimated_value: int
    currency: str
    status: TenderStatus
    version: int
    enquiry_end_at: datetime
    tender_start_at: datetime
    tender_end_at: datetime
    opening_at: datetime
    published_at: datetime | None
    opened_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    standstill_days: int
    sealing_public_key: str | None
    reserve: ReserveView | None = None
    bids_received: int
    lots: list[LotView] = []
    items: list[ItemView]
    documents: list[DocumentView]
    questions: list[QuestionView]
    amendments: list[AmendmentView]
    opening: list[OpenedBidView] | None
    awards: list[AwardView]
    contracts: list[ContractView]
    log_entries: list[LogEntryView]


class TenderSummary(BaseModel):
    id: int
    ocid: str
    title: str
    buyer: OrgRef
    category: str
    status: TenderStatus
    estimated_value: int
    currency: str
    tender_end_at: datetime
    opening_at: datetime
    updated_at: datetime


class AwardSummary(BaseModel):
    """An award decision as anyone may see it."""

    id: int
    tender_id: int
    ocid: str
    title: str
    buyer: OrgRef
    supplier_id: int
    supplier_name: str
    value: int
    currency: str
    status: str
    decided_at: datetime


class ProcurementFigures(BaseModel):
    """Headline counts and sums over the published record."""

    published: int
    accepting_bids: int
    awards: int
    awarded_by_currency: dict[str, int]
