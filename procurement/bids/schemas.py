"""Requests and responses about bids: registration, prices, sealed bids, receipts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, EmailStr, Field, field_validator

from core.i18n import N_
from core.types import Input, Money
from procurement.bids.models import BidStatus
from procurement.tenders.models import TenderStatus
from procurement.tenders.schemas import DocumentIn

BidDocumentIn = DocumentIn


class SupplierIn(Input):
    address: str = Field(min_length=5, max_length=500)
    contact_name: str = Field(min_length=1, max_length=200)
    contact_email: EmailStr = Field(max_length=254)
    contact_phone: str = Field(min_length=5, max_length=40)


class PriceIn(Input):
    amount: Money = Field(description="the total, in minor units")
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class LotPriceIn(Input):
    lot: int = Field(ge=1, le=50, description="the lot number")
    amount: Money = Field(description="the price for this lot, in minor units")


class BidIn(Input):
    """A bid in clear, sealed by the server on arrival (never stored in clear)."""

    price: PriceIn
    item_prices: list[Money] = Field(
        default_factory=list,
        max_length=500,
        description="unit prices, minor units: at most one per item of the tender",
    )
    lot_prices: list[LotPriceIn] = Field(
        default_factory=list,
        max_length=50,
        description="when the tender has lots: a price for each lot bid on (the total is "
        "their sum); lots left out are not bid on",
    )
    reserve_picks: list[int] = Field(
        default_factory=list,
        max_length=15,
        description="two of the 15 reserve-price numbers, when asked",
    )
    documents: list[BidDocumentIn] = Field(default_factory=list, max_length=10)
    declaration: bool = Field(description="the supplier declares the bid true and eligible")

    @field_validator("declaration")
    @classmethod
    def _declared(cls, value: bool) -> bool:
        if not value:
            raise ValueError(N_("the declaration must be accepted to bid"))
        return value


class SealedBidIn(Input):
    """A bid sealed on the supplier's own machine (see `prongsai seal-bid`)."""

    ciphertext_base64: str = Field(max_length=70_000_000)
    commitment: str = Field(pattern=r"^[0-9a-f]{64}$")


RECEIPT_FORMAT = "prongsai-bid-receipt/1"


class ReceiptLotPrice(BaseModel):
    lot: int
    amount: int


class ReceiptDocument(BaseModel):
    title: str
    sha256: str


class ReceiptPrice(BaseModel):
    amount: int
    currency: str


class ReceiptPrivate(BaseModel):
    """The bid in clear and the salt of its commitment: only ever in the submission's response
    to its bidder, never stored (see ARCHITECTURE.md, "Receipts")."""

    salt: str = Field(description="hex; the commitment is SHA-256(salt ‖ canonical_bid)")
    canonical_bid: str = Field(description="the committed bid, as the exact JSON text hashed")
    price: ReceiptPrice
    lot_prices: list[ReceiptLotPrice] = []
    item_prices: list[int] = []
    reserve_picks: list[int] = []
    documents: list[ReceiptDocument] = []


class ReceiptOpened(BaseModel):
    """The bid as the public opening read it: after the opening only."""

    status: BidStatus
    price: int | None
    currency: str | None
    lot_prices: list[ReceiptLotPrice] = []
    documents: list[ReceiptDocument] = []


class ReceiptCheckpoint(BaseModel):
    """A signed checkpoint of the log whose tree holds the bid's entry."""

    tree_size: int
    root_hash: str
    note: str = Field(description="the C2SP tlog-checkpoint signed note")


class BidReceipt(BaseModel):
    """A supplier's receipt: what the log recorded, the proof of it against a signed checkpoint
    and, in the submission's response only, the private part that opens the commitment."""

    format: str = RECEIPT_FORMAT
    ocid: str
    tender_id: int
    tender_title: str
    bid_id: int
    version: int
    supplier: str = Field(description="the company's short name, as the log names it")
    supplier_name: str
    supplier_name_th: str | None = None
    commitment: str
    server_time: datetime
    log_index: int
    log_entry: str = Field(description="the log entry's canonical JSON (the leaf's data)")
    tree_size: int = Field(description="the size of the tree the proof is against")
    root_hash: str
    inclusion_proof: list[str]
    checkpoint: ReceiptCheckpoint | None = None
    log_public_key: str | None = None
    private: ReceiptPrivate | None = None
    opened: ReceiptOpened | None = None


class MyBid(BaseModel):
    """A supplier's own bid as the supplier sees it: no price field, ever."""

    id: int
    tender_id: int
    tender_title: str
    tender_status: TenderStatus
    version: int
    status: BidStatus
    commitment: str
    log_index: int
    submitted_at: datetime
    rank: int | None
    lot_ranks: dict[int, int | None] = {}  # lot number -> rank on that lot, after the opening


class SupplierRegistration(BaseModel):
    """When a supplier company registered; its contact details stay private."""

    organisation_id: int
    registered_at: datetime


class WithdrawnBid(BaseModel):
    """A withdrawn bid: its status and when, never its price."""

    bid_id: int
    status: BidStatus
    withdrawn_at: datetime | None


class BidDocumentView(BaseModel):
    """A document a bid carried, as its buyer sees it once the bids are opened."""

    bid_id: int
    supplier_name: str
    number: int  # 1, 2, ... in the bid's own order
    title: str
    sha256: str
    size_bytes: int


class BidDocumentFile(BaseModel):
    content: bytes
    filename: str
