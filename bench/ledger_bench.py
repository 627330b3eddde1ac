"""Transparency-log benchmark: append rate, and proof times at growing tree sizes.

    .venv/bin/python bench/ledger_bench.py                       # SQLite, in a temp folder
    .venv/bin/python bench/ledger_bench.py --server postgresql+psycopg://postgres@127.0.0.1/test

Makes a fresh database (dropped afterwards), migrates it, then measures:
- appends, one entry per transaction (the normal case: an entry commits with its change);
- appends batched 1,000 per transaction (bulk imports);
- inclusion proof, consistency proof and root computation times (p50/p99 over random
  requests) at each size in --sizes, each as a full service call against the database.
"""

from __future__ import annotations

import argparse
import platform
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from core.db import make_engine
from core.ledger import service
from prongsai import schema

BATCH = 1000


def fresh_database(server: str | None) -> tuple[str, callable]:
    if not server:
        folder = tempfile.mkdtemp(prefix="prongsai-bench-")
        return f"sqlite:///{folder}/bench.sqlite3", lambda: None
    name = f"prongsai_bench_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def payload(n: int) -> dict:
    return {"tender": f"T-{n:08d}", "supplier": f"S-{n % 977}", "commitment": secrets.token_hex(32)}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn, samples: int) -> dict:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": statistics.median(times), "p99_ms": percentile(times, 99)}


def grow_to(engine, size: int, now: datetime) -> float:
    """Batched appends up to `size`; returns entries per second."""
    with Session(engine) as session:
        current = service.tree_size(session)
    started, added = time.perf_counter(), 0
    while current < size:
        count = min(BATCH, size - current)
        with Session(engine) as session:
            items = [("bench.bid.sealed", payload(current + i), None) for i in range(count)]
            service.append_many(session, items=items, now=now)
            session.commit()
        current += count
        added += count
        if current % 100_000 == 0:
            print(f"  … {current:,} entries", file=sys.stderr)
    return added / (time.perf_counter() - started) if added else 0.0


def single_appends(engine, count: int, now: datetime) -> float:
    started = time.perf_counter()
    for n in range(count):
        with Session(engine) as session:
            service.append(session, entry_type="bench.bid.sealed", payload=payload(n), now=now)
            session.commit()
    return count / (time.perf_counter() - started)


def proofs_at(engine, size: int, samples: int) -> dict:
    rng = random.Random(size)
    with Session(engine) as session:
        return {
            "inclusion": timed(
                lambda: service.inclusion_proof(session, index=rng.randrange(size), size=size),
                samples,
            ),
            "consistency": timed(
                lambda: service.consistency_proof(
                    session, first=rng.randrange(1, size), second=size
                ),
                samples,
            ),
            "root": timed(lambda: service.root_hash(session, size=size), samples),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="PostgreSQL URL to create the bench database on")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--single", type=int, default=2000, help="single-entry transactions")
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    url, drop = fresh_database(args.server)
    engine = make_engine(url)
    now = datetime.now(UTC)
    try:
        schema.upgrade(url)
        database = engine.dialect.name
        print(f"# ledger bench on {database}, {platform.node()}, {now:%Y-%m-%d}")
        rate = single_appends(engine, args.single, now)
        print(f"append, one entry per transaction: {rate:,.0f} entries/s ({args.single} txns)")
        for size in (int(s) for s in args.sizes.split(",")):
            batched = grow_to(engine, size, now)
            print(f"append, batched {BATCH}/transaction up to {size:,}: {batched:,.0f} entries/s")
            for name, figures in proofs_at(engine, size, args.samples).items():
                print(
                    f"{name} at {size:,}: p50 {figures['p50_ms']:.2f} ms, "
                    f"p99 {figures['p99_ms']:.2f} ms"
                )
    finally:
        engine.dispose()
        drop()


if __name__ == "__main__":
    main()
