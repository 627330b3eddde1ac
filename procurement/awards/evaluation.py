"""Evaluation before an award: candidates per lot, per-lot ranking, best-value scoring."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from core.db import stored_id
from core.i18n import gettext
from procurement.awards import rules as award_rules
from procurement.awards.models import Award, AwardStatus
from procurement.awards.schemas import AwardIn
from procurement.bids.models import Bid, BidLot, BidStatus
from procurement.bids.opening import rank_lots
from procurement.exceptions import InvalidBid, TenderClosed
from procurement.publishing.service import organisation_slug
from procurement.tenders.models import Lot, Tender
from procurement.tenders.service import tender_lots


def rerank_lots(session: Session, tender: Tender) -> None:
    """Rank every lot again (after a disqualification)."""
    bids = list(session.exec(select(Bid).where(Bid.tender_id == tender.id)))
    rows = list(session.exec(select(BidLot).where(col(BidLot.bid_id).in_([b.id for b in bids]))))
    rank_lots(session, rows, bids)


def best_value(
    session: Session, tender: Tender, candidates: list[tuple[Bid, int]], decision: AwardIn
) -> tuple[Bid, list[dict]]:
    """The winner by weighted score, and the committee's evaluation as it is published."""
    criteria = json.loads(tender.criteria_json)
    weights = [c["weight"] for c in criteria]
    missing = [
        stored_id(b)
        for b, _ in candidates
        if len(decision.scores.get(stored_id(b), [])) != len(weights)
    ]
    if missing:
        raise InvalidBid(
            gettext(
                "Best value needs one score (0-100) per criterion for every valid bid; "
                "missing or incomplete for bids %(bids)s."
            )
            % {"bids": missing}
        )
    if not decision.justification.strip():
        raise InvalidBid(gettext("Best-value scores need a written justification."))
    for bid, _ in candidates:
        bid_id = stored_id(bid)
        if any(not 0 <= s <= 100 for s in decision.scores[bid_id]):
            raise InvalidBid(
                gettext("Scores for bid %(bid)s must be between 0 and 100.") % {"bid": bid_id}
            )
        notes = decision.notes.get(bid_id)
        if notes is not None and len(notes) != len(weights):
            raise InvalidBid(
                gettext("Give one justification per criterion for bid %(bid)s.") % {"bid": bid_id}
            )
    scored = [
        award_rules.ScoredBid(
            stored_id(bid),
            award_rules.weighted_total(weights, decision.scores[stored_id(bid)]),
            price,
        )
        for bid, price in candidates
    ]
    order = award_rules.rank_by_score(scored)
    totals = {s.bid_id: s.total for s in scored}
    evaluation = []
    for bid, price in sorted(candidates, key=lambda c: order.index(stored_id(c[0]))):
        bid_id = stored_id(bid)
        notes = decision.notes.get(bid_id) or [""] * len(weights)
        evaluation.append(
            {
                "bid_id": bid_id,
                "supplier": organisation_slug(session, bid.supplier_id),
                "price": price,
                "scores": [
                    {"criterion": c["name"], "weight": c["weight"], "score": score, "note": note}
                    for c, score, note in zip(criteria, decision.scores[bid_id], notes, strict=True)
                ],
                "total": f"{totals[bid_id] / 100:.2f}",
                "rank": order.index(bid_id) + 1,
            }
        )
    winner = next(bid for bid, _ in candidates if bid.id == order[0])
    return winner, evaluation


def candidates_for(
    session: Session, tender: Tender, decision: AwardIn, *, valid
) -> tuple[list[tuple[Bid, int]], Lot | None]:
    """The valid bids that can win this award, with their price for it (the lot's, if any)."""
    lots = tender_lots(session, stored_id(tender))
    if not lots:
        if decision.lot is not None:
            raise InvalidBid(gettext("This tender has no lots: leave lot out of the award."))
        return [(b, b.price) for b in valid(session, tender)], None
    if decision.lot is None:
        raise InvalidBid(
            gettext("This tender has %(count)s lots: say which lot (1 to %(count)s) is awarded.")
            % {"count": len(lots)}
        )
    lot = next((lot for lot in lots if lot.position == decision.lot), None)
    if lot is None:
        raise InvalidBid(
            gettext("There is no lot %(lot)s; the lots are 1 to %(count)s.")
            % {"lot": decision.lot, "count": len(lots)}
        )
    if session.exec(
        select(Award.id).where(Award.lot_id == lot.id, Award.status != AwardStatus.CANCELLED)
    ).first():
        raise TenderClosed(gettext("Lot %(lot)s has already been awarded.") % {"lot": lot.position})
    rows = session.exec(
        select(Bid, BidLot)
        .join(BidLot, col(BidLot.bid_id) == Bid.id)
        .where(BidLot.lot_id == lot.id, Bid.status == BidStatus.VALID)
        .order_by(col(BidLot.rank))
    ).all()
    return [(bid, row.price) for bid, row in rows], lot


def awardable_lots_left(session: Session, tender: Tender) -> int:
    """Lots with at least one valid bid that have no award yet."""
    left = 0
    for lot in tender_lots(session, stored_id(tender)):
        has_bid = session.exec(
            select(BidLot.id)
            .join(Bid, col(Bid.id) == BidLot.bid_id)
            .where(BidLot.lot_id == lot.id, Bid.status == BidStatus.VALID)
        ).first()
        awarded = session.exec(
            select(Award.id).where(Award.lot_id == lot.id, Award.status != AwardStatus.CANCELLED)
        ).first()
        if has_bid is not None and awarded is None:
            left += 1
    return left
