"""Real concurrency on a real database: double clicks and a burst straddling the deadline."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from core.auth.models import Role, User
from core.clock import system_clock
from core.db import make_engine
from core.errors import DomainError
from procurement.bids import opening
from procurement.bids import service as bidding
from procurement.bids.models import Bid, BidStatus
from procurement.bids.schemas import BidIn, PriceIn, SupplierIn
from procurement.bids.sequencer import Sequencer
from procurement.tenders import service as tender_service
from procurement.tenders.schemas import TenderDraftIn
from prongsai import schema
from tests import factories


@pytest.fixture
def world(fresh_database, tmp_path):
    from core.settings import Settings

    schema.upgrade(fresh_database)
    engine = (
        make_engine(fresh_database, pool_size=20)
        if fresh_database.startswith("postgresql")
        else make_engine(fresh_database)
    )
    settings = Settings(
        data_dir=tmp_path,
        database_url=fresh_database,
        secret_key="k" * 32,
        procurement_min_tender_days=0,
    )
    yield engine, settings
    engine.dispose()


def _setup(engine, settings, *, deadline_in: timedelta, suppliers: int):
    """Suppliers first (password hashing is slow), then a tender closing `deadline_in` later."""
    with Session(engine) as session:
        users = []
        for _ in range(suppliers):
            user = factories.user(session, role=Role.SUPPLIER, now=system_clock())
            bidding.register_supplier(
                session,
                user=user,
                now=system_clock(),
                details=SupplierIn(
                    address="1 Silom Road, Bangkok",
                    contact_name="K. Test",
                    contact_email="k@test.example",
                    contact_phone="+66 2 000 0000",
                ),
            )
            users.append(user.id)
        buyer = factories.user(session, role=Role.BUYER, now=system_clock())
        now = system_clock()
        deadline = now + deadline_in
        draft = TenderDraftIn(
            title="Burst tender",
            description="Deadline burst",
            category="goods",
            estimated_value=1_000_000,
            enquiry_end_at=now + timedelta(milliseconds=100),
            tender_start_at=now,
            tender_end_at=deadline,
            opening_at=deadline,
            items=[{"description": "Paper", "quantity": "1", "unit": "box"}],
        )
        tender = tender_service.create_draft(session, buyer=buyer, draft=draft, now=now)
        tender_service.publish(
            session, buyer=buyer, tender_id=tender.id, now=now, settings=settings
        )
        return tender.id, users, deadline


def _bid(amount):
    return BidIn(price=PriceIn(amount=amount, currency="THB"), declaration=True)


def test_double_clicks_with_one_idempotency_key_make_one_bid(world):
    engine, settings = world
    tender_id, (user_id,), _ = _setup(engine, settings, deadline_in=timedelta(hours=1), suppliers=1)
    outcomes = []

    def click():
        with Session(engine) as session:
            user = session.get(User, user_id)
            try:
                receipt = bidding.submit_bid(
                    session,
                    user=user,
                    tender_id=tender_id,
                    bid=_bid(700),
                    clock=system_clock,
                    settings=settings,
                    idempotency_key="dbl",
                )
                outcomes.append(receipt.bid_id)
            except DomainError as error:
                outcomes.append(error.status_code)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Session(engine) as session:
        bids = session.exec(select(Bid)).all()
    assert len(bids) == 1
    assert all(o in (bids[0].id, 409) for o in outcomes)


def test_a_burst_straddling_the_deadline_keeps_exactly_the_bids_acknowledged_before_it(world):
    """Through the sequencer, as the server records bids: batches never blur the deadline."""
    engine, settings = world
    tender_id, users, deadline = _setup(
        engine, settings, deadline_in=timedelta(seconds=2), suppliers=24
    )
    acknowledged, refused = {}, []
    lock = threading.Lock()
    sequencer = Sequencer(
        lambda: Session(engine), clock=system_clock, settings=settings, signer=None
    )

    def submit(user_id, amount, at):
        time.sleep(max(0.0, (at - system_clock()).total_seconds()))
        with Session(engine) as session:
            user = session.get(User, user_id)
            try:
                receipt = bidding.submit_bid(
                    session,
                    user=user,
                    tender_id=tender_id,
                    bid=_bid(amount),
                    clock=system_clock,
                    settings=settings,
                    sequencer=sequencer,
                )
                with lock:
                    acknowledged[receipt.bid_id] = receipt.server_time
            except DomainError as error:
                with lock:
                    refused.append(error.message)

    # One bid every 50 ms, from 600 ms before the deadline to 550 ms after it: those sent
    # after the deadline are refused whatever the load; the early ones have time to land.
    threads = [
        threading.Thread(
            target=submit, args=(user, 1000 + i, deadline - timedelta(milliseconds=600 - 50 * i))
        )
        for i, user in enumerate(users)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert acknowledged, "the burst must straddle the deadline"
    assert refused, "the burst must straddle the deadline"
    assert all(at < deadline for at in acknowledged.values())
    assert all("deadline" in message for message in refused)
    with Session(engine) as session:
        tender = opening.open_tender(
            session, tender_id=tender_id, now=datetime.now(UTC), settings=settings
        )
        opened = session.exec(select(Bid).where(Bid.tender_id == tender.id)).all()
    assert {b.id for b in opened} == set(acknowledged)
    assert all(b.status == BidStatus.VALID for b in opened)
