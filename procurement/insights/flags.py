"""Red flags evaluated on the platform's record: the rules of procurement.red_flags, applied."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping

from core.formatting import format_money
from procurement.insights import rules
from procurement.insights.facts import TenderFact
from procurement.insights.rules import N_
from procurement.insights.schemas import FlaggedTender, Party

PartyOf = Callable[[int], Party]
# code, tender, supplier id, measure: a catalogue message and its values (pages translate it)
Hit = tuple[str, TenderFact, int | None, tuple[str, dict[str, str]]]


def _money(minor: int, currency: str) -> str:
    """An amount in a flag's measure; measures are stored in English, without a locale."""
    return format_money(minor, currency, minor=True, locale="en")


def per_tender(tender: TenderFact) -> Iterator[Hit]:
    """The flags this tender raises on its own record, needing no other tender."""
    bidders = len(tender.bidders)
    if rules.single_bidder(method=tender.method, opened=tender.opened, bidders=bidders):
        only = next(iter(tender.bidders))
        yield "single-bidder", tender, only, (N_("1 bidder at the opening"), {})
    if rules.short_tender_period(
        method=tender.method, start=tender.tender_start_at, deadline=tender.tender_end_at
    ):
        days = (tender.tender_end_at - tender.tender_start_at).total_seconds() / 86400
        yield (
            "short-tender-period",
            tender,
            None,
            (N_("%(days)s days to bid"), {"days": f"{days:.1f}"}),
        )
    deadlines = rules.deadlines_in_force(tender.tender_end_at, tender.amendments)
    for number, ((made_at, _), deadline) in enumerate(
        zip(tender.amendments, deadlines, strict=True), start=1
    ):
        if rules.late_amendment(made_at=made_at, deadline=deadline):
            days = (deadline - made_at).total_seconds() / 86400
            yield (
                "late-amendment",
                tender,
                None,
                (
                    N_("amendment %(number)s published %(days)s days before the deadline"),
                    {"number": str(number), "days": f"{days:.1f}"},
                ),
            )
    award = tender.award
    if award is None:
        return
    valid = [b.price for b in tender.bids if b.status == "valid" and b.price is not None]
    if rules.not_lowest_price(winning_price=award.value, valid_prices=valid):
        yield (
            "not-lowest-price",
            tender,
            award.supplier_id,
            (
                N_("won at %(price)s; lowest valid bid %(lowest)s (best value)")
                if tender.award_criteria == "best_value"
                else N_("won at %(price)s; lowest valid bid %(lowest)s (lowest price)"),
                {
                    "price": _money(award.value, award.currency),
                    "lowest": _money(min(valid), award.currency),
                },
            ),
        )
    if rules.close_to_estimate(winning_price=award.value, estimate=tender.estimated_value):
        gap = (award.value - tender.estimated_value) / tender.estimated_value * 100
        yield (
            "close-to-estimate",
            tender,
            award.supplier_id,
            (
                N_("won at %(price)s, %(gap)s %% from the estimate of %(estimate)s"),
                {
                    "price": _money(award.value, award.currency),
                    "gap": f"{gap:+.2f}",
                    "estimate": _money(tender.estimated_value, tender.currency),
                },
            ),
        )
    for contract in tender.contracts:
        if rules.contract_increase(award_value=award.value, contract_value=contract.value):
            rise = (contract.value - award.value) / award.value * 100
            yield (
                "contract-increase",
                tender,
                award.supplier_id,
                (
                    N_("contract %(contract)s at %(value)s, %(rise)s %% on the award of %(award)s"),
                    {
                        "contract": str(contract.id),
                        "value": _money(contract.value, contract.currency),
                        "rise": f"{rise:+.1f}",
                        "award": _money(award.value, award.currency),
                    },
                ),
            )


def _supplier_share(tender: TenderFact, won: int, total: int, party: PartyOf) -> Hit:
    award = tender.award
    assert award is not None  # only awarded tenders are asked
    return (
        "supplier-share",
        tender,
        award.supplier_id,
        (
            N_("%(supplier)s holds %(won)s of the buyer's %(total)s awards"),
            {
                "supplier": party(award.supplier_id).name,
                "won": str(won),
                "total": str(total),
            },
        ),
    )


def _same_winner(tender: TenderFact, captive: Mapping[int, int], party: PartyOf) -> Iterator[Hit]:
    """Each bidder of this awarded tender that always lost to its winner, by supplier id."""
    assert tender.award is not None  # only awarded tenders are asked
    winner = tender.award.supplier_id
    for loser in sorted(tender.bidders):
        if captive.get(loser) == winner:
            yield (
                "same-winner",
                tender,
                loser,
                (
                    N_("%(loser)s lost every time to %(winner)s"),
                    {"loser": party(loser).name, "winner": party(winner).name},
                ),
            )


def _across_tenders(tenders: list[TenderFact], party: PartyOf) -> Iterator[Hit]:
    awarded = [(t, award) for t in tenders if (award := t.award) is not None]
    per_buyer: dict[int, Counter] = defaultdict(Counter)
    for tender, award in awarded:
        per_buyer[tender.buyer_id][award.supplier_id] += 1
    dominant = {buyer: rules.dominant_in(counts) for buyer, counts in per_buyer.items()}
    for tender, award in awarded:
        counts = per_buyer[tender.buyer_id]
        if award.supplier_id in dominant[tender.buyer_id]:
            yield _supplier_share(tender, counts[award.supplier_id], sum(counts.values()), party)
    captive = rules.captive_losers((award.supplier_id, t.bidders) for t, award in awarded)
    for tender, _award in awarded:
        yield from _same_winner(tender, captive, party)


def _flagged(hits: list[Hit], party: PartyOf) -> list[FlaggedTender]:
    order = {indicator.code: i for i, indicator in enumerate(rules.INDICATORS)}
    hits.sort(key=lambda hit: (order[hit[0]], hit[1].id))
    return [
        FlaggedTender(
            code=code,
            tender_id=tender.id,
            tender_title=tender.title,
            buyer=party(tender.buyer_id),
            supplier=party(supplier) if supplier is not None else None,
            measure=message % values,
            measure_message=message,
            measure_values=values,
        )
        for code, tender, supplier, (message, values) in hits
    ]


def evaluate(tenders: list[TenderFact], party: PartyOf) -> list[FlaggedTender]:
    """Every flag raised on these tenders, in indicator order, then by tender."""
    hits = [hit for tender in tenders for hit in per_tender(tender)]
    hits += list(_across_tenders(tenders, party))
    return _flagged(hits, party)


def evaluate_one(
    tender: TenderFact,
    *,
    buyer_awards: Mapping[int, int],
    captive: Mapping[int, int],
    party: PartyOf,
) -> list[FlaggedTender]:
    """The flags `evaluate` raises on this one tender, from what the others add up to.

    `buyer_awards` counts the awards of the tender's buyer per supplier (over every published
    tender with one live award); `captive` maps each of the tender's losing bidders that always
    lost to one winner to that winner.
    """
    hits = list(per_tender(tender))
    if tender.award is not None:
        if tender.award.supplier_id in rules.dominant_in(buyer_awards):
            hits.append(
                _supplier_share(
                    tender,
                    buyer_awards[tender.award.supplier_id],
                    sum(buyer_awards.values()),
                    party,
                )
            )
        hits += _same_winner(tender, captive, party)
    return _flagged(hits, party)
