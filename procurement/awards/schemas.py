"""Requests about awards: the award, disqualification and complaints."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.types import BigInt, Id, Input
from procurement.awards.models import AwardStatus
from procurement.bids.models import BidStatus


class AwardIn(Input):
    lot: int | None = Field(
        default=None, ge=1, le=50, description="the lot awarded, on lotted tenders"
    )
    justification: str = Field(default="", max_length=10_000)
    scores: dict[Id, list[BigInt]] = Field(
        max_length=1_000,
        default_factory=dict,
        description="best value: bid id -> a score 0-100 per criterion",
    )
    notes: dict[Id, list[str]] = Field(
        max_length=1_000,
        default_factory=dict,
        description="best value: bid id -> the committee's justification of each score",
    )


class DisqualifyIn(Input):
    reason: str = Field(min_length=5, max_length=5_000)


class ComplaintIn(Input):
    text: str = Field(min_length=10, max_length=20_000)


class ComplaintAnswerIn(Input):
    response: str = Field(min_length=5, max_length=20_000)


class DisqualifiedBid(BaseModel):
    """A bid's standing after a disqualification, with the public reason."""

    bid_id: int
    status: BidStatus
    reason: str | None


class AwardState(BaseModel):
    """Where an award stands."""

    award_id: int
    status: AwardStatus
