"""Red flags benchmark: one tender's flags (the tender page) against the whole evaluation.

    .venv/bin/python bench/red_flags_bench.py                        # SQLite, 20,000 tenders
    .venv/bin/python bench/red_flags_bench.py --tenders 100000
    .venv/bin/python bench/red_flags_bench.py --server postgresql+psycopg://postgres@127.0.0.1/test

Migrates a fresh database (`prongsai migrate`, dropped afterwards), bulk-inserts buyers,
suppliers and N opened tenders with 1-4 opened bids each (about 4 in 5 awarded, some with a
contract and an amendment), then times, after warm-ups:
- `tender_flags` for a few tenders of the busiest buyer (what the tender page reads), and
- the full evaluation every red-flag page runs (`indicators`), for comparison.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from core.auth.models import Organisation, Role, User
from core.db import make_engine
from procurement.awards.models import Award
from procurement.bids.models import Bid
from procurement.contracts.models import Contract
from procurement.insights import queries
from procurement.tenders.models import Amendment, Tender

T0 = datetime(2025, 1, 6, 3, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def fresh_database(server: str | None, folder: Path):
    """A new empty database (SQLite file, or one made on a PostgreSQL server) and its dropper."""
    if not server:
        return f"sqlite:///{folder}/bench.sqlite3", lambda: None
    name = f"prongsai_bench_flags_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def migrate(url: str, data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRONGSAI_")}
    env.update(PRONGSAI_DATABASE_URL=url, PRONGSAI_DATA_DIR=str(data_dir))
    subprocess.run(
        [sys.executable, "-m", "prongsai.cli", "migrate"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def load(engine, tenders: int, buyers: int, suppliers: int, seed: int = 7) -> list[int]:
    """Bulk-insert the world; the ids of the busiest buyer's tenders."""
    rng = random.Random(seed)
    with Session(engine) as s:
        orgs = [
            Organisation(slug=f"b{n}", name=f"Buyer {n}", kind="buying_entity", created_at=T0)
            for n in range(buyers)
        ]
        orgs += [
            Organisation(
                slug=f"s{n}",
                name=f"Supplier {n} Co., Ltd.",
                kind="supplier",
                registration_id=f"0105{n:09d}",
                created_at=T0,
            )
            for n in range(suppliers)
        ]
        s.add_all(orgs)
        s.flush()
        buyer_ids = [o.id for o in orgs[:buyers]]
        supplier_ids = [o.id for o in orgs[buyers:]]
        user = User(
            email="bench@bench.example",
            display_name="Bench",
            role=Role.BUYER,
            organisation_id=buyer_ids[0],
            password_hash="x",
            created_at=T0,
        )
        s.add(user)
        s.flush()
        # a few buyers hold most tenders, as in real registers
        weights = [1 / (i + 1) for i in range(buyers)]
        tender_rows, bid_rows, award_rows, contract_rows, amendment_rows = [], [], [], [], []
        bid_id = award_id = 0
        for tid in range(1, tenders + 1):
            start = T0 + tid * timedelta(minutes=20)
            end = start + rng.choice((10, 20, 30)) * DAY
            estimate = rng.randrange(100_000, 10_000_000) * 100
            tender_rows.append(
                {
                    "id": tid,
                    "buyer_id": rng.choices(buyer_ids, weights)[0],
                    "created_by_id": user.id,
                    "title": f"Tender {tid}",
                    "description": "Works.",
                    "category": "works",
                    "method": "open",
                    "estimated_value": estimate,
                    "currency": "THB",
                    "award_criteria": "lowest_price",
                    "enquiry_end_at": start + DAY,
                    "tender_start_at": start,
                    "tender_end_at": end,
                    "opening_at": end + timedelta(hours=1),
                    "status": "opened",
                    "created_at": start,
                    "updated_at": start,
                    "published_at": start,
                    "opened_at": end + timedelta(hours=1),
                }
            )
            bidders = rng.sample(supplier_ids, rng.randint(1, 4))
            prices = sorted(rng.randrange(estimate * 8 // 10, estimate * 12 // 10) for _ in bidders)
            first_bid = bid_id + 1
            for rank, (supplier, price) in enumerate(zip(bidders, prices, strict=True), 1):
                bid_id += 1
                bid_rows.append(
                    {
                        "id": bid_id,
                        "tender_id": tid,
                        "supplier_id": supplier,
                        "version": 1,
                        "status": "valid",
                        "ciphertext": b"x",
                        "commitment": "0" * 64,
                        "log_index": bid_id,
                        "submitted_at": start + DAY,
                        "price": price,
                        "price_currency": "THB",
                        "rank": rank,
                    }
                )
            if rng.random() < 0.1:
                amendment_rows.append(
                    {
                        "tender_id": tid,
                        "version": 2,
                        "rationale": "Clarified.",
                        "changes_json": '{"title": ["a", "b"]}',
                        "created_at": end - 3 * DAY,
                    }
                )
            if rng.random() < 0.8:
                award_id += 1
                decided = end + 2 * DAY
                award_rows.append(
                    {
                        "id": award_id,
                        "tender_id": tid,
                        "bid_id": first_bid,
                        "supplier_id": bidders[0],
                        "value": prices[0],
                        "currency": "THB",
                        "status": "final",
                        "decided_at": decided,
                        "standstill_end_at": decided + 10 * DAY,
                    }
                )
                if rng.random() < 0.5:
                    contract_rows.append(
                        {
                            "award_id": award_id,
                            "value": prices[0] * rng.choice((100, 100, 125)) // 100,
                            "currency": "THB",
                            "signed_date": date(2026, 1, 1),
                            "created_at": decided,
                            "start_date": date(2026, 1, 1),
                            "end_date": date(2026, 12, 31),
                        }
                    )
        for model, rows in (
            (Tender, tender_rows),
            (Bid, bid_rows),
            (Award, award_rows),
            (Contract, contract_rows),
            (Amendment, amendment_rows),
        ):
            for i in range(0, len(rows), 5000):
                s.execute(insert(model), rows[i : i + 5000])
        s.commit()
        busiest = max(
            {r["buyer_id"] for r in tender_rows},
            key=lambda b: sum(1 for r in tender_rows if r["buyer_id"] == b),
        )
        return [r["id"] for r in tender_rows if r["buyer_id"] == busiest]


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"{label:<44} p50 {statistics.median(times):9.2f} ms   p95 {p95:9.2f} ms   (n={len(times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", help="a PostgreSQL URL (default: SQLite in a temp folder)")
    parser.add_argument("--tenders", type=int, default=20_000)
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--suppliers", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--full-runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url, drop = fresh_database(args.server, Path(folder))
        try:
            migrate(url, Path(folder))
            engine = make_engine(url)
            began = time.perf_counter()
            own = load(engine, args.tenders, args.buyers, args.suppliers)
            print(
                f"{args.tenders} tenders on {engine.dialect.name}, loaded in "
                f"{time.perf_counter() - began:.1f} s; busiest buyer has {len(own)}"
            )
            picks = [own[len(own) * i // 10] for i in range(10)]
            with Session(engine) as s:
                for tender_id in picks[:3]:
                    queries.tender_flags(s, tender_id=tender_id)
                times = [
                    t / len(picks)
                    for t in timed(
                        lambda: [queries.tender_flags(s, tender_id=t) for t in picks], args.runs
                    )
                ]
                report("tender_flags (one tender, busiest buyer)", times)
                report(
                    "indicators (every tender, /red-flags)",
                    timed(lambda: queries.indicators(s), args.full_runs),
                )
            engine.dispose()
        finally:
            drop()


if __name__ == "__main__":
    main()
