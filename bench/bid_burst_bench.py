"""Sealed-bid benchmark: a burst of bids in a tender's last minute, then a big opening.

    .venv/bin/python bench/bid_burst_bench.py                    # SQLite
    .venv/bin/python bench/bid_burst_bench.py --server postgresql+psycopg://postgres@127.0.0.1/test

1. Burst: --bids suppliers each submit one bid (HPKE sealing, commitment in the log, receipt
   with inclusion proof) from --threads threads within the last minute before the deadline,
   through the service layer; prints throughput and p50/p99 latency, then opens the tender
   and checks that every acknowledged bid is there, valid, and nothing else.
2. Opening: a tender with --open-bids sealed bids is opened (decrypt, check commitments,
   rank, publish); prints the time it takes.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from ledger_bench import fresh_database, percentile
from sqlmodel import Session, select

from core.auth import passwords
from core.auth.models import Organisation, OrganisationKind, Role, User
from core.clock import system_clock
from core.db import make_engine
from core.ledger import service as ledger
from core.settings import Settings
from procurement.bids import opening
from procurement.bids import service as bidding
from procurement.bids.models import Bid, BidStatus, Supplier
from procurement.bids.schemas import BidIn, PriceIn
from procurement.tenders import service as tender_service
from procurement.tenders.schemas import TenderDraftIn
from prongsai import schema


def make_suppliers(engine, count: int, now: datetime) -> list[int]:
    """Suppliers inserted directly (one password hash shared): the bench measures bids."""
    shared_hash = passwords.hash_password("bench-password-123")
    ids = []
    with Session(engine) as session:
        for n in range(count):
            org = Organisation(
                slug=f"bench-supplier-{n}",
                name=f"Bench Supplier {n}",
                kind=OrganisationKind.SUPPLIER,
                created_at=now,
            )
            session.add(org)
            session.flush()
            user = User(
                email=f"bids{n}@bench.example",
                display_name=f"Bidder {n}",
                role=Role.SUPPLIER,
                organisation_id=org.id,
                password_hash=shared_hash,
                created_at=now,
            )
            session.add(user)
            session.add(
                Supplier(
                    organisation_id=org.id,
                    address="Bench Road",
                    contact_name="B",
                    contact_email="b@bench.example",
                    contact_phone="000000",
                    registered_at=now,
                )
            )
            session.flush()
            ids.append(user.id)
        session.commit()
    return ids


def make_tender(engine, settings, *, deadline: datetime, now: datetime) -> int:
    with Session(engine) as session:
        buyer_org = Organisation(
            slug=f"bench-buyer-{time.time_ns()}",
            name="Bench Buyer",
            kind=OrganisationKind.BUYING_ENTITY,
            created_at=now,
        )
        session.add(buyer_org)
        session.flush()
        buyer = User(
            email=f"buyer{time.time_ns()}@bench.example",
            display_name="Buyer",
            role=Role.BUYER,
            organisation_id=buyer_org.id,
            password_hash="x",
            created_at=now,
        )
        session.add(buyer)
        session.commit()
        draft = TenderDraftIn(
            title="Bench tender",
            description="Bench",
            category="goods",
            estimated_value=10**9,
            enquiry_end_at=now + timedelta(seconds=1),
            tender_start_at=now,
            tender_end_at=deadline,
            opening_at=deadline,
            items=[{"description": "Item", "quantity": "1", "unit": "unit"}],
        )
        tender = tender_service.create_draft(session, buyer=buyer, draft=draft, now=now)
        tender_service.publish(
            session, buyer=buyer, tender_id=tender.id, now=now, settings=settings
        )
        return tender.id


def submit_all(engine, settings, tender_id: int, users: list[int], threads: int, clock):
    latencies, acknowledged, refused = [], set(), 0

    def one(pair):
        n, user_id = pair
        started = time.perf_counter()
        with Session(engine) as session:
            user = session.get(User, user_id)
            try:
                receipt = bidding.submit_bid(
                    session,
                    user=user,
                    tender_id=tender_id,
                    clock=clock,
                    settings=settings,
                    bid=BidIn(price=PriceIn(amount=10**6 + n, currency="THB"), declaration=True),
                )
                return receipt.bid_id, time.perf_counter() - started
            except Exception:
                return None, time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for bid_id, latency in pool.map(one, enumerate(users)):
            latencies.append(latency * 1000)
            if bid_id is None:
                refused += 1
            else:
                acknowledged.add(bid_id)
    return acknowledged, refused, latencies, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server")
    parser.add_argument("--bids", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--open-bids", type=int, default=10000)
    parser.add_argument("--profile", help="write cProfile statistics of the big opening here")
    args = parser.parse_args()
    url, drop = fresh_database(args.server)
    engine = make_engine(url, **({"pool_size": args.threads + 4} if args.server else {}))
    import tempfile

    settings = Settings(
        data_dir=tempfile.mkdtemp(),
        database_url=url,
        secret_key="b" * 32,
        procurement_min_tender_days=0,
    )
    try:
        schema.upgrade(url)
        now = datetime.now(UTC)
        print(f"# bid bench on {engine.dialect.name}, {now:%Y-%m-%d}")
        users = make_suppliers(engine, max(args.bids, args.open_bids), now)
        deadline = system_clock() + timedelta(seconds=60)
        tender_id = make_tender(engine, settings, deadline=deadline, now=system_clock())
        acked, refused, latencies, elapsed = submit_all(
            engine, settings, tender_id, users[: args.bids], args.threads, system_clock
        )
        print(
            f"burst: {len(acked)} acknowledged, {refused} refused in {elapsed:.1f} s "
            f"({len(acked) / elapsed:.0f} bids/s); latency p50 "
            f"{statistics.median(latencies):.0f} ms, p99 {percentile(latencies, 99):.0f} ms"
        )
        after_deadline = max(deadline, system_clock()) + timedelta(seconds=1)
        with Session(engine) as session:
            opening.open_tender(session, tender_id=tender_id, now=after_deadline, settings=settings)
            opened = session.exec(select(Bid).where(Bid.tender_id == tender_id)).all()
        valid = {b.id for b in opened if b.status == BidStatus.VALID}
        print(
            f"after opening: {len(valid)} valid bids; every acknowledged bid present: "
            f"{valid == acked}"
        )

        # Opening at scale: seal --open-bids bids with a clock before a deadline far ahead.
        frozen = system_clock()
        deadline = frozen + timedelta(days=1)
        tender_id = make_tender(engine, settings, deadline=deadline, now=frozen)
        acked, refused, _, elapsed = submit_all(
            engine, settings, tender_id, users[: args.open_bids], args.threads, lambda: frozen
        )
        print(f"sealed {len(acked)} bids for the opening in {elapsed:.1f} s")
        profile = cProfile.Profile() if args.profile else None
        started, cpu = time.perf_counter(), time.process_time()
        with Session(engine) as session:
            if profile:
                profile.enable()
            opening.open_tender(session, tender_id=tender_id, now=deadline, settings=settings)
            if profile:
                profile.disable()
                profile.dump_stats(args.profile)
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        with Session(engine) as session:
            ranked = session.exec(
                select(Bid).where(Bid.tender_id == tender_id, Bid.status == BidStatus.VALID)
            ).all()
        print(
            f"opening {len(acked)} bids (decrypt, check, rank, publish): {took:.2f} s "
            f"({cpu:.2f} s CPU in this process; load average {os.getloadavg()[0]:.2f}); "
            f"{len(ranked)} valid; log size {ledger_size(engine)}"
        )
    finally:
        engine.dispose()
        drop()


def ledger_size(engine) -> int:
    with Session(engine) as session:
        return ledger.tree_size(session)


if __name__ == "__main__":
    main()
