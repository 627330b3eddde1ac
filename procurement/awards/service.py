"""Use cases after the opening: disqualification, award, standstill complaints, contract."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, col, select

from core.auth.models import Organisation, User
from core.auth.rules import member_organisation_id
from core.db import stored_id
from core.formatting import format_when
from core.i18n import gettext
from core.ledger.service import format_time
from core.settings import Settings
from procurement import mails
from procurement.awards import rules as award_rules
from procurement.awards.evaluation import (
    awardable_lots_left,
    best_value,
    candidates_for,
    rerank_lots,
)
from procurement.awards.models import Award, AwardStatus, Complaint
from procurement.awards.schemas import AwardIn
from procurement.bids.models import Bid, BidStatus
from procurement.bids.opening import rank_bids
from procurement.contracts.models import Contract
from procurement.contracts.schemas import ContractIn
from procurement.exceptions import (
    DeadlinePassed,
    InvalidBid,
    NotABidder,
    NotYetTime,
    TenderClosed,
    TenderNotFound,
)
from procurement.publishing.service import notify, organisation_slug, record
from procurement.tenders.models import AwardCriteria, Tender, TenderStatus
from procurement.tenders.service import owned_tender, tender_lots


def disqualify(
    session: Session, *, buyer: User, bid_id: int, reason: str, now: datetime, settings: Settings
) -> Bid:
    """Disqualify an opened bid, with a public reason."""
    bid = session.get(Bid, bid_id)
    if bid is None:
        raise TenderNotFound(gettext("There is no bid %(bid)s.") % {"bid": bid_id})
    tender = owned_tender(session, buyer=buyer, tender_id=bid.tender_id, for_update=True)
    if tender.status != TenderStatus.OPENED:
        raise TenderClosed(gettext("Bids are disqualified after the opening and before the award."))
    if bid.status != BidStatus.VALID:
        raise TenderClosed(
            gettext("Bid %(bid)s is %(status)s; only a valid bid can be disqualified.")
            % {"bid": bid_id, "status": bid.status}
        )
    if session.exec(select(Award.id).where(Award.bid_id == bid.id)).first() is not None:
        raise TenderClosed(
            gettext("Bid %(bid)s has already won an award; it cannot be disqualified.")
            % {"bid": bid_id}
        )
    bid.status, bid.problem, bid.rank = BidStatus.DISQUALIFIED, reason, None
    session.add(bid)
    session.flush()
    if tender_lots(session, tender.id):
        rerank_lots(session, tender)
    else:
        _rerank(session, tender)
    record(
        session,
        tender,
        entry_type="procurement.bid.disqualified",
        payload={"supplier": organisation_slug(session, bid.supplier_id), "reason": reason},
        tags=["tenderUpdate"],
        now=now,
        settings=settings,
    )
    session.commit()
    session.refresh(bid)
    return bid


def _rerank(session: Session, tender: Tender) -> list[Bid]:
    valid = list(
        session.exec(select(Bid).where(Bid.tender_id == tender.id, Bid.status == BidStatus.VALID))
    )
    ranked = rank_bids(valid)
    session.add_all(ranked)
    return ranked


def award(
    session: Session,
    *,
    buyer: User,
    tender_id: int,
    decision: AwardIn,
    now: datetime,
    settings: Settings,
) -> Award:
    """Decide the award (of one lot, on a lotted tender): published, it starts the standstill."""
    tender = owned_tender(session, buyer=buyer, tender_id=tender_id, for_update=True)
    if tender.status != TenderStatus.OPENED:
        raise TenderClosed(
            gettext("Tender %(tender)s is %(status)s; an award follows the opening.")
            % {"tender": tender_id, "status": tender.status}
        )
    candidates, lot = candidates_for(session, tender, decision, valid=_rerank)
    if not candidates:
        where = gettext("lot %(n)s") % {"n": lot.position} if lot else gettext("this tender")
        raise TenderClosed(
            gettext("There is no valid bid on %(where)s to award; cancel it with a reason.")
            % {"where": where}
        )
    evaluation = None
    if tender.award_criteria == AwardCriteria.BEST_VALUE:
        winner, evaluation = best_value(session, tender, candidates, decision)
    else:
        winner = candidates[0][0]
    value = next(price for bid, price in candidates if bid.id == winner.id)
    assert winner.price_currency is not None  # the opening reads it into every valid bid
    row = Award(
        tender_id=tender.id,
        buyer_id=tender.buyer_id,
        bid_id=stored_id(winner),
        supplier_id=winner.supplier_id,
        lot_id=lot.id if lot else None,
        value=value,
        currency=winner.price_currency,
        status=AwardStatus.STANDSTILL,
        justification=decision.justification,
        evaluation_json=json.dumps(evaluation, ensure_ascii=False) if evaluation else None,
        decided_at=now,
        standstill_end_at=award_rules.standstill_end(decided_at=now, days=tender.standstill_days),
    )
    session.add(row)
    session.flush()
    if lot is None or awardable_lots_left(session, tender) == 0:
        tender.status = TenderStatus.AWARDED
    payload = {
        "supplier": organisation_slug(session, winner.supplier_id),
        "value": value,
        "currency": winner.price_currency,
        "standstill_end_at": format_time(row.standstill_end_at),
    }
    if lot is not None:
        payload["lot"] = lot.position
    if evaluation:
        payload["evaluation"] = evaluation
    record(
        session,
        tender,
        entry_type="procurement.award.decided",
        payload=payload,
        tags=["award"],
        now=now,
        settings=settings,
    )
    subject, body = mails.award_decided(
        settings,
        tender_id=stored_id(tender),
        lot=lot.position if lot else None,
        winner=session.get_one(Organisation, winner.supplier_id),
        until=row.standstill_end_at,
        link=mails.tender_link(settings, stored_id(tender)),
    )
    for bidder in {
        b.supplier_id
        for b in session.exec(
            select(Bid).where(
                Bid.tender_id == tender.id,
                col(Bid.status).in_([BidStatus.VALID, BidStatus.INVALID, BidStatus.DISQUALIFIED]),
            )
        )
    }:
        notify(session, organisation_id=bidder, subject=subject, body=body, now=now)
    session.commit()
    session.refresh(row)
    return row


def lodge_complaint(
    session: Session, *, supplier: User, award_id: int, text: str, now: datetime, settings: Settings
) -> Complaint:
    """A bidder complains during the standstill; the complaint is public."""
    row = session.get(Award, award_id)
    if row is None:
        raise TenderNotFound(gettext("There is no award %(award)s.") % {"award": award_id})
    tender = session.get_one(Tender, row.tender_id)
    bidder = session.exec(
        select(Bid.id).where(
            Bid.tender_id == tender.id, Bid.supplier_id == supplier.organisation_id
        )
    ).first()
    if bidder is None:
        raise NotABidder(
            gettext("Only a company that bid on this tender may complain about its award.")
        )
    if row.status != AwardStatus.STANDSTILL or now >= row.standstill_end_at:
        raise DeadlinePassed(
            gettext("The standstill period ended at %(when)s.")
            % {"when": format_when(row.standstill_end_at, "datetime", zone=settings.zone)}
        )
    complaint = Complaint(
        award_id=stored_id(row),
        complainant_id=member_organisation_id(supplier),
        text=text,
        lodged_at=now,
    )
    session.add(complaint)
    record(
        session,
        tender,
        entry_type="procurement.complaint.lodged",
        payload={
            "award": row.id,
            "complainant": organisation_slug(session, member_organisation_id(supplier)),
            "text": text,
        },
        tags=["awardUpdate"],
        now=now,
        settings=settings,
    )
    session.commit()
    session.refresh(complaint)
    return complaint


def answer_complaint(
    session: Session,
    *,
    buyer: User,
    complaint_id: int,
    response: str,
    now: datetime,
    settings: Settings,
) -> Complaint:
    """The buyer must answer every complaint before the award becomes final."""
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise TenderNotFound(
            gettext("There is no complaint %(complaint)s.") % {"complaint": complaint_id}
        )
    row = session.get_one(Award, complaint.award_id)
    tender = owned_tender(session, buyer=buyer, tender_id=row.tender_id, for_update=True)
    if complaint.response is not None:
        raise TenderClosed(gettext("This complaint has already been answered."))
    complaint.response, complaint.responded_at = response, now
    session.add(complaint)
    record(
        session,
        tender,
        entry_type="procurement.complaint.answered",
        payload={"complaint": complaint.id, "response": response},
        tags=["awardUpdate"],
        now=now,
        settings=settings,
    )
    notify(
        session,
        organisation_id=complaint.complainant_id,
        subject=f"Your complaint on tender {tender.id} was answered",
        body=response,
        now=now,
    )
    session.commit()
    session.refresh(complaint)
    return complaint


def finalise_award_as_buyer(
    session: Session, *, buyer: User, award_id: int, now: datetime, settings: Settings
) -> Award:
    """A buyer finalises an award of their own organisation's tender, and of no other."""
    row = session.get(Award, award_id)
    if row is None:
        raise TenderNotFound(gettext("There is no award %(award)s.") % {"award": award_id})
    owned_tender(session, buyer=buyer, tender_id=row.tender_id)
    return finalise_award(session, award_id=award_id, now=now, settings=settings)


def finalise_award(session: Session, *, award_id: int, now: datetime, settings: Settings) -> Award:
    """After the standstill, with every complaint answered, the award becomes final."""
    row = session.get(Award, award_id)
    if row is None:
        raise TenderNotFound(gettext("There is no award %(award)s.") % {"award": award_id})
    if row.status == AwardStatus.FINAL:
        return row
    if now < row.standstill_end_at:
        raise NotYetTime(
            gettext("The standstill period runs until %(when)s.")
            % {"when": format_when(row.standstill_end_at, "datetime", zone=settings.zone)}
        )
    open_complaints = session.exec(
        select(Complaint.id).where(Complaint.award_id == row.id, col(Complaint.response).is_(None))
    ).all()
    if open_complaints:
        raise TenderClosed(
            gettext("Complaints %(complaints)s await the buyer's answer.")
            % {"complaints": open_complaints}
        )
    tender = session.exec(select(Tender).where(Tender.id == row.tender_id).with_for_update()).one()
    row.status = AwardStatus.FINAL
    session.add(row)
    record(
        session,
        tender,
        entry_type="procurement.award.final",
        payload={"award": row.id},
        tags=["awardUpdate"],
        now=now,
        settings=settings,
    )
    session.commit()
    session.refresh(row)
    return row


def _every_award_contracted(session: Session, tender: Tender) -> bool:
    """A tender is contracted once every lot is awarded and every award has its contract."""
    if tender.status != TenderStatus.AWARDED:
        return False  # lots still to award
    uncontracted = session.exec(
        select(Award.id)
        .outerjoin(Contract, col(Contract.award_id) == Award.id)
        .where(
            Award.tender_id == tender.id,
            Award.status != AwardStatus.CANCELLED,
            col(Contract.id).is_(None),
        )
    ).first()
    return uncontracted is None


def due_finalisations(session: Session, *, now: datetime) -> list[int]:
    """Awards whose standstill is over (finalised if no complaint is pending)."""
    rows = session.exec(
        select(Award.id).where(
            Award.status == AwardStatus.STANDSTILL, Award.standstill_end_at <= now
        )
    )
    return [award_id for award_id in rows if award_id is not None]  # primary keys, never None


def sign_contract(
    session: Session,
    *,
    buyer: User,
    award_id: int,
    contract: ContractIn,
    now: datetime,
    settings: Settings,
) -> Contract:
    """Record the signed contract of a final award; it becomes a public record."""
    row = session.get(Award, award_id)
    if row is None:
        raise TenderNotFound(gettext("There is no award %(award)s.") % {"award": award_id})
    tender = owned_tender(session, buyer=buyer, tender_id=row.tender_id, for_update=True)
    if row.status != AwardStatus.FINAL:
        raise TenderClosed(
            gettext("A contract is signed only once the award is final (after standstill).")
        )
    if contract.end_date < contract.start_date:
        raise InvalidBid(gettext("The contract must end on or after its start date."))
    if session.exec(select(Contract.id).where(Contract.award_id == row.id)).first():
        raise TenderClosed(gettext("This award already has a contract."))
    created = Contract(
        award_id=stored_id(row),
        value=contract.value,
        currency=row.currency,
        start_date=contract.start_date,
        end_date=contract.end_date,
        signed_date=contract.signed_date,
        created_at=now,
    )
    session.add(created)
    session.flush()
    if _every_award_contracted(session, tender):
        tender.status = TenderStatus.CONTRACTED
    record(
        session,
        tender,
        entry_type="procurement.contract.signed",
        payload={
            "award": row.id,
            "value": contract.value,
            "currency": row.currency,
            "signed_date": contract.signed_date.isoformat(),
        },
        tags=["contract"],
        now=now,
        settings=settings,
    )
    session.commit()
    session.refresh(created)
    return created
