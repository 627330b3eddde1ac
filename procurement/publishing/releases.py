"""OCDS 1.1 releases of a tender's state, built from the tables (bids and lots extensions)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from core.auth.models import Organisation
from core.db import stored_id
from core.ledger.service import format_time
from procurement.awards.models import Award, AwardStatus
from procurement.bids.models import Bid, BidLot, BidStatus
from procurement.publishing import ocds
from procurement.publishing.models import Release
from procurement.publishing.ocds import amount, ocid, organisation_ref
from procurement.publishing.release_awards import awards_and_contracts
from procurement.tenders.models import (
    Amendment,
    AwardCriteria,
    Document,
    Item,
    Lot,
    Tender,
    TenderStatus,
)

TENDER_STATUS = {
    TenderStatus.DRAFT: "planned",
    TenderStatus.ACTIVE: "active",
    TenderStatus.OPENED: "active",
    TenderStatus.AWARDED: "complete",
    TenderStatus.CONTRACTED: "complete",
    TenderStatus.CANCELLED: "cancelled",
}


BID_STATUS = {
    BidStatus.VALID: "valid",
    BidStatus.INVALID: "disqualified",
    BidStatus.DISQUALIFIED: "disqualified",
    BidStatus.WITHDRAWN: "withdrawn",
}


def build_release(
    session: Session, tender: Tender, *, tags: list[str], now: datetime, prefix: str, base_url: str
) -> dict[str, Any]:
    """The release describing the tender as it stands now."""
    the_ocid = ocid(prefix, stored_id(tender))
    buyer = session.get_one(Organisation, tender.buyer_id)
    parties: dict[str, dict[str, Any]] = {
        buyer.slug: ocds.party(buyer, ["buyer", "procuringEntity"])
    }
    items = session.exec(
        select(Item).where(Item.tender_id == tender.id).order_by(col(Item.position))
    )
    documents = session.exec(
        select(Document).where(Document.tender_id == tender.id).order_by(col(Document.id))
    )
    lots = list(
        session.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(col(Lot.position)))
    )
    lot_number = {lot.id: str(lot.position) for lot in lots}
    amendment_version = {
        a.id: a.version
        for a in session.exec(select(Amendment).where(Amendment.tender_id == tender.id))
    }
    amendments = session.exec(
        select(Amendment).where(Amendment.tender_id == tender.id).order_by(col(Amendment.version))
    )
    tender_block: dict[str, Any] = {
        "id": str(tender.id),
        "title": tender.title,
        "description": tender.description,
        "status": TENDER_STATUS[tender.status],
        "procuringEntity": organisation_ref(buyer),
        "items": [
            {
                "id": str(item.position),
                "description": item.description,
                "quantity": float(item.quantity) if item.quantity % 1 else int(item.quantity),
                "unit": {"name": item.unit},
                **(
                    {"classification": {"scheme": "UNSPSC", "id": item.classification}}
                    if item.classification
                    else {}
                ),
                **({"relatedLot": lot_number[item.lot_id]} if item.lot_id else {}),
            }
            for item in items
        ],
        "lots": [
            {
                "id": str(lot.position),
                "title": lot.title,
                **({"description": lot.description} if lot.description else {}),
                "value": amount(lot.estimated_value, tender.currency),
                "status": _lot_status(session, tender, lot),
            }
            for lot in lots
        ],
        "value": amount(tender.estimated_value, tender.currency),
        "procurementMethod": str(tender.method),
        "mainProcurementCategory": str(tender.category),
        "awardCriteria": "priceOnly"
        if tender.award_criteria == AwardCriteria.LOWEST_PRICE
        else "ratedCriteria",
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {
            "startDate": format_time(tender.tender_start_at),
            "endDate": format_time(tender.tender_end_at),
        },
        "enquiryPeriod": {
            "startDate": format_time(tender.tender_start_at),
            "endDate": format_time(tender.enquiry_end_at),
        },
        "eligibilityCriteria": tender.eligibility or None,
        "documents": [
            {
                "id": str(d.id),
                "documentType": "tenderNotice",
                "title": d.title,
                "url": f"{base_url}/tenders/{tender.id}/documents/{d.id}",
                "format": "application/pdf",
                "description": f"SHA-256 {d.sha256}"
                + (
                    f"; added by amendment {amendment_version[d.amendment_id]}"
                    if d.amendment_id
                    else ""
                ),
                **({"datePublished": format_time(d.created_at)} if d.amendment_id else {}),
            }
            for d in documents
        ],
        "amendments": [
            {
                "id": str(a.version),
                "date": format_time(a.created_at),
                "rationale": a.rationale,
                "description": "; ".join(
                    f"{field}: {change[0]} → {change[1]}"
                    for field, change in json.loads(a.changes_json).items()
                ),
            }
            for a in amendments
        ],
    }
    release: dict[str, Any] = {
        "ocid": the_ocid,
        "id": f"{the_ocid}-{_next_sequence(session, the_ocid):05d}",
        "date": format_time(now),
        "tag": tags,
        "initiationType": "tender",
        "language": "en",
        "buyer": organisation_ref(buyer),
        "tender": {k: v for k, v in tender_block.items() if v not in (None, [])},
    }
    if tender.status in (TenderStatus.OPENED, TenderStatus.AWARDED, TenderStatus.CONTRACTED):
        release["bids"] = _bids_block(session, tender, parties)
        release["tender"]["tenderers"] = [
            {"id": p["id"], "name": p["name"]} for p in parties.values() if "tenderer" in p["roles"]
        ]
        release["tender"]["numberOfTenderers"] = len(release["tender"]["tenderers"])
    awards, contracts = awards_and_contracts(session, tender, parties)
    if awards:
        release["awards"] = awards
    if contracts:
        release["contracts"] = contracts
    release["parties"] = list(parties.values())
    return release


def _lot_status(session: Session, tender: Tender, lot: Lot) -> str:
    """A lot's own OCDS tender status: complete once awarded, unsuccessful with no valid bid."""
    if tender.status == TenderStatus.CANCELLED:
        return "cancelled"
    awarded = session.exec(
        select(Award.id).where(Award.lot_id == lot.id, Award.status != AwardStatus.CANCELLED)
    ).first()
    if awarded is not None:
        return "complete"
    if tender.status in (TenderStatus.DRAFT, TenderStatus.ACTIVE):
        return TENDER_STATUS[tender.status]
    valid_bid = session.exec(
        select(BidLot.id)
        .join(Bid, col(Bid.id) == BidLot.bid_id)
        .where(BidLot.lot_id == lot.id, Bid.status == BidStatus.VALID)
    ).first()
    if valid_bid is None:
        return "unsuccessful"
    return "active" if tender.status == TenderStatus.OPENED else "complete"


def _bids_block(session: Session, tender: Tender, parties: dict) -> dict[str, Any]:
    # The columns the block publishes, not whole rows: an opened tender has thousands of bids,
    # each with its ciphertext and opened content.
    bids_c, lots_c = Bid.__table__.c, BidLot.__table__.c  # type: ignore[attr-defined]
    bids = session.execute(
        sa.select(
            bids_c.id,
            bids_c.supplier_id,
            bids_c.submitted_at,
            bids_c.status,
            bids_c.price,
            bids_c.price_currency,
        )
        .where(bids_c.tender_id == tender.id, bids_c.status.in_(list(BID_STATUS)))
        .order_by(bids_c.rank.asc().nulls_last(), bids_c.id)
    ).all()
    lots = {
        lot.id: str(lot.position)
        for lot in session.exec(select(Lot).where(Lot.tender_id == tender.id))
    }
    lot_rows: dict[int, list[sa.Row[Any]]] = {}
    if lots:
        for row in session.execute(
            sa.select(lots_c.bid_id, lots_c.lot_id, lots_c.price, lots_c.rank)
            .join_from(BidLot.__table__, Bid.__table__)  # type: ignore[attr-defined]
            .where(bids_c.tender_id == tender.id, bids_c.status.in_(list(BID_STATUS)))
            .order_by(lots_c.lot_id, lots_c.rank.asc().nulls_last(), lots_c.bid_id)
        ):
            lot_rows.setdefault(row.bid_id, []).append(row)
    details: list[dict[str, Any]] = []
    suppliers = _tenderers(session, stored_id(tender))
    for bid in bids:
        supplier = suppliers[bid.supplier_id]
        party = parties.setdefault(supplier.slug, ocds.party(supplier, []))
        if "tenderer" not in party["roles"]:
            party["roles"].append("tenderer")
        detail: dict[str, Any] = {
            "id": str(bid.id),
            "date": format_time(bid.submitted_at),
            "status": BID_STATUS[bid.status],
            "tenderers": [organisation_ref(supplier)],
        }
        currency = bid.price_currency or tender.currency
        if bid.id in lot_rows:
            # One detail per lot bid on, so each lot's price is published against its lot.
            for row in lot_rows[bid.id]:
                details.append(
                    {
                        **detail,
                        "id": f"{bid.id}-lot-{lots[row.lot_id]}",
                        "value": amount(row.price, currency),
                        "relatedLots": [lots[row.lot_id]],
                    }
                )
            continue
        if bid.price is not None:
            detail["value"] = amount(bid.price, currency)
        details.append(detail)
    valid = sum(1 for b in bids if b.status == BidStatus.VALID)
    statistics = [
        {"id": "1", "measure": "bids", "value": len(bids)},
        {"id": "2", "measure": "validBids", "value": valid},
        {
            "id": "3",
            "measure": "disqualifiedBids",
            "value": sum(1 for b in bids if BID_STATUS[b.status] == "disqualified"),
        },
    ]
    for lot_id, number in sorted(lots.items(), key=lambda pair: int(pair[1])):
        on_lot = [r for rows in lot_rows.values() for r in rows if r.lot_id == lot_id]
        statistics += [
            {
                "id": f"lot-{number}-bids",
                "measure": "bids",
                "value": len(on_lot),
                "relatedLot": number,
            },
            {
                "id": f"lot-{number}-validBids",
                "measure": "validBids",
                "value": sum(1 for r in on_lot if r.rank is not None),
                "relatedLot": number,
            },
        ]
    return {"statistics": statistics, "details": details}


def _next_sequence(session: Session, the_ocid: str) -> int:
    count = session.exec(select(func.count()).select_from(Release).where(Release.ocid == the_ocid))
    return count.one() + 1


def store_release(session: Session, tender: Tender, release: dict[str, Any]) -> Release:
    """Keep the release as published (in the caller's transaction)."""
    row = Release(
        release_id=release["id"],
        ocid=release["ocid"],
        tender_id=stored_id(tender),
        date=datetime.fromisoformat(release["date"].replace("Z", "+00:00")),
        tags=",".join(release["tag"]),
        body=json.dumps(release, ensure_ascii=False, sort_keys=True),
    )
    session.add(row)
    return row


def _tenderers(session: Session, tender_id: int) -> dict[int, ocds.Named]:
    """The names of the organisations that bid on the tender, by id: one query joined to the
    bids (an opening names thousands of bidders; a list of their ids would be a query as
    long)."""
    org, bids_c = Organisation.__table__.c, Bid.__table__.c  # type: ignore[attr-defined]
    query = (
        sa.select(org.id, org.slug, org.name, org.registration_id)
        .distinct()
        .join_from(Organisation.__table__, Bid.__table__, bids_c.supplier_id == org.id)  # type: ignore[attr-defined]
        .where(bids_c.tender_id == tender_id, bids_c.status.in_(list(BID_STATUS)))
    )
    return {i: ocds.Name(slug, name, r) for i, slug, name, r in session.execute(query).all()}
