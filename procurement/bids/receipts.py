"""Bid receipts: the log's record of a bid, its proof against a signed checkpoint and, once,
the private part that opens its commitment.

The private part (the bid in clear and its salt) exists only in the submission's response: it
is built from the values the sealing held in memory and handed to the bidder, never written to
a table, the log, a log line or a cache. Every later receipt is the public part, plus, after
the opening, the bid as the opening read it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from core.auth.models import Organisation
from core.i18n import gettext
from core.ledger import service as ledger
from procurement.bids import sealing
from procurement.bids.models import Bid, BidLot
from procurement.bids.recording import Proof
from procurement.bids.schemas import (
    BidReceipt,
    ReceiptCheckpoint,
    ReceiptDocument,
    ReceiptLotPrice,
    ReceiptOpened,
    ReceiptPrice,
    ReceiptPrivate,
)
from procurement.exceptions import TenderNotFound
from procurement.publishing import ocds
from procurement.tenders.models import Lot, Tender


def private_part(committed: dict[str, Any], salt: bytes) -> ReceiptPrivate:
    """The part only the bidder holds: the committed bid, as the exact text hashed, and salt."""
    return ReceiptPrivate(
        salt=salt.hex(),
        canonical_bid=sealing.canonical(committed).decode(),
        price=ReceiptPrice(**committed["price"]),
        lot_prices=[ReceiptLotPrice(**p) for p in committed.get("lot_prices", [])],
        item_prices=committed.get("item_prices", []),
        reserve_picks=committed.get("reserve_picks", []),
        documents=[ReceiptDocument(**d) for d in committed.get("documents", [])],
    )


@dataclass(frozen=True)
class Heading:
    """Whose bid on which tender: what a fresh receipt names, read before the bid is sealed."""

    ocid: str
    tender_id: int
    tender_title: str
    supplier: str
    supplier_name: str
    supplier_name_th: str | None


def recorded_receipt(
    *,
    heading: Heading,
    bid_id: int,
    commitment: str,
    proof: Proof,
    verifier_key: str | None,
    private: ReceiptPrivate | None,
) -> BidReceipt:
    """The receipt of a bid just recorded, from what its batch recorded: the same receipt the
    tables give (`stored_receipt`), without reading them again."""
    size, root = proof.tree_size, proof.root_hash.hex()
    signed = proof.checkpoint_note
    return BidReceipt(
        ocid=heading.ocid,
        tender_id=heading.tender_id,
        tender_title=heading.tender_title,
        bid_id=bid_id,
        version=proof.version,
        supplier=heading.supplier,
        supplier_name=heading.supplier_name,
        supplier_name_th=heading.supplier_name_th,
        commitment=commitment,
        server_time=proof.server_time,
        log_index=proof.log_index,
        log_entry=proof.log_entry,
        tree_size=size,
        root_hash=root,
        inclusion_proof=[h.hex() for h in proof.inclusion_proof],
        checkpoint=ReceiptCheckpoint(tree_size=size, root_hash=root, note=signed)
        if signed
        else None,
        log_public_key=verifier_key,
        private=private,
    )


def stored_receipt(
    session: Session,
    *,
    organisation_id: int,
    tender_id: int,
    bid_id: int,
    prefix: str,
    verifier_key: str | None,
) -> BidReceipt:
    """A supplier's own receipt, later: the public part, and the opened bid after the opening."""
    bid = session.get(Bid, bid_id)
    if bid is None or bid.tender_id != tender_id or bid.supplier_id != organisation_id:
        raise TenderNotFound(
            gettext("There is no bid %(bid)s of yours on tender %(tender)s.")
            % {"bid": bid_id, "tender": tender_id}
        )
    return _public(session, bid, prefix=prefix, verifier_key=verifier_key)


def _public(session: Session, bid: Bid, *, prefix: str, verifier_key: str | None) -> BidReceipt:
    tender = session.get(Tender, bid.tender_id)
    company = session.get(Organisation, bid.supplier_id)
    if tender is None or tender.id is None or company is None or bid.id is None:
        raise TenderNotFound(gettext("There is no bid %(bid)s.") % {"bid": bid.id})
    latest = ledger.latest_checkpoint(session)
    signed = latest if latest is not None and latest.tree_size > bid.log_index else None
    size = signed.tree_size if signed else ledger.tree_size(session)
    entry = ledger.entries(session, start=bid.log_index, end=bid.log_index + 1)[0]
    return BidReceipt(
        ocid=ocds.ocid(prefix, tender.id),
        tender_id=tender.id,
        tender_title=tender.title,
        bid_id=bid.id,
        version=bid.version,
        supplier=company.slug,
        supplier_name=company.name,
        supplier_name_th=company.name_th,
        commitment=bid.commitment,
        server_time=bid.submitted_at,
        log_index=bid.log_index,
        log_entry=entry.entry,
        tree_size=size,
        root_hash=ledger.root_hash(session, size=size).hex(),
        inclusion_proof=[
            h.hex() for h in ledger.inclusion_proof(session, index=bid.log_index, size=size)
        ],
        checkpoint=ReceiptCheckpoint(
            tree_size=signed.tree_size, root_hash=signed.root_hash.hex(), note=signed.note
        )
        if signed
        else None,
        log_public_key=verifier_key,
        opened=_opened(session, bid),
    )


def _opened(session: Session, bid: Bid) -> ReceiptOpened | None:
    """The bid as the opening read it; None until the opening (nothing of it exists before)."""
    if bid.opened_json is None and bid.price is None:
        tender = session.get(Tender, bid.tender_id)
        if tender is None or tender.opened_at is None:
            return None
    lots = session.exec(
        select(BidLot, Lot)
        .join(Lot, col(Lot.id) == col(BidLot.lot_id))
        .where(BidLot.bid_id == bid.id)
        .order_by(col(Lot.position))
    )
    documents: list[ReceiptDocument] = []
    if bid.opened_json:
        try:
            form = sealing.committed_form(json.loads(bid.opened_json))
            documents = [ReceiptDocument(**d) for d in form.get("documents", [])]
        except (KeyError, TypeError, ValueError, RecursionError):  # a bid crafted deep
            documents = []
    return ReceiptOpened(
        status=bid.status,
        price=bid.price,
        currency=bid.price_currency,
        lot_prices=[ReceiptLotPrice(lot=lot.position, amount=row.price) for row, lot in lots],
        documents=documents,
    )


def receipt_file(receipt: BidReceipt) -> bytes:
    """The receipt as the JSON file its bidder keeps (`prongsai verify-receipt` reads it)."""
    return (receipt.model_dump_json(indent=2) + "\n").encode()


def data_url(media_type: str, content: bytes) -> str:
    """A data: address, for a download that only the page carrying it holds."""
    return f"data:{media_type};base64,{base64.b64encode(content).decode()}"
