"""Concurrent openers on a real database: the bids are opened once, in one transaction."""

import threading
from datetime import timedelta

from sqlmodel import Session, col, func, select

from core.auth.models import User
from core.ledger.models import LedgerEntry
from procurement.bids import opening
from procurement.bids import service as bidding
from procurement.bids.models import Bid, BidStatus
from procurement.publishing.models import Notification, Release
from procurement.tenders.models import Tender, TenderStatus
from tests.procurement.test_concurrency import _bid, _setup, world  # noqa: F401 (fixture)


def test_four_openers_at_once_open_the_bids_exactly_once(world):  # noqa: F811
    engine, settings = world
    tender_id, users, deadline = _setup(
        engine, settings, deadline_in=timedelta(days=1), suppliers=6
    )
    before = deadline - timedelta(hours=1)
    for n, user_id in enumerate(users):
        with Session(engine) as session:
            bidding.submit_bid(
                session,
                user=session.get_one(User, user_id),
                tender_id=tender_id,
                bid=_bid(5000 - 100 * n),
                clock=lambda: before,
                settings=settings,
            )
    barrier, failures = threading.Barrier(4), []

    def open_it(n: int) -> None:
        barrier.wait()
        try:
            with Session(engine) as session:
                opening.open_tender(
                    session,
                    tender_id=tender_id,
                    now=deadline + timedelta(seconds=n),
                    settings=settings,
                )
        except Exception as error:  # any failure is reported below
            failures.append(error)

    threads = [threading.Thread(target=open_it, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with Session(engine) as session:
        tender = session.get_one(Tender, tender_id)
        assert tender.status == TenderStatus.OPENED
        entries = session.exec(
            select(LedgerEntry.entry_type, func.count())
            .where(
                col(LedgerEntry.entry_type).in_(
                    ["procurement.key.released", "procurement.bids.opened"]
                )
            )
            .group_by(col(LedgerEntry.entry_type))
        ).all()
        assert sorted(entries) == [("procurement.bids.opened", 1), ("procurement.key.released", 1)]
        bids = session.exec(
            select(Bid).where(Bid.tender_id == tender_id).order_by(col(Bid.rank))
        ).all()
        assert [(b.status, b.rank, b.price) for b in bids] == [
            (BidStatus.VALID, rank, 4500 + 100 * (rank - 1)) for rank in range(1, 7)
        ]
        notices = session.exec(select(func.count()).select_from(Notification)).one()
        assert notices == 6
        opened_releases = session.exec(
            select(func.count()).select_from(Release).where(Release.tender_id == tender_id)
        ).one()
        assert opened_releases == 2  # the publication's and the opening's
