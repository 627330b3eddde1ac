"""Building blocks of the procurement demo: its users, drafts, publications, bids and the
three-lot tender."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from core.auth import service as auth_service
from core.clock import FrozenClock
from core.db import stored_id
from procurement.awards import service as awarding
from procurement.awards.schemas import AwardIn
from procurement.bids import opening
from procurement.bids import service as bidding
from procurement.bids.schemas import BidIn, LotPriceIn, PriceIn
from procurement.contracts.schemas import ContractIn
from procurement.tenders import service as tender_service
from procurement.tenders.models import AwardCriteria, Tender
from procurement.tenders.schemas import ItemIn, LotIn, TenderDraftIn

DAY = timedelta(days=1)


HOUR = timedelta(hours=1)


def demo_user(session: Session, email: str):
    user = auth_service.get_user_by_email(session, email=email)
    if user is None:
        raise RuntimeError(f"demo user {email} is missing: load the accounts first")
    return user


def exists(session: Session, buyer, title: str) -> bool:
    query = select(Tender.id).where(Tender.buyer_id == buyer.organisation_id, Tender.title == title)
    return session.exec(query).first() is not None


def make_draft(title, description, category, baht, items, *, start, days, criteria=None):
    return TenderDraftIn(
        title=title,
        description=description,
        category=category,
        estimated_value=baht * 100,
        award_criteria=AwardCriteria.BEST_VALUE if criteria else AwardCriteria.LOWEST_PRICE,
        criteria=criteria or [],
        eligibility="Thai juristic persons registered in the e-GP supplier register, "
        "not on the list of abandoned-work contractors.",
        standstill_days=7,
        enquiry_end_at=start + days * DAY / 2,
        tender_start_at=start,
        tender_end_at=start + days * DAY,
        opening_at=start + days * DAY + HOUR,
        items=[ItemIn(description=d, quantity=q, unit=u) for d, q, u in items],
    )


def publish(session, settings, buyer, draft: TenderDraftIn, *, at: datetime) -> Tender:
    made = tender_service.create_draft(session, buyer=buyer, draft=draft, now=at)
    return tender_service.publish(
        session, buyer=buyer, tender_id=stored_id(made), now=at, settings=settings
    )


def bid(session, settings, email: str, tender: Tender, baht: int, *, at: datetime):
    bid = BidIn(price=PriceIn(amount=baht * 100, currency="THB"), declaration=True)
    return bidding.submit_bid(
        session,
        user=demo_user(session, email),
        tender_id=stored_id(tender),
        bid=bid,
        clock=FrozenClock(at),
        settings=settings,
    )


def lotted_tender(session, settings, buyer, title: str, *, now: datetime) -> None:
    """Three lots, bid on lot by lot, opened, each lot awarded; lot 1 is contracted."""
    draft = make_draft(
        title,
        "Diagnostic and monitoring equipment for the new emergency building, bought "
        "in three lots: suppliers may bid on one, two or all three.",
        "goods",
        41_000_000,
        [
            ("Ultrasound system with 3 probes", "4", "unit"),
            ("Bedside patient monitor, 5 parameters", "60", "unit"),
            ("Central monitoring station", "2", "unit"),
            ("Volumetric infusion pump", "120", "unit"),
        ],
        start=now - 60 * DAY,
        days=14,
    )
    draft.lots = [
        LotIn(
            title="Ultrasound systems",
            description="Four cart-based ultrasound systems.",
            estimated_value=14_000_000 * 100,
        ),
        LotIn(
            title="Patient monitoring",
            description="Bedside monitors and two central stations, networked.",
            estimated_value=18_000_000 * 100,
        ),
        LotIn(
            title="Infusion pumps",
            description="Volumetric infusion pumps with drug library.",
            estimated_value=9_000_000 * 100,
        ),
    ]
    for item, lot in zip(draft.items, (1, 2, 2, 3), strict=True):
        item.lot = lot
    tender = publish(session, settings, buyer, draft, at=now - 60 * DAY)
    for email, lots, at in (
        ("bids@lanna-medical.example", {1: 13_250_000, 2: 17_400_000, 3: 8_650_000}, 50),
        ("bids@chaophraya-it.example", {2: 16_980_000}, 49),
        ("bids@siam-civil.example", {1: 13_600_000, 3: 8_420_000}, 48),
    ):
        bid = BidIn(
            price=PriceIn(amount=sum(lots.values()) * 100, currency="THB"),
            declaration=True,
            lot_prices=[LotPriceIn(lot=n, amount=baht * 100) for n, baht in lots.items()],
        )
        bidding.submit_bid(
            session,
            user=demo_user(session, email),
            tender_id=stored_id(tender),
            bid=bid,
            clock=FrozenClock(now - at * DAY),
            settings=settings,
        )
    opening.open_tender(
        session, tender_id=stored_id(tender), now=tender.opening_at, settings=settings
    )
    awards = [
        awarding.award(
            session,
            buyer=buyer,
            tender_id=stored_id(tender),
            now=now - 40 * DAY,
            settings=settings,
            decision=AwardIn(lot=lot, justification=f"Lowest valid price on lot {lot}."),
        )
        for lot in (1, 2, 3)
    ]
    for award in awards:
        awarding.finalise_award(
            session, award_id=stored_id(award), now=now - 32 * DAY, settings=settings
        )
    signed = (now - 30 * DAY).date()
    awarding.sign_contract(
        session,
        buyer=buyer,
        award_id=stored_id(awards[0]),
        now=now - 30 * DAY,
        settings=settings,
        contract=ContractIn(
            value=awards[0].value,
            signed_date=signed,
            start_date=signed + timedelta(days=14),
            end_date=signed + timedelta(days=120),
        ),
    )
