"""Pure decisions about awards: weighted scores, ranking by score and the standstill."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


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
