"""Pure decisions of procurement: no I/O, no clock of their own."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Schedule:
    enquiry_end_at: datetime
    tender_start_at: datetime
    tender_end_at: datetime
    opening_at: datetime


def schedule_problems(schedule: Schedule, *, now: datetime, min_tender_days: int) -> list[str]:
    """Why a tender's dates cannot be published as they are (empty when they can)."""
    problems = []
    if schedule.tender_end_at <= now:
        problems.append("the bid deadline (tender_end_at) must be in the future")
    if schedule.tender_start_at >= schedule.tender_end_at:
        problems.append("the tender period must start before the bid deadline")
    if not schedule.tender_start_at <= schedule.enquiry_end_at <= schedule.tender_end_at:
        problems.append("the enquiry period must end within the tender period")
    if schedule.opening_at < schedule.tender_end_at:
        problems.append("the opening (opening_at) must be at or after the bid deadline")
    start = max(schedule.tender_start_at, now)
    if schedule.tender_end_at - start < timedelta(days=min_tender_days):
        problems.append(
            f"bidders must have at least {min_tender_days} days from publication to the deadline"
        )
    return problems


def bid_on_time(*, now: datetime, deadline: datetime) -> bool:
    """A bid counts while server time is before the deadline; from the deadline on, it does not."""
    return now < deadline


def question_on_time(*, now: datetime, enquiry_end_at: datetime) -> bool:
    """Questions are taken until the end of the enquiry period."""
    return now < enquiry_end_at


def extension_needed(
    *, now: datetime, deadline: datetime, min_days_after_amendment: int
) -> datetime | None:
    """The earliest deadline an amendment made now must set, or None when none is needed."""
    earliest = now + timedelta(days=min_days_after_amendment)
    return earliest if deadline < earliest else None


def criteria_problems(weights: Sequence[int]) -> list[str]:
    """Best-value criteria need positive weights that sum to 100."""
    if not weights:
        return ["best value needs at least one weighted criterion"]
    if any(w <= 0 for w in weights):
        return ["every criterion needs a positive weight"]
    if sum(weights) != 100:
        return [f"criterion weights must sum to 100, not {sum(weights)}"]
    return []


@dataclass(frozen=True)
class RankedBid:
    bid_id: int
    price: int
    submitted_at: datetime


def rank_by_price(bids: Sequence[RankedBid]) -> list[int]:
    """Bid ids from lowest price; ties go to the earlier submission."""
    return [b.bid_id for b in sorted(bids, key=lambda b: (b.price, b.submitted_at, b.bid_id))]


def lots_problems(*, lot_count: int, item_lots: Sequence[int | None]) -> list[str]:
    """Items of a lotted tender each name an existing lot; without lots, none may."""
    problems = []
    for position, lot in enumerate(item_lots, start=1):
        if lot_count == 0 and lot is not None:
            problems.append(f"item {position} names lot {lot}, but the tender has no lots")
        elif lot_count and lot is None:
            problems.append(f"item {position} must belong to a lot (1 to {lot_count})")
        elif lot is not None and not 1 <= lot <= lot_count:
            problems.append(f"item {position} names lot {lot}; the lots are 1 to {lot_count}")
    return problems


def lot_prices_problem(
    prices: Sequence[tuple[int, int]], *, lot_count: int, total: int
) -> str | None:
    """Why a bid's (lot, amount) prices do not fit the tender's lots, or None."""
    if lot_count == 0:
        return "this tender has no lots: leave lot_prices out" if prices else None
    if not prices:
        return "this tender has lots: give a price for at least one lot"
    numbers = [lot for lot, _ in prices]
    if len(set(numbers)) != len(numbers):
        return "give each lot at most one price"
    unknown = sorted(n for n in numbers if not 1 <= n <= lot_count)
    if unknown:
        return f"there is no lot {unknown[0]}; the lots are 1 to {lot_count}"
    if any(amount <= 0 for _, amount in prices):
        return "every lot price must be above zero"
    if sum(amount for _, amount in prices) != total:
        return "the total price must be the sum of the lot prices"
    return None


def weighted_total(weights: Sequence[int], scores: Sequence[int]) -> int:
    """A best-value total in hundredths of a point: sum of weight x score (weights sum to 100)."""
    return sum(w * s for w, s in zip(weights, scores, strict=True))


@dataclass(frozen=True)
class ScoredBid:
    bid_id: int
    total: int  # weighted_total
    price: int


def rank_by_score(bids: Sequence[ScoredBid]) -> list[int]:
    """Bid ids from the highest weighted total; ties go to the lower price, then the older bid."""
    return [b.bid_id for b in sorted(bids, key=lambda b: (-b.total, b.price, b.bid_id))]


def score_problem(text: str) -> str | None:
    """Why a typed score is not a whole number from 0 to 100, or None."""
    value = text.strip()
    if not value:
        return "give a score from 0 to 100"
    if not value.isdigit() or not 0 <= int(value) <= 100:
        return "a score is a whole number from 0 to 100"
    return None


def standstill_end(*, decided_at: datetime, days: int) -> datetime:
    """When the award becomes final if no complaint is pending."""
    return decided_at + timedelta(days=days)


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
    """Why a bid's picks are not valid (two different numbers from 1 to 15), or None."""
    if len(picks) != PICKS_PER_BID or len(set(picks)) != PICKS_PER_BID:
        return f"pick exactly {PICKS_PER_BID} different reserve-price numbers"
    if any(not 1 <= n <= CANDIDATES for n in picks):
        return f"reserve-price numbers run from 1 to {CANDIDATES}"
    return None


def within_reserve(price: int, *, reserve: int, floor_rate_bp: int | None) -> str | None:
    """Why a price cannot win against the reserve (above it, or under the floor), or None."""
    if price > reserve:
        return "above the reserve price"
    if floor_rate_bp is not None and price * 10_000 < reserve * floor_rate_bp:
        return f"below the floor of {floor_rate_bp / 100:.2f}% of the reserve price"
    return None
