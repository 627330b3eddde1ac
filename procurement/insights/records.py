"""A buyer's or supplier's profile a page at a time: totals from the aggregates, lists by index.

The totals (per year, competition, win rate, rivals) are the running totals of
procurement.insights.party_sums, one seek on the primary key of procurement_insight_sum per
party; each list is read newest first, `limit` rows from `offset`, through an index that starts
with the party (migration 0016_profile_indexes), so a page costs the same at any archive size.
The figures and the order are the full pass's (procurement.insights.profiles), which the tests
keep as the reference.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from procurement.awards.models import Award, AwardStatus
from procurement.bids.models import Bid
from procurement.contracts.models import Contract
from procurement.insights import facts, profiles, summaries
from procurement.insights.models import InsightPartySum as Sum
from procurement.insights.models import InsightSum
from procurement.insights.schemas import (
    AwardRow,
    BidRow,
    BuyerYear,
    Competitor,
    ContractRow,
    SupplierYear,
    TenderRow,
)
from procurement.tenders.models import Tender, TenderStatus

EARLIEST = date(1900, 1, 1)
BUYER_FIELDS: dict[str, tuple[str, str | None]] = {
    "tenders": ("tenders", "estimated_value"),
    "awards": ("awards", "awarded_value"),
    "contracts": ("contracts", "contracted_value"),
}
SUPPLIER_FIELDS: dict[str, tuple[str, str | None]] = {
    "bids": ("bids", None),
    "awards": ("wins", "awarded_value"),
    "contracts": ("contracts", "contracted_value"),
}


def _sums(session: Session, kind: str, party_id: int) -> list[Sum]:
    return list(session.exec(select(Sum).where(Sum.kind == kind, Sum.k1 == party_id)))


def _years(rows: list[Sum], fields: dict[str, tuple[str, str | None]]):
    """(counts over every year by list, {(year, currency): {field: total}})."""
    counts: dict[str, int] = {}
    years: dict[tuple[int, str], Counter] = defaultdict(Counter)
    for row in rows:
        if row.k2 == 0:
            counts[row.k3] = row.n1
        elif row.n1:
            number, value = fields[row.k3]
            years[(row.k2, row.cur)][number] += row.n1
            if value:
                years[(row.k2, row.cur)][value] += row.n2
    return counts, sorted(years.items(), reverse=True)


def buyer_totals(session: Session, buyer_id: int) -> tuple[dict[str, int], list[BuyerYear]]:
    """Lengths of the buyer's lists, and its totals by year and currency, newest first."""
    counts, years = _years(_sums(session, "buyer_year", buyer_id), BUYER_FIELDS)
    names = [f for pair in BUYER_FIELDS.values() for f in pair if f]
    rows = [BuyerYear(year=y, currency=c, **{f: v.get(f, 0) for f in names}) for (y, c), v in years]
    counts = {k: counts.get(k, 0) for k in BUYER_FIELDS}
    counts["bidders"] = _count(session, "buyer_bidder", buyer_id)
    return counts, rows


def competition(session: Session, buyer_id: int) -> tuple[int, float | None, float | None]:
    """Opened tenders, average bidders per opened tender, share of them with one bidder."""
    row = next(iter(summaries.sums(session, "buyer", None, InsightSum.k1 == buyer_id)), None)
    if row is None or not row.n1:
        return 0, None, None
    return row.n1, round(row.n2 / row.n1, 2), round(row.n3 / row.n1, 4)


def supplier_totals(session: Session, supplier_id: int) -> tuple[dict[str, int], list]:
    """Lengths of the supplier's lists, and its totals by year and currency, newest first."""
    counts, years = _years(_sums(session, "supplier_year", supplier_id), SUPPLIER_FIELDS)
    names = [f for pair in SUPPLIER_FIELDS.values() for f in pair if f]
    rows = [
        SupplierYear(year=y, currency=c, **{f: v.get(f, 0) for f in names}) for (y, c), v in years
    ]
    counts = {k: counts.get(k, 0) for k in SUPPLIER_FIELDS}
    counts["competitors"] = _count(session, "rival", supplier_id)
    return counts, rows


def win_record(session: Session, supplier_id: int) -> tuple[int, int]:
    """Tenders the supplier bid in that reached an award, and how many of them it won."""
    rows = _sums(session, "supplier_record", supplier_id)
    return (rows[0].n1, rows[0].n2) if rows else (0, 0)


def _count(session: Session, kind: str, party_id: int) -> int:
    query = select(func.count()).where(Sum.kind == kind, Sum.k1 == party_id, Sum.n1 > 0)
    return session.exec(query).one()


def _competitors(session: Session, kind: str, party_id: int, offset: int, limit: int, *order):
    query = (
        select(Sum)
        .where(Sum.kind == kind, Sum.k1 == party_id, Sum.n1 > 0)
        .order_by(col(Sum.n1).desc(), *order, col(Sum.k2))
        .offset(offset)
        .limit(limit)
    )
    rows = list(session.exec(query))
    party = summaries.parties(session, [r.k2 for r in rows])
    return [
        Competitor(
            party=party(r.k2), tenders=r.n1, wins=r.n2, own_wins=r.n3 if kind == "rival" else 0
        )
        for r in rows
    ]


def bidders(session: Session, buyer_id: int, offset: int, limit: int) -> list[Competitor]:
    """Who bid in the buyer's tenders: most tenders first, then most wins."""
    return _competitors(session, "buyer_bidder", buyer_id, offset, limit, col(Sum.n2).desc())


def rivals(session: Session, supplier_id: int, offset: int, limit: int) -> list[Competitor]:
    """Who the supplier bid against: most tenders together first."""
    return _competitors(session, "rival", supplier_id, offset, limit)


def tenders(session: Session, buyer_id: int, offset: int, limit: int) -> list[TenderRow]:
    """The buyer's published tenders, newest first."""
    ids = session.exec(
        select(col(Tender.id))
        .where(Tender.buyer_id == buyer_id, Tender.status != TenderStatus.DRAFT)
        .order_by(col(Tender.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    loaded = facts.load(session, tender_ids=[i for i in ids if i is not None])  # primary keys
    party = summaries.parties(
        session, {buyer_id} | {t.award.supplier_id for t in loaded if t.award}
    )
    return [profiles.tender_row(t, party) for t in reversed(loaded)]


def _live(*where):
    return (
        col(Tender.status) != TenderStatus.DRAFT,
        col(Award.status) != AwardStatus.CANCELLED,
        *where,
    )


def awards(session: Session, offset: int, limit: int, *where) -> list[AwardRow]:
    """Live awards of published tenders matching `where`, latest decision first."""
    # The page's ids first, from the indexes alone (a buyer's tenders by (buyer, id, status),
    # their awards by (tender, status, decided_at, id)); then the rows of those `limit` only.
    # Ordered by an expression no index has: PostgreSQL would otherwise walk every award by
    # decision time (migration 0014's index) looking for this party's, ever further each page.
    decided = sa.func.coalesce(col(Award.decided_at), col(Award.decided_at))
    page = (
        sa.select(col(Award.id))
        .join(Tender, col(Tender.id) == col(Award.tender_id))
        .where(*_live(*where))
        .order_by(decided.desc(), col(Award.id).desc())
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    found = session.execute(
        sa.select(
            col(Award.id),
            col(Award.tender_id),
            col(Tender.title),
            col(Tender.buyer_id),
            col(Award.supplier_id),
            col(Award.value),
            col(Award.currency),
            col(Award.status),
            col(Award.decided_at),
        )
        .join(page, page.c.id == col(Award.id))
        .join(Tender, col(Tender.id) == col(Award.tender_id))
        .order_by(col(Award.decided_at).desc(), col(Award.id).desc())
    ).all()
    party = summaries.parties(session, {r.buyer_id for r in found} | {r.supplier_id for r in found})
    return [
        AwardRow(
            id=r.id,
            tender_id=r.tender_id,
            tender_title=r.title,
            buyer=party(r.buyer_id),
            supplier=party(r.supplier_id),
            value=r.value,
            currency=r.currency,
            status=str(r.status),
            decided_at=r.decided_at,
        )
        for r in found
    ]


def contracts(session: Session, offset: int, limit: int, *where) -> list[ContractRow]:
    """Contracts of live awards of published tenders matching `where`, latest signed first."""
    page = (  # the page's ids from the indexes alone, as for awards
        sa.select(col(Contract.id))
        .join(Award, col(Award.id) == col(Contract.award_id))
        .join(Tender, col(Tender.id) == col(Award.tender_id))
        # always true; it makes SQLite read the contract from (award_id, signed_date, id)
        # rather than the unique index on award_id and then the row, a few thousand times
        .where(*_live(*where), col(Contract.signed_date) > EARLIEST)
        .order_by(col(Contract.signed_date).desc(), col(Contract.id).desc())
        .offset(offset)
        .limit(limit)
        .subquery()
    )
    found = session.execute(
        sa.select(
            col(Contract.id),
            col(Award.tender_id),
            col(Tender.title),
            col(Tender.buyer_id),
            col(Award.supplier_id),
            col(Award.value).label("award_value"),
            col(Contract.value),
            col(Contract.currency),
            col(Contract.signed_date),
        )
        .join(page, page.c.id == col(Contract.id))
        .join(Award, col(Award.id) == col(Contract.award_id))
        .join(Tender, col(Tender.id) == col(Award.tender_id))
        .order_by(col(Contract.signed_date).desc(), col(Contract.id).desc())
    ).all()
    party = summaries.parties(session, {r.buyer_id for r in found} | {r.supplier_id for r in found})
    return [
        ContractRow(
            id=r.id,
            tender_id=r.tender_id,
            tender_title=r.title,
            buyer=party(r.buyer_id),
            supplier=party(r.supplier_id),
            award_value=r.award_value,
            value=r.value,
            currency=r.currency,
            signed_date=r.signed_date,
        )
        for r in found
    ]


def bids(session: Session, supplier_id: int, offset: int, limit: int) -> list[BidRow]:
    """The supplier's opened bids, newest tender first, with how each tender ended."""
    found = session.execute(
        sa.select(
            col(Bid.tender_id),
            col(Tender.title),
            col(Tender.buyer_id),
            col(Tender.opened_at),
            col(Bid.price),
            col(Tender.currency),
            col(Bid.status),
            col(Bid.rank),
        )
        .join(Tender, col(Tender.id) == col(Bid.tender_id))
        .where(
            col(Bid.supplier_id) == supplier_id,
            col(Bid.status).in_(facts.OPENED_BIDS),
            col(Tender.status) != TenderStatus.DRAFT,
        )
        .order_by(col(Bid.tender_id).desc(), col(Bid.id))
        .offset(offset)
        .limit(limit)
    ).all()
    winners: dict[int, set[int]] = defaultdict(set)
    for tender_id, winner in session.execute(
        sa.select(col(Award.tender_id), col(Award.supplier_id)).where(
            col(Award.tender_id).in_({r.tender_id for r in found}),
            col(Award.status) != AwardStatus.CANCELLED,
        )
    ):
        winners[tender_id].add(winner)
    party = summaries.parties(session, {r.buyer_id for r in found})
    return [
        BidRow(
            tender_id=r.tender_id,
            tender_title=r.title,
            buyer=party(r.buyer_id),
            opened_at=r.opened_at,
            price=r.price,
            currency=r.currency,
            status=str(r.status),
            rank=r.rank,
            outcome=(
                ("won" if supplier_id in winners[r.tender_id] else "lost")
                if winners[r.tender_id]
                else "pending"
            ),
        )
        for r in found
    ]
