"""One pass over the public record: every published tender with its opened bids and outcome.

Only what the opening made public is read: sealed, withdrawn and superseded bids are never
loaded, so no profile, ranking or flag can reveal who bid before the opening.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import distinct, exists
from sqlalchemy import true as sa_true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from core.auth.models import Organisation
from core.db import stored_id
from procurement.awards.models import Award, AwardStatus
from procurement.bids.models import Bid, BidStatus
from procurement.contracts.models import Contract
from procurement.tenders.models import Amendment, Tender, TenderStatus

OPENED_BIDS = (BidStatus.VALID, BidStatus.INVALID, BidStatus.DISQUALIFIED)


@dataclass(frozen=True)
class BidFact:
    id: int
    supplier_id: int
    status: str
    price: int | None
    rank: int | None


@dataclass(frozen=True)
class AwardFact:
    id: int
    supplier_id: int
    bid_id: int
    value: int
    currency: str
    status: str
    decided_at: datetime


@dataclass(frozen=True)
class ContractFact:
    id: int
    award_id: int
    value: int
    currency: str
    signed_date: date


@dataclass
class TenderFact:
    id: int
    title: str
    buyer_id: int
    category: str
    method: str
    award_criteria: str
    estimated_value: int
    currency: str
    status: str
    tender_start_at: datetime
    tender_end_at: datetime
    published_at: datetime | None
    opened_at: datetime | None
    bids: list[BidFact] = field(default_factory=list)
    awards: list[AwardFact] = field(default_factory=list)
    contracts: list[ContractFact] = field(default_factory=list)
    # (made_at, deadline it replaced or None), in version order
    amendments: list[tuple[datetime, datetime | None]] = field(default_factory=list)

    @property
    def bidders(self) -> set[int]:
        return {b.supplier_id for b in self.bids}

    @property
    def award(self) -> AwardFact | None:
        """The one live award; None when there is none or several (lots)."""
        return self.awards[0] if len(self.awards) == 1 else None

    @property
    def opened(self) -> bool:
        return self.opened_at is not None


def load(
    session: Session,
    *,
    buyer_id: int | None = None,
    tender_ids: Collection[int] | None = None,
) -> list[TenderFact]:
    """Published tenders (all, one buyer's, or the given ids), oldest first, with their facts."""
    # Columns, not entities: building ORM objects was most of the cost on large records.
    query = sa.select(
        col(Tender.id),
        col(Tender.title),
        col(Tender.buyer_id),
        col(Tender.category),
        col(Tender.method),
        col(Tender.award_criteria),
        col(Tender.estimated_value),
        col(Tender.currency),
        col(Tender.status),
        col(Tender.tender_start_at),
        col(Tender.tender_end_at),
        col(Tender.published_at),
        col(Tender.opened_at),
    ).where(col(Tender.status) != TenderStatus.DRAFT)
    if buyer_id is not None:
        query = query.where(col(Tender.buyer_id) == buyer_id)
    if tender_ids is not None:
        query = query.where(col(Tender.id).in_(list(tender_ids)))
    tenders = {
        t.id: TenderFact(
            id=t.id,
            title=t.title,
            buyer_id=t.buyer_id,
            category=str(t.category),
            method=str(t.method),
            award_criteria=str(t.award_criteria),
            estimated_value=t.estimated_value,
            currency=t.currency,
            status=str(t.status),
            tender_start_at=t.tender_start_at,
            tender_end_at=t.tender_end_at,
            published_at=t.published_at,
            opened_at=t.opened_at,
        )
        for t in session.execute(query.order_by(col(Tender.id)))
    }
    if not tenders:
        return []
    ids = list(tenders) if tender_ids is not None or buyer_id is not None else None

    def of(column):
        """Rows of these tenders (every published one's when no filter was given)."""
        return col(column).in_(ids) if ids is not None else sa_true()

    for bid_id, tender_id, supplier_id, status, price, rank in session.execute(
        sa.select(
            col(Bid.id),
            col(Bid.tender_id),
            col(Bid.supplier_id),
            col(Bid.status),
            col(Bid.price),
            col(Bid.rank),
        )
        .where(of(Bid.tender_id), col(Bid.status).in_(OPENED_BIDS))
        .order_by(col(Bid.id))
    ):
        if tender_id in tenders:
            tenders[tender_id].bids.append(BidFact(bid_id, supplier_id, str(status), price, rank))
    for a in session.execute(
        sa.select(
            col(Award.id),
            col(Award.tender_id),
            col(Award.supplier_id),
            col(Award.bid_id),
            col(Award.value),
            col(Award.currency),
            col(Award.status),
            col(Award.decided_at),
        )
        .where(of(Award.tender_id), col(Award.status) != AwardStatus.CANCELLED)
        .order_by(col(Award.id))
    ):
        if a.tender_id in tenders:
            tenders[a.tender_id].awards.append(
                AwardFact(
                    a.id, a.supplier_id, a.bid_id, a.value, a.currency, str(a.status), a.decided_at
                )
            )
    for c in session.execute(
        sa.select(
            col(Contract.id),
            col(Contract.award_id),
            col(Contract.value),
            col(Contract.currency),
            col(Contract.signed_date),
            col(Award.tender_id),
        )
        .join(Award, col(Award.id) == Contract.award_id)
        .where(of(Award.tender_id))
        .order_by(col(Contract.id))
    ):
        if c.tender_id in tenders:
            tenders[c.tender_id].contracts.append(
                ContractFact(c.id, c.award_id, c.value, c.currency, c.signed_date)
            )
    for tender_id, created_at, changes_json in session.exec(
        select(Amendment.tender_id, Amendment.created_at, Amendment.changes_json)
        .where(of(Amendment.tender_id))
        .order_by(col(Amendment.version))
    ):
        if tender_id in tenders:
            tenders[tender_id].amendments.append((created_at, _replaced_deadline(changes_json)))
    return list(tenders.values())


def _replaced_deadline(changes_json: str) -> datetime | None:
    change = json.loads(changes_json).get("tender_end_at")
    return datetime.fromisoformat(change[0]) if change else None


def _live_awards(*where):
    """Live (not cancelled) awards of published tenders, filtered by `where`."""
    return (
        select(Award.tender_id, Award.supplier_id)
        .join(Tender, col(Tender.id) == Award.tender_id)
        .where(Tender.status != TenderStatus.DRAFT, Award.status != AwardStatus.CANCELLED, *where)
    )


def _only_award():
    """A condition on an award row: it is its tender's one live award (no other live one)."""
    other = aliased(Award)
    return ~exists().where(
        col(other.tender_id) == col(Award.tender_id),
        col(other.id) != col(Award.id),
        col(other.status) != AwardStatus.CANCELLED,
    )


def buyer_awards(session: Session, buyer_id: int) -> dict[int, int]:
    """Awards per supplier over the buyer's published tenders that have one live award."""
    winners = _live_awards(Tender.buyer_id == buyer_id, _only_award()).subquery()
    rows = session.exec(select(winners.c.supplier_id, func.count()).group_by(winners.c.supplier_id))
    return dict(rows.all())


def loser_records(
    session: Session, supplier_ids: Collection[int]
) -> dict[int, tuple[bool, int, int, int | None]]:
    """Per supplier: (ever won, losses, distinct winners, a winner) over awarded tenders.

    An awarded tender is a published one with one live award; a loss is such a tender where
    the supplier has an opened bid and another supplier won. Two aggregate queries, read
    through the indexes on bids and awards by supplier.
    """
    ids = list(supplier_ids)
    if not ids:
        return {}
    won = set(
        session.exec(
            select(Award.supplier_id)
            .join(Tender, col(Tender.id) == Award.tender_id)
            .where(
                col(Award.supplier_id).in_(ids),
                Tender.status != TenderStatus.DRAFT,
                Award.status != AwardStatus.CANCELLED,
                _only_award(),
            )
            .distinct()
        )
    )
    bid_tenders = select(Bid.tender_id).where(
        col(Bid.supplier_id).in_(ids), col(Bid.status).in_(OPENED_BIDS)
    )
    winners = _live_awards(col(Award.tender_id).in_(bid_tenders), _only_award()).subquery()
    lost = session.exec(
        select(
            Bid.supplier_id,
            func.count(distinct(col(Bid.tender_id))),
            func.count(distinct(winners.c.supplier_id)),
            func.min(winners.c.supplier_id),
        )
        .join(winners, winners.c.tender_id == Bid.tender_id)
        .where(
            col(Bid.supplier_id).in_(ids),
            col(Bid.status).in_(OPENED_BIDS),
            winners.c.supplier_id != Bid.supplier_id,
        )
        .group_by(col(Bid.supplier_id))
    )
    records: dict[int, tuple[bool, int, int, int | None]] = {s: (s in won, 0, 0, None) for s in ids}
    for supplier, losses, distinct_winners, winner in lost:
        records[supplier] = (supplier in won, losses, distinct_winners, winner)
    return records


def organisations(session: Session, ids: Collection[int]) -> dict[int, Organisation]:
    """The organisations with these ids, by id."""
    if not ids:
        return {}
    rows = session.exec(select(Organisation).where(col(Organisation.id).in_(list(ids))))
    return {stored_id(o): o for o in rows}


def supplier_tender_ids(session: Session, supplier_id: int) -> set[int]:
    """Tenders where the supplier has an opened bid or an award."""
    bids = session.exec(
        select(Bid.tender_id).where(
            Bid.supplier_id == supplier_id, col(Bid.status).in_(OPENED_BIDS)
        )
    )
    awards = session.exec(select(Award.tender_id).where(Award.supplier_id == supplier_id))
    return set(bids) | set(awards)
