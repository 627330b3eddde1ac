"""What one tender adds to the running totals behind the buyer and supplier profiles.

Kept by the same refresh as the site-wide totals (procurement.insights.aggregates), in
procurement_insight_party_sum: a profile covers the whole record, and its years are those of
each event (publication, opening, decision, signature), so the event's year is a key (k2)
rather than the year of publication the site-wide figures use. Reading a party's totals is one
seek on the primary key (kind, party). The refresh's keys carry a year of 0, left out here.

- buyer_year (k1 buyer, k2 year, k3 tenders / awards / contracts, cur): n1 count, n2 value;
  k2 0 and no currency: the count over every year (the profile's lists' lengths).
- supplier_year (k1 supplier, k2 year, k3 bids / awards / contracts, cur): n1 count, n2 value.
- buyer_bidder (k1 buyer, k2 supplier): n1 the buyer's tenders the supplier bid in, n2 won.
- supplier_record (k1 supplier): n1 tenders bid in that reached an award, n2 of them won.
- rival (k1 supplier, k2 another): n1 tenders both bid in, n2 won by the other, n3 by k1.

A bid counts once the opening made it public, an award while it is not cancelled, a contract
while its award is live: as the full pass (procurement.insights.profiles) counts them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from procurement.insights.facts import TenderFact

if TYPE_CHECKING:
    from procurement.insights.aggregates import Kept

KINDS = ("buyer_year", "supplier_year", "buyer_bidder", "supplier_record", "rival")


def row(key: tuple, values: list[int]) -> dict:
    """The table's row for one of the refresh's keys (kind, 0, k1, k2, k3, cur) and counters."""
    kind, _year, k1, k2, k3, cur = key
    return {
        "kind": kind,
        "k1": k1,
        "k2": k2,
        "k3": k3,
        "cur": cur,
        **dict(zip(N, values[:3], strict=True)),
    }


N = ("n1", "n2", "n3")


def contracts(tender: TenderFact) -> list[tuple[int, int, str, int]]:
    """(supplier, value, currency, year signed) of the contracts of the tender's live awards."""
    awards = {a.id: a for a in tender.awards}
    return [
        (awards[c.award_id].supplier_id, c.value, c.currency, c.signed_date.year)
        for c in tender.contracts
        if c.award_id in awards
    ]


def add_to(kept: Kept, add: Callable[..., None]) -> None:
    """Add this tender's part of the profiles' totals through `add(key, *values)`."""
    if kept.estimated is None or kept.bids is None or kept.contracts is None:
        return  # a row read before these totals existed: `prongsai insights rebuild`
    buyer = kept.buyer

    def event(kind: str, party: int, what: str, year: int | None, currency: str, value: int):
        add((kind, 0, party, 0, what, ""), 1)
        if year is not None:
            add((kind, 0, party, year, what, currency), 1, value)

    event("buyer_year", buyer, "tenders", kept.year, kept.currency, kept.estimated)
    for supplier, value, currency, month, _status in kept.awards:
        year = int(month[:4])
        event("buyer_year", buyer, "awards", year, currency, value)
        event("supplier_year", supplier, "awards", year, currency, value)
    for supplier, value, currency, year in kept.contracts:
        event("buyer_year", buyer, "contracts", year, currency, value)
        event("supplier_year", supplier, "contracts", year, currency, value)
    for supplier, count in Counter(kept.bids).items():
        add(("supplier_year", 0, supplier, 0, "bids", ""), count)
        if kept.opened_year is not None:
            add(("supplier_year", 0, supplier, kept.opened_year, "bids", kept.currency), count)
    winners = {a[0] for a in kept.awards}  # several on a tender with lots
    bidders = set(kept.bids)
    for supplier in bidders | winners:
        add(
            ("buyer_bidder", 0, buyer, supplier, "", ""),
            int(supplier in bidders),
            int(supplier in winners),
        )
    for supplier in bidders:
        won = int(supplier in winners)
        if winners:
            add(("supplier_record", 0, supplier, 0, "", ""), 1, won)
        for other in bidders - {supplier}:
            add(("rival", 0, supplier, other, "", ""), 1, int(other in winners), won)
