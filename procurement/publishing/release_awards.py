"""The awards and contracts of an OCDS release: decisions, contracts and their implementation."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from core.auth.models import Organisation
from core.ledger.service import format_time
from procurement.awards.models import Award, AwardStatus
from procurement.contracts.models import Contract, ContractAmendment, Milestone, Payment
from procurement.publishing import ocds
from procurement.publishing.ocds import amount, organisation_ref
from procurement.tenders.models import (
    Lot,
    Tender,
)

AWARD_STATUS = {
    AwardStatus.STANDSTILL: "pending",
    AwardStatus.FINAL: "active",
    AwardStatus.CANCELLED: "cancelled",
}


def awards_and_contracts(session: Session, tender: Tender, parties: dict) -> tuple[list, list]:
    awards, contracts = [], []
    for award in session.exec(
        select(Award).where(Award.tender_id == tender.id).order_by(col(Award.id))
    ):
        lot = session.get(Lot, award.lot_id) if award.lot_id else None
        supplier = session.get_one(Organisation, award.supplier_id)
        party = parties.setdefault(supplier.slug, ocds.party(supplier, []))
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
                "suppliers": [organisation_ref(supplier)],
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
                    buyer_ref=organisation_ref(session.get_one(Organisation, tender.buyer_id)),
                    supplier_ref=organisation_ref(supplier),
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
        .order_by(col(ContractAmendment.id))
    ).all()
    milestones = session.exec(
        select(Milestone).where(Milestone.contract_id == contract.id).order_by(col(Milestone.id))
    ).all()
    payments = session.exec(
        select(Payment).where(Payment.contract_id == contract.id).order_by(col(Payment.id))
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
