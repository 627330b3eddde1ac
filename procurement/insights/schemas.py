"""What the public site gets from procurement insights: plain values, never table models.

Money is in integer minor units with its currency; suppliers are named by company name and
registration id only (their contact details are never read here).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class Party(BaseModel):
    id: int
    slug: str
    name: str
    name_th: str | None = None
    registration_id: str | None = None


class TenderRow(BaseModel):
    id: int
    title: str
    buyer: Party
    category: str
    method: str
    status: str
    estimated_value: int
    currency: str
    published_at: datetime | None
    tender_end_at: datetime
    bidders: int | None  # None until the bids are opened
    winner: Party | None
    awarded_value: int | None


class BidRow(BaseModel):
    tender_id: int
    tender_title: str
    buyer: Party
    opened_at: datetime | None
    price: int | None
    currency: str
    status: str
    rank: int | None
    outcome: str  # won, lost, pending


class AwardRow(BaseModel):
    id: int
    tender_id: int
    tender_title: str
    buyer: Party
    supplier: Party
    value: int
    currency: str
    status: str
    decided_at: datetime


class ContractRow(BaseModel):
    id: int
    tender_id: int
    tender_title: str
    buyer: Party
    supplier: Party
    award_value: int
    value: int
    currency: str
    signed_date: date


class BuyerYear(BaseModel):
    year: int
    currency: str
    tenders: int
    estimated_value: int
    awards: int
    awarded_value: int
    contracts: int
    contracted_value: int


class SupplierYear(BaseModel):
    year: int
    currency: str
    bids: int
    wins: int
    awarded_value: int
    contracts: int
    contracted_value: int


class Competitor(BaseModel):
    party: Party
    tenders: int  # opened tenders both took part in (for a buyer: tenders the supplier bid in)
    wins: int  # of those, won by this party
    own_wins: int  # of those, won by the profile's own supplier (0 on a buyer's page)


class BuyerProfile(BaseModel):
    buyer: Party
    tenders: list[TenderRow]
    awards: list[AwardRow]
    contracts: list[ContractRow]
    years: list[BuyerYear]
    bidders: list[Competitor]
    opened_tenders: int
    average_bidders: float | None
    single_bid_share: float | None
    # Each list's length over the whole record (tenders, awards, contracts, bidders); the
    # lists above are one page of them, the `page`-th of `pages`.
    counts: dict[str, int] = {}
    page: int = 1
    pages: int = 1


class SupplierProfile(BaseModel):
    supplier: Party
    bids: list[BidRow]
    awards: list[AwardRow]
    contracts: list[ContractRow]
    years: list[SupplierYear]
    competitors: list[Competitor]
    decided_bids: int  # bids in tenders that reached an award
    wins: int
    win_rate: float | None  # wins / decided_bids
    counts: dict[str, int] = {}  # bids, awards, contracts, competitors (see BuyerProfile)
    page: int = 1
    pages: int = 1


class SupplierListRow(BaseModel):
    supplier: Party
    bids: int
    wins: int
    awarded_value: int
    currency: str


class BuyerCompetition(BaseModel):
    rank: int
    buyer: Party
    opened_tenders: int
    bids: int
    average_bidders: float
    single_bid_tenders: int
    single_bid_share: float


class Indicator(BaseModel):
    code: str
    title: str
    definition: str
    threshold: str
    follows: str
    why: str
    flagged: int = 0
    # The threshold as a catalogue message and its values, for pages to translate.
    threshold_message: str = ""
    threshold_values: dict[str, str] = {}


class FlaggedTender(BaseModel):
    code: str
    tender_id: int
    tender_title: str
    buyer: Party
    supplier: Party | None  # the party the flag concerns, when there is one
    measure: str  # the figure that crossed the threshold, in words
    # The measure as a catalogue message and its values, for pages to translate.
    measure_message: str = ""
    measure_values: dict[str, str] = {}


class MonthValue(BaseModel):
    month: str  # YYYY-MM
    currency: str
    awards: int
    value: int


class CategoryValue(BaseModel):
    category: str
    currency: str
    awards: int
    value: int


class SupplierValue(BaseModel):
    supplier: Party
    currency: str
    awards: int
    value: int


class BidderCount(BaseModel):
    bidders: str  # "0", "1", ... and the last bucket "6+"
    tenders: int


class ProcurementCharts(BaseModel):
    awarded_by_month: list[MonthValue]
    awarded_by_category: list[CategoryValue]
    top_suppliers: list[SupplierValue]
    bidders_per_tender: list[BidderCount]
