"""Reads for the supplier's own pages: their bids, registration and receipts."""

from __future__ import annotations

import base64
import json

from sqlmodel import Session, col, select

from core.auth.models import Organisation
from core.db import stored_id
from core.errors import NotFound
from core.i18n import gettext
from procurement.bids.models import Bid, BidLot, BidStatus, Supplier
from procurement.bids.schemas import (
    BidDocumentFile,
    BidDocumentView,
    MyBid,
    SupplierIn,
    SupplierRegistration,
    WithdrawnBid,
)
from procurement.exceptions import BidsStillSealed, TenderNotFound
from procurement.tenders.models import Lot, Tender


def supplier_bids(session: Session, *, organisation_id: int) -> list[MyBid]:
    """Every bid version the supplier has sent, newest first."""
    rows = session.exec(
        select(Bid, Tender)
        .join(Tender, col(Tender.id) == Bid.tender_id)
        .where(Bid.supplier_id == organisation_id)
        .order_by(col(Bid.submitted_at).desc(), col(Bid.id).desc())
    ).all()
    lot_ranks: dict[int, dict[int, int | None]] = {}
    for row, lot in session.exec(
        select(BidLot, Lot)
        .join(Lot, col(Lot.id) == BidLot.lot_id)
        .where(col(BidLot.bid_id).in_([bid.id for bid, _ in rows]))
        .order_by(col(Lot.position))
    ):
        lot_ranks.setdefault(row.bid_id, {})[lot.position] = row.rank
    return [
        MyBid(
            id=stored_id(bid),
            tender_id=stored_id(tender),
            tender_title=tender.title,
            tender_status=tender.status,
            version=bid.version,
            status=bid.status,
            commitment=bid.commitment,
            log_index=bid.log_index,
            submitted_at=bid.submitted_at,
            rank=bid.rank,
            lot_ranks=lot_ranks.get(stored_id(bid), {}),
        )
        for bid, tender in rows
    ]


def live_bid(session: Session, *, organisation_id: int, tender_id: int) -> MyBid | None:
    """The supplier's sealed (current) bid on one tender, if any."""
    for bid in supplier_bids(session, organisation_id=organisation_id):
        if bid.tender_id == tender_id and bid.status == BidStatus.SEALED:
            return bid
    return None


def registration(session: Session, *, organisation_id: int) -> SupplierIn | None:
    """The supplier's registered details, or None before registration."""
    supplier = session.get(Supplier, organisation_id)
    if supplier is None:
        return None
    return SupplierIn(
        address=supplier.address,
        contact_name=supplier.contact_name,
        contact_email=supplier.contact_email,
        contact_phone=supplier.contact_phone,
    )


def supplier_registration(session: Session, *, organisation_id: int) -> SupplierRegistration:
    """When the supplier registered (raises if it has not)."""
    supplier = session.get(Supplier, organisation_id)
    if supplier is None:
        raise NotFound(
            gettext("Organisation %(organisation)s is not a registered supplier.")
            % {"organisation": organisation_id}
        )
    return SupplierRegistration(
        organisation_id=supplier.organisation_id, registered_at=supplier.registered_at
    )


def withdrawn_bid(session: Session, *, bid_id: int) -> WithdrawnBid:
    """A bid's status and withdrawal time."""
    bid = session.get(Bid, bid_id)
    if bid is None:
        raise NotFound(gettext("There is no bid %(bid)s.") % {"bid": bid_id})
    return WithdrawnBid(bid_id=stored_id(bid), status=bid.status, withdrawn_at=bid.withdrawn_at)


def _opened_bids(session: Session, *, organisation_id: int | None, tender_id: int) -> list[Bid]:
    tender = session.get(Tender, tender_id)
    if tender is None or tender.buyer_id != organisation_id:
        raise TenderNotFound(
            gettext("There is no tender %(tender)s of yours.") % {"tender": tender_id}
        )
    if tender.opened_at is None:
        raise BidsStillSealed(gettext("Bid documents can be read only after the opening."))
    return list(
        session.exec(
            select(Bid)
            .where(Bid.tender_id == tender_id, col(Bid.opened_json).is_not(None))
            .order_by(col(Bid.id))
        )
    )


def bid_documents(
    session: Session, *, organisation_id: int | None, tender_id: int
) -> list[BidDocumentView]:
    """The documents of every opened bid of the buyer's tender (none before the opening)."""
    bids = _opened_bids(session, organisation_id=organisation_id, tender_id=tender_id)
    suppliers = {bid.supplier_id for bid in bids}
    names = {
        o.id: o.name
        for o in session.exec(select(Organisation).where(col(Organisation.id).in_(suppliers)))
    }
    found = []
    for bid in bids:
        for n, document in enumerate(json.loads(bid.opened_json or "{}").get("documents", []), 1):
            found.append(
                BidDocumentView(
                    bid_id=stored_id(bid),
                    supplier_name=names.get(bid.supplier_id, ""),
                    number=n,
                    title=str(document.get("title", "")),
                    sha256=str(document.get("sha256", "")),
                    size_bytes=len(base64.b64decode(document.get("content_base64", ""))),
                )
            )
    return found


def bid_document(
    session: Session, *, organisation_id: int | None, tender_id: int, bid_id: int, number: int
) -> BidDocumentFile:
    """One document of an opened bid of the buyer's tender, as the bid carried it."""
    for bid in _opened_bids(session, organisation_id=organisation_id, tender_id=tender_id):
        documents = json.loads(bid.opened_json or "{}").get("documents", [])
        if bid.id == bid_id and 1 <= number <= len(documents):
            return BidDocumentFile(
                content=base64.b64decode(documents[number - 1]["content_base64"]),
                filename=f"tender-{tender_id}-bid-{bid_id}-document-{number}.pdf",
            )
    raise NotFound(
        gettext("Bid %(bid)s of tender %(tender)s has no document %(number)s.")
        % {"bid": bid_id, "tender": tender_id, "number": number}
    )
