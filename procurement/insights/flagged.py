"""Red flags read from the aggregates: one page of flagged tenders, never every tender.

A tender's own flags (single bidder, short period, late amendment, not the lowest price, close
to the estimate, contract increase) were stored with it by the refresh; the two that compare
tenders are found from the running totals: a supplier's share of a buyer's one-award tenders
(pair and buyer totals) and a bidder that always lost to one winner (its outcome totals).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from procurement.bids.models import Bid
from procurement.insights import rules
from procurement.insights.aggregates import Kept
from procurement.insights.facts import OPENED_BIDS
from procurement.insights.flags import N_
from procurement.insights.models import InsightFlag, InsightSum, InsightTender
from procurement.insights.schemas import FlaggedTender, Party
from procurement.insights.summaries import parties, sums
from procurement.tenders.models import Tender

CROSS = frozenset({"supplier-share", "same-winner"})
NAMED = frozenset({"supplier", "loser", "winner"})  # the cross flags' values naming suppliers
ORDER = {indicator.code: i for i, indicator in enumerate(rules.INDICATORS)}
SHARE = N_("%(supplier)s holds %(won)s of the buyer's %(total)s awards")
CAPTIVE = N_("%(loser)s lost every time to %(winner)s")
# (tender id, supplier id, message, values) before the names are filled in
Hit = tuple[int, int | None, str, dict[str, str]]


def dominant_pairs(session: Session, year: int | None) -> list[tuple[int, int, int, int]]:
    """(buyer, supplier, won, buyer's total) where the supplier holds the buyer's share."""
    buyer, pair = aliased(InsightSum), aliased(InsightSum)
    rows = session.exec(
        select(pair.k1, pair.k2, pair.n1, buyer.n4)
        .join(
            pair,
            sa.and_(
                col(pair.kind) == "pair",
                col(pair.year) == col(buyer.year),
                col(pair.k1) == col(buyer.k1),
                col(pair.n1) >= (col(buyer.n4) + 1) // 2,
            ),
        )
        .where(
            buyer.kind == "buyer",
            buyer.year == (year or 0),
            buyer.n4 >= rules.SUPPLIER_SHARE_MIN_AWARDS,
        )
    )
    return sorted((b, s, won, total) for b, s, won, total in rows if rules.dominant(won, total))


def captives(session: Session, year: int | None) -> dict[int, int]:
    """Loser -> the one winner it always lost to, in the period."""
    rows = sums(
        session,
        "outcome",
        year,
        InsightSum.n1 == 0,
        InsightSum.n2 >= rules.SAME_WINNER_MIN_LOSSES,
    )
    return {
        r.k1: r.n3 // r.n2
        for r in rows
        if r.n2 * r.n4 == r.n3 * r.n3
        and rules.always_loses_to_one(ever_won=False, losses=r.n2, winners=1)
    }


def _in(year: int | None):
    return (InsightTender.year == year,) if year else ()


def _share_hits(session: Session, year: int | None, after: int, limit: int | None) -> list[Hit]:
    hits: list[Hit] = []
    for buyer, supplier, won, total in dominant_pairs(session, year):
        query = select(InsightTender.tender_id).where(
            InsightTender.buyer_id == buyer,
            InsightTender.winner_id == supplier,
            InsightTender.tender_id > after,
            *_in(year),
        )
        if limit is not None:
            query = query.order_by(col(InsightTender.tender_id)).limit(limit + 1)
        values = {"supplier": str(supplier), "won": str(won), "total": str(total)}
        hits += [(t, supplier, SHARE, values) for t in session.exec(query)]
    return hits


def _captive_hits(session: Session, year: int | None, after: int) -> list[Hit]:
    hits: list[Hit] = []
    for loser, winner in sorted(captives(session, year).items()):
        tenders = session.exec(
            select(InsightTender.tender_id)
            .join(Bid, col(Bid.tender_id) == InsightTender.tender_id)
            .where(
                Bid.supplier_id == loser,
                col(Bid.status).in_(OPENED_BIDS),
                InsightTender.winner_id == winner,
                InsightTender.tender_id > after,
                *_in(year),
            )
            .distinct()
        )
        values = {"loser": str(loser), "winner": str(winner)}
        hits += [(t, loser, CAPTIVE, values) for t in tenders]
    return hits


def _own_hits(session: Session, code: str, year: int | None, after: int, limit: int | None):
    first = select(InsightFlag.tender_id).where(
        InsightFlag.code == code, InsightFlag.tender_id > after
    )
    if year:
        first = first.where(InsightFlag.year == year)
    first = first.distinct().order_by(col(InsightFlag.tender_id))
    if limit is not None:
        first = first.limit(limit + 1)
    ids = list(session.exec(first))
    if not ids:
        return []
    rows = session.exec(
        select(InsightFlag)
        .where(InsightFlag.code == code, col(InsightFlag.tender_id).in_(ids))
        .order_by(col(InsightFlag.tender_id), col(InsightFlag.seq))
    )
    return [(r.tender_id, r.supplier_id, r.message, json.loads(r.values_json)) for r in rows]


def _named(values: dict[str, str], name: Callable[[int], Party]) -> dict[str, str]:
    """The cross flags' measures name suppliers: their ids are filled in with names here."""
    return {
        k: name(int(v)).name if k in {"supplier", "loser", "winner"} else v
        for k, v in values.items()
    }


def _flagged(session: Session, code: str, hits: list[Hit]) -> list[FlaggedTender]:
    ids = sorted({t for t, *_ in hits})
    tenders: dict[int, tuple[str, int]] = {
        tender_id: (title, buyer_id)
        for tender_id, title, buyer_id in session.execute(
            sa.select(col(Tender.id), col(Tender.title), col(Tender.buyer_id)).where(
                col(Tender.id).in_(ids)
            )
        )
    }
    suppliers = {s for _, s, _, _ in hits if s is not None}
    named = {
        int(v)
        for *_, values in hits
        for k, v in values.items()
        if k in {"supplier", "loser", "winner"} and code in CROSS
    }
    name = parties(session, {buyer for _, buyer in tenders.values()} | suppliers | named)
    flagged = []
    for tender_id, supplier, message, values in hits:
        title, buyer = tenders[tender_id]
        shown = _named(values, name) if code in CROSS else values
        flagged.append(
            FlaggedTender(
                code=code,
                tender_id=tender_id,
                tender_title=title,
                buyer=name(buyer),
                supplier=name(supplier) if supplier is not None else None,
                measure=message % shown,
                measure_message=message,
                measure_values=shown,
            )
        )
    return flagged


def flagged(
    session: Session, code: str, year: int | None, *, after: int = 0, limit: int | None = None
) -> tuple[list[FlaggedTender], int | None]:
    """The flags `code` raises on tenders after `after`, by tender: `limit` tenders' worth (all
    when None), and the last tender id shown when there are more."""
    if code == "supplier-share":
        hits = _share_hits(session, year, after, limit)
    elif code == "same-winner":
        hits = _captive_hits(session, year, after)
    else:
        hits = _own_hits(session, code, year, after, limit)
    hits.sort(key=lambda h: (h[0], h[1] or 0))
    more = None
    if limit is not None:
        ids = sorted({t for t, *_ in hits})
        if len(ids) > limit:
            more = ids[limit - 1]
            hits = [h for h in hits if h[0] <= more]
    return _flagged(session, code, hits), more


def counts(session: Session, year: int | None) -> dict[str, int]:
    """How many tenders each indicator flags in the period."""
    found = {r.k3: r.n1 for r in sums(session, "flag", year, InsightSum.n1 > 0)}
    for code in CROSS:
        found[code] = count(session, code, year)
    return found


def count(session: Session, code: str, year: int | None) -> int:
    """How many tenders one indicator flags in the period."""
    if code == "supplier-share":
        return sum(won for _, _, won, _ in dominant_pairs(session, year))
    if code == "same-winner":
        return len({t for t, *_ in _captive_hits(session, year, 0)})
    rows = sums(session, "flag", year, InsightSum.k3 == code)
    return rows[0].n1 if rows else 0


def tender_flags(session: Session, tender_id: int) -> list[FlaggedTender]:
    """The flags raised on one tender: its own, kept with it, and its share of the totals."""
    row = session.get(InsightTender, tender_id)
    if row is None:
        return []
    kept = Kept.loads(row.kept)
    by_code: dict[str, list[Hit]] = {}
    for own in session.exec(
        select(InsightFlag).where(InsightFlag.tender_id == tender_id).order_by(col(InsightFlag.seq))
    ):
        by_code.setdefault(own.code, []).append(
            (tender_id, own.supplier_id, own.message, json.loads(own.values_json))
        )
    if (winner := kept.winner) is not None:
        won = {
            s.k2: s.n1
            for s in sums(
                session, "pair", None, InsightSum.k1 == kept.buyer, InsightSum.k2 == winner
            )
        }
        total = {s.k1: s.n4 for s in sums(session, "buyer", None, InsightSum.k1 == kept.buyer)}
        if rules.dominant(won.get(winner, 0), total.get(kept.buyer, 0)):
            values = {
                "supplier": str(winner),
                "won": str(won[winner]),
                "total": str(total[kept.buyer]),
            }
            by_code["supplier-share"] = [(tender_id, winner, SHARE, values)]
        losers = [b for b in kept.bidders if b != winner]
        outcome = {r.k1: r for r in sums(session, "outcome", None, col(InsightSum.k1).in_(losers))}
        captive: list[Hit] = [
            (tender_id, loser, CAPTIVE, {"loser": str(loser), "winner": str(winner)})
            for loser in losers
            if (r := outcome.get(loser)) is not None
            and r.n1 == 0
            and r.n2 * r.n4 == r.n3 * r.n3
            and r.n2
            and r.n3 // r.n2 == winner
            and rules.always_loses_to_one(ever_won=False, losses=r.n2, winners=1)
        ]
        if captive:
            by_code["same-winner"] = captive
    result = []
    for code in sorted(by_code, key=ORDER.__getitem__):
        result += _flagged(session, code, by_code[code])
    return result
