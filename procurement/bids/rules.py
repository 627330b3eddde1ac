"""Pure decisions about bids: ranking by price, lot prices and the reserve price draw."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.i18n import N_, Translatable
from core.types import MAX_MONEY


@dataclass(frozen=True)
class RankedBid:
    bid_id: int
    price: int
    submitted_at: datetime


def rank_by_price(bids: Sequence[RankedBid]) -> list[int]:
    """Bid ids from lowest price; ties go to the earlier submission."""
    return [b.bid_id for b in sorted(bids, key=lambda b: (b.price, b.submitted_at, b.bid_id))]


def amount_problem(amount: object) -> str | None:
    """Why a price is not a whole amount the books can hold (1 to MAX_MONEY minor units)."""
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_MONEY:
        return Translatable(
            N_("a price must be a whole number of minor units from 1 to %(most)s"),
            most=f"{MAX_MONEY:,}",
        )
    return None


def item_prices_problem(prices: Sequence[int], *, item_count: int) -> str | None:
    """Why a bid's unit prices do not fit the tender's items, or None."""
    if len(prices) > item_count:
        return Translatable(
            N_("the tender has %(count)s items: give at most one unit price per item"),
            count=item_count,
        )
    return None


def lot_prices_problem(
    prices: Sequence[tuple[int, int]], *, lot_count: int, total: int
) -> str | None:
    """Why a bid's (lot, amount) prices do not fit the tender's lots, or None."""
    if lot_count == 0:
        return Translatable(N_("this tender has no lots: leave lot_prices out")) if prices else None
    if not prices:
        return Translatable(N_("this tender has lots: give a price for at least one lot"))
    numbers = [lot for lot, _ in prices]
    if len(set(numbers)) != len(numbers):
        return Translatable(N_("give each lot at most one price"))
    unknown = sorted(n for n in numbers if not 1 <= n <= lot_count)
    if unknown:
        return Translatable(
            N_("there is no lot %(lot)s; the lots are 1 to %(count)s"),
            lot=unknown[0],
            count=lot_count,
        )
    if any(amount <= 0 for _, amount in prices):
        return Translatable(N_("every lot price must be above zero"))
    if any(amount_problem(amount) for _, amount in prices):
        return amount_problem(next(a for _, a in prices if amount_problem(a)))
    if sum(amount for _, amount in prices) != total:
        return Translatable(N_("the total price must be the sum of the lot prices"))
    return None


# --- KONEPS multiple reserve prices -----------------------------------------------------------
# The buyer publishes a base amount and a range; 15 candidate prices are drawn, one in each of
# 15 equal intervals of the range, from a random seed committed (SHA-256) at publication and
# revealed at the opening. Each bidder picks 2 candidates (sealed in the bid); the 4 most
# picked are averaged into the reserve price. Anyone can recompute all of it from the log.
CANDIDATES = 15


PICKS_PER_BID = 2


CHOSEN = 4


def reserve_candidates(seed: bytes, *, base: int, range_bp: int) -> list[int]:
    """The 15 candidate prices (minor units), one drawn in each interval of base ± range."""
    spread = base * range_bp // 10_000
    low, span = base - spread, 2 * spread
    candidates = []
    for i in range(CANDIDATES):
        start = low + span * i // CANDIDATES
        width = low + span * (i + 1) // CANDIDATES - start
        draw = int.from_bytes(hmac.new(seed, str(i).encode(), hashlib.sha256).digest(), "big")
        candidates.append(start + (draw % width if width else 0))
    return candidates


def chosen_candidates(picks: Sequence[Sequence[int]]) -> list[int]:
    """The 1-based numbers of the 4 most picked candidates (ties: the lower number)."""
    counts = dict.fromkeys(range(1, CANDIDATES + 1), 0)
    for bid_picks in picks:
        for number in bid_picks:
            counts[number] += 1
    return sorted(sorted(counts, key=lambda n: (-counts[n], n))[:CHOSEN])


def reserve_price(candidates: Sequence[int], chosen: Sequence[int]) -> int:
    """The mean of the chosen candidates, rounded half up to a minor unit."""
    total = sum(candidates[n - 1] for n in chosen)
    return (2 * total + len(chosen)) // (2 * len(chosen))


def picks_problem(picks: Sequence[int]) -> str | None:
    """Why a bid's picks are not valid (two different numbers from 1 to 15), or None. A bid
    sealed off the server was never validated: its picks may be anything JSON holds."""
    if not isinstance(picks, list | tuple) or any(not isinstance(n, int | float) for n in picks):
        return Translatable(N_("reserve-price numbers run from 1 to %(last)s"), last=CANDIDATES)
    if len(picks) != PICKS_PER_BID or len(set(picks)) != PICKS_PER_BID:
        return Translatable(
            N_("pick exactly %(count)s different reserve-price numbers"), count=PICKS_PER_BID
        )
    # Membership, not a comparison: 1.5 lies between 1 and 15 but is no candidate's number.
    if any(n not in range(1, CANDIDATES + 1) for n in picks):
        return Translatable(N_("reserve-price numbers run from 1 to %(last)s"), last=CANDIDATES)
    return None


def within_reserve(price: int, *, reserve: int, floor_rate_bp: int | None) -> str | None:
    """Why a price cannot win against the reserve (above it, or under the floor), or None."""
    if price > reserve:
        return Translatable(N_("above the reserve price"))
    if floor_rate_bp is not None and price * 10_000 < reserve * floor_rate_bp:
        return Translatable(
            N_("below the floor of %(rate)s%% of the reserve price"),
            rate=f"{floor_rate_bp / 100:.2f}",
        )
    return None
