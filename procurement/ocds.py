"""OCDS 1.1 releases of a tender's state, built from the tables (bids extension for openings)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import ocdsmerge
from sqlmodel import Session, col, func, select

from core.auth.models import Organisation
from core.ledger.service import format_time
from procurement.models import (
    Amendment,
    Award,
    AwardCriteria,
    AwardStatus,
    Bid,
    BidLot,
    BidStatus,
    Contract,
    ContractAmendment,
    Document,
    Item,
    Lot,
    Milestone,
    Payment,
    Release,
    Tender,
    TenderStatus,
)

BIDS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "v1.1.5/extension.json"
)
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "v1.1.5/extension.json"
)
TENDER_STATUS = {
    TenderStatus.DRAFT: "planned",
    TenderStatus.ACTIVE: "active",
    TenderStatus.OPENED: "active",
    TenderStatus.AWARDED: "complete",
    TenderStatus.CONTRACTED: "complete",
    TenderStatus.CANCELLED: "cancelled",
}
AWARD_STATUS = {
    AwardStatus.STANDSTILL: "pending",
    AwardStatus.FINAL: "active",
    AwardStatus.CANCELLED: "cancelled",
}
BID_STATUS = {
    BidStatus.VALID: "valid",
    BidStatus.INVALID: "disqualified",
    BidStatus.DISQUALIFIED: "disqualified",
    BidStatus.WITHDRAWN: "withdrawn",
}


SCHEMA_DIR = Path(__file__).with_name("ocds_schema")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch, as OCDS extensions are applied to the schema."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@cache
def release_schema() -> dict[str, Any]:
    """The OCDS 1.1.5 release schema with the Bids extension merged in."""
    core = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    bids = json.loads((SCHEMA_DIR / "bids-extension-release-schema.json").read_text())
    return merge_patch(core, bids)


@cache
def _merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(schema=release_schema())


def compile_release(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release of a process, by the OCDS merge rules."""
    return _merger().create_compiled_release(releases)


def ocid(prefix: str, tender_id: int) -> str:
    """The tender's Open Contracting ID."""
    return f"{prefix}-{tender_id}"


def amount(minor: int, currency: str) -> dict[str, Any]:
    """An OCDS Value from integer minor units (2 decimals)."""
    major = Decimal(minor) / 100
    return {
        "amount": int(major) if major == major.to_integral() else float(major),
        "currency": currency,
    }


def _party(organisation: Organisation, roles: list[str]) -> dict[str, Any]:
    identifier = {
        "id": organisation.registration_id or organisation.slug,
        "legalName": organisation.name,
    }
    return {
        "id": organisation.slug,
        "name": organisation.name,
        "identifier": identifier,
        "roles": roles,
    }


def _ref(organisation: Organisation) -> dict[str, str]:
    return {"id": organisation.slug, "name": organisation.name}


def build_release(
    session: Session, tender: Tender, *, tags: list[str], now: datetime, prefix: str, base_url: str
) -> dict[str, Any]:
    """The release describing the tender as it stands now."""
    the_ocid = ocid(prefix, tender.id)
    buyer = session.get(Organisation, tender.buyer_id)
    parties: dict[str, dict[str, Any]] = {buyer.slug: _party(buyer, ["buyer", "procuringEntity"])}
    items = session.exec(select(Item).where(Item.tender_id == tender.id).order_by(Item.position))
    documents = session.exec(
        select(Document).where(Document.tender_id == tender.id).order_by(Document.id)
    )
    lots = list(session.exec(select(Lot).where(Lot.tender_id == tender.id).order_by(Lot.position)))
    lot_number = {lot.id: str(lot.position) for lot in lots}
    amendment_version = {
        a.id: a.version
        for a in session.exec(select(Amendment).where(Amendment.tender_id == tender.id))
    }
    amendments = session.exec(
        select(Amendment).where(Amendment.tender_id == tender.id).order_by(Amendment.version)
    )
    tender_block: dict[str, Any] = {
        "id": str(tender.id),
        "title": tender.title,
        "description": tender.description,
        "status": TENDER_STATUS[tender.status],
        "procuringEntity": _ref(buyer),
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
        "buyer": _ref(buyer),
        "tender": {k: v for k, v in tender_block.items() if v not in (None, [])},
    }
    if tender.status in (TenderStatus.OPENED, TenderStatus.AWARDED, TenderStatus.CONTRACTED):
        release["bids"] = _bids_block(session, tender, parties)
        release["tender"]["tenderers"] = [
            {"id": p["id"], "name": p["name"]} for p in parties.values() if "tenderer" in p["roles"]
        ]
        release["tender"]["numberOfTenderers"] = len(release["tender"]["tenderers"])
    awards, contracts = _awards_and_contracts(session, tender, parties)
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
        .join(Bid, Bid.id == BidLot.bid_id)
        .where(BidLot.lot_id == lot.id, Bid.status == BidStatus.VALID)
    ).first()
    if valid_bid is None:
        return "unsuccessful"
    return "active" if tender.status == TenderStatus.OPENED else "complete"


def _bids_block(session: Session, tender: Tender, parties: dict) -> dict[str, Any]:
    bids = session.exec(
        select(Bid)
        .where(Bid.tender_id == tender.id, col(Bid.status).in_(list(BID_STATUS)))
        .order_by(col(Bid.rank).nulls_last(), Bid.id)
    ).all()
    lots = {
        lot.id: str(lot.position)
        for lot in session.exec(select(Lot).where(Lot.tender_id == tender.id))
    }
    lot_rows: dict[int, list[BidLot]] = {}
    if lots:
        for row in session.exec(
            select(BidLot)
            .where(col(BidLot.bid_id).in_([b.id for b in bids]))
            .order_by(BidLot.lot_id, col(BidLot.rank).nulls_last(), BidLot.bid_id)
        ):
            lot_rows.setdefault(row.bid_id, []).append(row)
    details = []
    for bid in bids:
        supplier = session.get(Organisation, bid.supplier_id)
        party = parties.setdefault(supplier.slug, _party(supplier, []))
        if "tenderer" not in party["roles"]:
            party["roles"].append("tenderer")
        detail = {
            "id": str(bid.id),
            "date": format_time(bid.submitted_at),
            "status": BID_STATUS[bid.status],
            "tenderers": [_ref(supplier)],
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


def _awards_and_contracts(session: Session, tender: Tender, parties: dict) -> tuple[list, list]:
    awards, contracts = [], []
    for award in session.exec(select(Award).where(Award.tender_id == tender.id).order_by(Award.id)):
        lot = session.get(Lot, award.lot_id) if award.lot_id else None
        supplier = session.get(Organisation, award.supplier_id)
        party = parties.setdefault(supplier.slug, _party(supplier, []))
        if "supplier" not in party["roles"]:
            party["roles"].append("supplier")
        awards.append(
            {
                "id": str(award.id),
                "title": f"Award of {tender.title}"
                + (f", lot {lot.position}: {lot.title}" if lot else ""),
                "status": AWARD_STATUS[award.status],
                "date": format_time(award.decided_at),
                "value": amount(award.value, award.currency),
                "suppliers": [_ref(supplier)],
                **({"description": award.justification} if award.justification else {}),
                **({"relatedLots": [str(lot.position)]} if lot else {}),
            }
        )
        contract = session.exec(select(Contract).where(Contract.award_id == award.id)).first()
        if contract is not None:
            contracts.append(
                _contract_block(
                    session,
                    tender,
                    award,
                    contract,
                    buyer_ref=_ref(session.get(Organisation, tender.buyer_id)),
                    supplier_ref=_ref(supplier),
                )
            )
    return awards, contracts


def _day(value) -> str:
    return f"{value.isoformat()}T00:00:00Z"


def _contract_block(
    session: Session,
    tender: Tender,
    award: Award,
    contract: Contract,
    *,
    buyer_ref: dict,
    supplier_ref: dict,
) -> dict[str, Any]:
    amendments = session.exec(
        select(ContractAmendment)
        .where(ContractAmendment.contract_id == contract.id)
        .order_by(ContractAmendment.id)
    ).all()
    milestones = session.exec(
        select(Milestone).where(Milestone.contract_id == contract.id).order_by(Milestone.id)
    ).all()
    payments = session.exec(
        select(Payment).where(Payment.contract_id == contract.id).order_by(Payment.id)
    ).all()
    block: dict[str, Any] = {
        "id": str(contract.id),
        "awardID": str(award.id),
        "title": f"Contract for {tender.title}",
        "status": "active",
        "period": {"startDate": _day(contract.start_date), "endDate": _day(contract.end_date)},
        "value": amount(contract.value, contract.currency),
        "dateSigned": _day(contract.signed_date),
    }
    if amendments:
        block["amendments"] = [
            {
                "id": str(a.id),
                "date": format_time(a.created_at),
                "rationale": a.rationale,
                "description": f"value {a.value_before} → {a.value_after} (minor units); "
                f"end {a.end_date_before} → {a.end_date_after}",
            }
            for a in amendments
        ]
    if milestones:
        block["milestones"] = [
            {
                "id": str(m.id),
                "title": m.title,
                "type": "delivery",
                "dueDate": _day(m.due_date),
                "status": str(m.status),
                **({"dateMet": _day(m.date_met)} if m.date_met else {}),
            }
            for m in milestones
        ]
    if payments:
        block["implementation"] = {
            "transactions": [
                {
                    "id": str(p.id),
                    "date": _day(p.paid_date),
                    "value": amount(p.amount, contract.currency),
                    "payer": buyer_ref,
                    "payee": supplier_ref,
                }
                for p in payments
            ]
        }
    return block


def _next_sequence(session: Session, the_ocid: str) -> int:
    count = session.exec(select(func.count()).select_from(Release).where(Release.ocid == the_ocid))
    return count.one() + 1


def store_release(session: Session, tender: Tender, release: dict[str, Any]) -> Release:
    """Keep the release as published (in the caller's transaction)."""
    row = Release(
        release_id=release["id"],
        ocid=release["ocid"],
        tender_id=tender.id,
        date=datetime.fromisoformat(release["date"].replace("Z", "+00:00")),
        tags=",".join(release["tag"]),
        body=json.dumps(release, ensure_ascii=False, sort_keys=True),
    )
    session.add(row)
    return row


def package(releases: list[dict[str, Any]], *, uri: str, published: datetime, publisher: str):
    """A release package around some releases."""
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": [BIDS_EXTENSION, LOTS_EXTENSION],
        "publishedDate": format_time(published),
        "publisher": {"name": publisher},
        "license": "https://opendatacommons.org/licenses/by/1-0/",
        "publicationPolicy": "https://github.com/prongsai/prongsai#open-data-and-api",
        "releases": releases,
    }
