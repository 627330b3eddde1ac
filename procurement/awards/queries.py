"""Reads of awards for the routes: a complaint, a disqualified bid, an award's state."""

from __future__ import annotations

from sqlmodel import Session

from core.db import stored_id
from core.errors import NotFound
from core.i18n import gettext
from procurement.awards.models import Award, Complaint
from procurement.awards.schemas import AwardState, DisqualifiedBid
from procurement.bids.models import Bid
from procurement.public.queries import org_ref
from procurement.public.schemas import ComplaintView


def complaint_view(session: Session, *, complaint_id: int) -> ComplaintView:
    """A complaint as the public sees it, with the complainant's name."""
    c = session.get(Complaint, complaint_id)
    if c is None:
        raise NotFound(
            gettext("There is no complaint %(complaint)s.") % {"complaint": complaint_id}
        )
    return ComplaintView(
        id=stored_id(c),
        complainant=org_ref(session, c.complainant_id),
        text=c.text,
        lodged_at=c.lodged_at,
        response=c.response,
        responded_at=c.responded_at,
    )


def disqualified_bid(session: Session, *, bid_id: int) -> DisqualifiedBid:
    """A bid's status and the reason it was disqualified (never its price)."""
    bid = session.get(Bid, bid_id)
    if bid is None:
        raise NotFound(gettext("There is no bid %(bid)s.") % {"bid": bid_id})
    return DisqualifiedBid(bid_id=stored_id(bid), status=bid.status, reason=bid.problem)


def award_state(session: Session, *, award_id: int) -> AwardState:
    """An award's status."""
    award = session.get(Award, award_id)
    if award is None:
        raise NotFound(gettext("There is no award %(award)s.") % {"award": award_id})
    return AwardState(award_id=stored_id(award), status=award.status)
