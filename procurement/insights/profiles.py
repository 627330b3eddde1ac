"""Buyer and supplier profiles: every tender, bid, award and contract, and what they add up to."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

from procurement.insights.facts import TenderFact
from procurement.insights.schemas import (
    AwardRow,
    BidRow,
    BuyerProfile,
    BuyerYear,
    Competitor,
    ContractRow,
    Party,
    SupplierListRow,
    SupplierProfile,
    SupplierYear,
    TenderRow,
)

PartyOf = Callable[[int], Party]


def tender_row(tender: TenderFact, party: PartyOf) -> TenderRow:
    award = tender.award
    return TenderRow(
        id=tender.id,
        title=tender.title,
        buyer=party(tender.buyer_id),
        category=tender.category,
        method=tender.method,
        status=tender.status,
        estimated_value=tender.estimated_value,
        currency=tender.currency,
        published_at=tender.published_at,
        tender_end_at=tender.tender_end_at,
        bidders=len(tender.bidders) if tender.opened else None,
        winner=party(award.supplier_id) if award else None,
        awarded_value=award.value if award else None,
    )


def award_rows(tenders: list[TenderFact], party: PartyOf, supplier_id: int | None = None):
    """Live awards of these tenders (of one supplier when given), newest first."""
    rows = [
        AwardRow(
            id=a.id,
            tender_id=t.id,
            tender_title=t.title,
            buyer=party(t.buyer_id),
            supplier=party(a.supplier_id),
            value=a.value,
            currency=a.currency,
            status=a.status,
            decided_at=a.decided_at,
        )
        for t in tenders
        for a in t.awards
        if supplier_id is None or a.supplier_id == supplier_id
    ]
    return sorted(rows, key=lambda r: (r.decided_at, r.id), reverse=True)


def contract_rows(tenders: list[TenderFact], party: PartyOf, supplier_id: int | None = None):
    """Contracts of these tenders (of one supplier when given), newest first."""
    rows = []
    for tender in tenders:
        awards = {a.id: a for a in tender.awards}
        for contract in tender.contracts:
            award = awards.get(contract.award_id)
            if award is None or (supplier_id is not None and award.supplier_id != supplier_id):
                continue
            rows.append(
                ContractRow(
                    id=contract.id,
                    tender_id=tender.id,
                    tender_title=tender.title,
                    buyer=party(tender.buyer_id),
                    supplier=party(award.supplier_id),
                    award_value=award.value,
                    value=contract.value,
                    currency=contract.currency,
                    signed_date=contract.signed_date,
                )
            )
    return sorted(rows, key=lambda r: (r.signed_date, r.id), reverse=True)


def competition(tenders: list[TenderFact]) -> tuple[int, float | None, float | None]:
    """Opened tenders, average bidders per opened tender, share of them with one bidder."""
    opened = [t for t in tenders if t.opened]
    if not opened:
        return 0, None, None
    bidders = [len(t.bidders) for t in opened]
    return (
        len(opened),
        round(sum(bidders) / len(opened), 2),
        round(sum(1 for n in bidders if n == 1) / len(opened), 4),
    )


def buyer_profile(buyer: Party, tenders: list[TenderFact], party: PartyOf) -> BuyerProfile:
    """A buying entity's whole public record (tenders are its own, published ones)."""
    awards = award_rows(tenders, party)
    contracts = contract_rows(tenders, party)
    years: dict[tuple[int, str], dict[str, int]] = defaultdict(Counter)
    for tender in tenders:
        if tender.published_at:
            year = years[(tender.published_at.year, tender.currency)]
            year["tenders"] += 1
            year["estimated_value"] += tender.estimated_value
    for award in awards:
        year = years[(award.decided_at.year, award.currency)]
        year["awards"] += 1
        year["awarded_value"] += award.value
    for contract in contracts:
        year = years[(contract.signed_date.year, contract.currency)]
        year["contracts"] += 1
        year["contracted_value"] += contract.value
    fields = (
        "tenders",
        "estimated_value",
        "awards",
        "awarded_value",
        "contracts",
        "contracted_value",
    )
    bid_in: Counter = Counter()
    won: Counter = Counter()
    for tender in tenders:
        bid_in.update(tender.bidders)
        won.update({a.supplier_id for a in tender.awards})
    opened, average, single = competition(tenders)
    return BuyerProfile(
        buyer=buyer,
        tenders=[tender_row(t, party) for t in reversed(tenders)],
        counts={
            "tenders": len(tenders),
            "awards": len(awards),
            "contracts": len(contracts),
            "bidders": len(bid_in),
        },
        awards=awards,
        contracts=contracts,
        years=[
            BuyerYear(year=y, currency=c, **{f: values.get(f, 0) for f in fields})
            for (y, c), values in sorted(years.items(), reverse=True)
        ],
        bidders=[
            Competitor(party=party(s), tenders=n, wins=won[s], own_wins=0)
            for s, n in sorted(bid_in.items(), key=lambda i: (-i[1], -won[i[0]], i[0]))
        ],
        opened_tenders=opened,
        average_bidders=average,
        single_bid_share=single,
    )


def supplier_profile(supplier: Party, tenders: list[TenderFact], party: PartyOf) -> SupplierProfile:
    """A supplier's public record: opened bids, awards, contracts, rivals (never contacts)."""
    me = supplier.id
    bids = []
    rivals: Counter = Counter()
    rival_wins: Counter = Counter()
    my_wins_against: Counter = Counter()
    years: dict[tuple[int, str], dict[str, int]] = defaultdict(Counter)
    decided = wins = 0
    for tender in tenders:
        mine = [b for b in tender.bids if b.supplier_id == me]
        winners = {a.supplier_id for a in tender.awards}  # several on a tender with lots
        for bid in mine:
            outcome = "pending"
            if winners:
                outcome = "won" if me in winners else "lost"
            bids.append(
                BidRow(
                    tender_id=tender.id,
                    tender_title=tender.title,
                    buyer=party(tender.buyer_id),
                    opened_at=tender.opened_at,
                    price=bid.price,
                    currency=tender.currency,
                    status=bid.status,
                    rank=bid.rank,
                    outcome=outcome,
                )
            )
            if tender.opened_at:
                years[(tender.opened_at.year, tender.currency)]["bids"] += 1
        if not mine:
            continue
        if winners:
            decided += 1
            wins += me in winners
        for other in tender.bidders - {me}:
            rivals[other] += 1
            rival_wins[other] += other in winners
            my_wins_against[other] += me in winners
    awards = award_rows(tenders, party, supplier_id=me)
    contracts = contract_rows(tenders, party, supplier_id=me)
    for award in awards:
        year = years[(award.decided_at.year, award.currency)]
        year["wins"] += 1
        year["awarded_value"] += award.value
    for contract in contracts:
        year = years[(contract.signed_date.year, contract.currency)]
        year["contracts"] += 1
        year["contracted_value"] += contract.value
    fields = ("bids", "wins", "awarded_value", "contracts", "contracted_value")
    return SupplierProfile(
        supplier=supplier,
        bids=sorted(bids, key=lambda b: b.tender_id, reverse=True),
        awards=awards,
        contracts=contracts,
        years=[
            SupplierYear(year=y, currency=c, **{f: values.get(f, 0) for f in fields})
            for (y, c), values in sorted(years.items(), reverse=True)
        ],
        competitors=[
            Competitor(party=party(s), tenders=n, wins=rival_wins[s], own_wins=my_wins_against[s])
            for s, n in sorted(rivals.items(), key=lambda i: (-i[1], i[0]))
        ],
        counts={
            "bids": len(bids),
            "awards": len(awards),
            "contracts": len(contracts),
            "competitors": len(rivals),
        },
        decided_bids=decided,
        wins=wins,
        win_rate=round(wins / decided, 4) if decided else None,
    )


def supplier_list(
    suppliers: list[Party], tenders: list[TenderFact], currency: str
) -> list[SupplierListRow]:
    """Every registered supplier with its opened bids, wins and awarded value."""
    bids: Counter = Counter()
    wins: Counter = Counter()
    value: Counter = Counter()
    for tender in tenders:
        bids.update(tender.bidders)
        for award in tender.awards:
            wins[award.supplier_id] += 1
            value[award.supplier_id] += award.value
    rows = [
        SupplierListRow(
            supplier=s,
            bids=bids[s.id],
            wins=wins[s.id],
            awarded_value=value[s.id],
            currency=currency,
        )
        for s in suppliers
    ]
    return sorted(rows, key=lambda r: (-r.awarded_value, -r.bids, r.supplier.name))
