"""Requests about awards: the award, disqualification and complaints."""

from __future__ import annotations

from pydantic import BaseModel, Field

from procurement.awards.models import AwardStatus
from procurement.bids.models import BidStatus


class AwardIn(BaseModel):
    lot: int | None = Field(default=None, ge=1, description="the lot awarded, on lotted tenders")
    justification: str = Field(default="", max_length=10_000)
    scores: dict[int, list[int]] = Field(
        default_factory=dict, description="best value: bid id -> a score 0-100 per criterion"
    )
    notes: dict[int, list[str]] = Field(
        default_factory=dict,
        description="best value: bid id -> the committee's justification of each score",
    )


class DisqualifyIn(BaseModel):
    reason: str = Field(min_length=5, max_length=5_000)


class ComplaintIn(BaseModel):
    text: str = Field(min_length=10, max_length=20_000)


class ComplaintAnswerIn(BaseModel):
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
