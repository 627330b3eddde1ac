"""Figures across buyers and suppliers: the competition ranking and the procurement charts."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from procurement.insights.facts import TenderFact
from procurement.insights.profiles import competition
from procurement.insights.schemas import (
    BidderCount,
    BuyerCompetition,
    CategoryValue,
    MonthValue,
    Party,
    SupplierValue,
)

PartyOf = Callable[[int], Party]
BIDDER_BUCKETS = 6  # 0 … 5 bidders, then "6+"


def buyer_competition(tenders: list[TenderFact], party: PartyOf) -> list[BuyerCompetition]:
    """Buyers by competition: highest average bidders first, then lowest single-bid share."""
    per_buyer: dict[int, list[TenderFact]] = defaultdict(list)
    for tender in tenders:
        if tender.opened:
            per_buyer[tender.buyer_id].append(tender)
    rows: list[dict[str, Any]] = []
    for buyer_id, own in per_buyer.items():
        opened, average, single = competition(own)
        rows.append(
            {
                "buyer": party(buyer_id),
                "opened_tenders": opened,
                "bids": sum(len(t.bidders) for t in own),
                "average_bidders": average,
                "single_bid_tenders": sum(1 for t in own if len(t.bidders) == 1),
                "single_bid_share": single,
            }
        )
    rows.sort(key=lambda r: (-r["average_bidders"], r["single_bid_share"], r["buyer"].name))
    return [BuyerCompetition(rank=i, **row) for i, row in enumerate(rows, start=1)]


def awarded_by_month(tenders: list[TenderFact]) -> list[MonthValue]:
    """Value of live awards by the month they were decided, oldest first."""
    groups: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for tender in tenders:
        for award in tender.awards:
            group = groups[(award.decided_at.strftime("%Y-%m"), award.currency)]
            group["awards"] += 1
            group["value"] += award.value
    return [
        MonthValue(month=m, currency=c, awards=g["awards"], value=g["value"])
        for (m, c), g in sorted(groups.items())
    ]


def awarded_by_category(tenders: list[TenderFact]) -> list[CategoryValue]:
    """Value of live awards by the tender's category, largest first."""
    groups: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for tender in tenders:
        for award in tender.awards:
            group = groups[(tender.category, award.currency)]
            group["awards"] += 1
            group["value"] += award.value
    rows = [
        CategoryValue(category=k, currency=c, awards=g["awards"], value=g["value"])
        for (k, c), g in groups.items()
    ]
    return sorted(rows, key=lambda r: (-r.value, r.category))


def top_suppliers(tenders: list[TenderFact], party: PartyOf, limit: int = 10):
    """The suppliers with the largest awarded value."""
    groups: dict[tuple[int, str], Counter] = defaultdict(Counter)
    for tender in tenders:
        for award in tender.awards:
            group = groups[(award.supplier_id, award.currency)]
            group["awards"] += 1
            group["value"] += award.value
    rows = [
        SupplierValue(supplier=party(s), currency=c, awards=g["awards"], value=g["value"])
        for (s, c), g in groups.items()
    ]
    return sorted(rows, key=lambda r: (-r.value, r.supplier.name))[:limit]


def bidders_per_tender(tenders: list[TenderFact]) -> list[BidderCount]:
    """How many opened tenders had 0, 1, 2, … bidders."""
    counts = Counter(min(len(t.bidders), BIDDER_BUCKETS) for t in tenders if t.opened)
    return [
        BidderCount(
            bidders=str(n) if n < BIDDER_BUCKETS else f"{BIDDER_BUCKETS}+", tenders=counts[n]
        )
        for n in range(BIDDER_BUCKETS + 1)
    ]
