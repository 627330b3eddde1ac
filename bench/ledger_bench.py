"""Transparency-log benchmark: append rate, and proof times at growing tree sizes.

    .venv/bin/python bench/ledger_bench.py                       # SQLite, in a temp folder
    .venv/bin/python bench/ledger_bench.py --server postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python bench/ledger_bench.py --generated 10000000 --baseline /tmp/prongsai-main

Makes a fresh database (dropped afterwards), migrates it, then measures:
- appends, one entry per transaction (the normal case: an entry commits with its change);
- appends batched 1,000 per transaction (bulk imports), grown to each size in --sizes;
- inclusion proof, consistency proof and root computation times (p50/p99 over random
  requests) at each size, each as a full service call against the database.

--generated N makes a second fresh database holding a tree of N leaves written straight into
ledger_node (the hashes the append code computes, from deterministic leaf data, by bulk
INSERTs or COPY; no ledger_entry rows, which no proof reads) and times the proofs there, after
checking a sample of them against the root with the RFC 9162 verifier.

--baseline DIR runs the same measurements with the product code of DIR (a checkout of an
earlier commit: `mkdir /tmp/main && git archive main | tar -x -C /tmp/main`) in a child process, on
its own fresh database for the appends and on the same generated tree for the proofs, and
prints both side by side.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve()
if "--source" in sys.argv:  # the product code measured: this checkout's, or another's
    sys.path.insert(0, sys.argv[sys.argv.index("--source") + 1])
else:
    sys.path.insert(0, str(HERE.parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from core.db import make_engine  # noqa: E402
from core.ledger import merkle, service  # noqa: E402
from prongsai import schema  # noqa: E402

BATCH = 1000
NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)


def fresh_database(server: str | None) -> tuple[str, callable]:
    if not server:
        folder = tempfile.mkdtemp(prefix="prongsai-bench-")
        return f"sqlite:///{folder}/bench.sqlite3", lambda: shutil.rmtree(folder)
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


# --- a generated tree -------------------------------------------------------------------------


def generated_leaf(n: int) -> bytes:
    return b'{"payload":{"n":%d},"type":"bench.generated.leaf"}' % n


def write_nodes(engine, rows: list[tuple[int, int, bytes]]) -> None:
    """Insert node rows: COPY on PostgreSQL, one executemany on SQLite."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cursor.copy('COPY ledger_node (level, "index", hash) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:  # the engine leaves BEGIN to SQLAlchemy: without one, a commit per row
            cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(
                'INSERT INTO ledger_node (level, "index", hash) VALUES (?, ?, ?)', rows
            )
        cursor.close()
        raw.commit()
    finally:
        raw.close()


def generate_tree(engine, size: int, chunk: int = 1 << 18) -> None:
    """Every node of a tree of `size` generated leaves, and the head at `size`."""
    started, frontier, done = time.perf_counter(), {}, 0
    while done < size:
        leaves = [generated_leaf(n) for n in range(done, min(size, done + chunk))]
        created = merkle.nodes_created_many(done, leaves, frontier)
        write_nodes(engine, created)
        known = {**frontier, **{(lv, ix): h for lv, ix, h in created}}
        done += len(leaves)
        frontier = {coord: known[coord] for coord in merkle.root_plan(done)}
        if done % (1 << 21) == 0 or done == size:
            print(
                f"  … {done:,} leaves generated ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
            )
    with engine.begin() as c:
        c.execute(text("UPDATE ledger_head SET tree_size = :n WHERE id = 1"), {"n": size})
        if engine.dialect.name == "postgresql":
            c.execute(text("ANALYZE ledger_node"))


def check_generated(engine, size: int, samples: int = 50) -> None:
    """Proofs from the generated tree pass the RFC 9162 verifier (or the bench stops)."""
    rng = random.Random(7)
    with Session(engine) as session:
        root = service.root_hash(session, size=size)
        for _ in range(samples):
            index = rng.randrange(size)
            path = service.inclusion_proof(session, index=index, size=size)
            leaf = merkle.leaf_hash(generated_leaf(index))
            assert merkle.verify_inclusion(leaf, index, size, path, root), index
            first = rng.randrange(1, size)
            proof = service.consistency_proof(session, first=first, second=size)
            old = service.root_hash(session, size=first)
            assert merkle.verify_consistency(first, size, old, root, proof), first


# --- the measurements, in this process or a baseline's child ----------------------------------


def measure_appends(url: str, sizes: list[int], single: int, samples: int) -> dict:
    engine = make_engine(url)
    figures: dict = {"sizes": {}}
    try:
        figures["single"] = single_appends(engine, single, NOW)
        for size in sizes:
            figures["sizes"][size] = {
                "batched": grow_to(engine, size, NOW),
                **proofs_at(engine, size, samples),
            }
    finally:
        engine.dispose()
    return figures


def measure_proofs(url: str, size: int, samples: int) -> dict:
    engine = make_engine(url)
    try:
        proofs_at(engine, size, 20)  # warm the cache of the database's pages
        return proofs_at(engine, size, samples)
    finally:
        engine.dispose()


def in_baseline(source: str, mode: str, url: str, args) -> dict:
    command = [
        sys.executable, str(HERE), "--source", source, "--child", mode, "--url", url,
        "--sizes", args.sizes, "--single", str(args.single), "--samples", str(args.samples),
        "--generated", str(args.generated),
    ]  # fmt: skip
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def proof_lines(name: str, figures: dict, before: dict | None) -> None:
    for kind in ("inclusion", "consistency", "root"):
        now = figures[kind]
        line = f"{kind} at {name}: p50 {now['p50_ms']:.2f} ms, p99 {now['p99_ms']:.2f} ms"
        if before:
            was = before[kind]
            line += f"  (baseline p50 {was['p50_ms']:.2f} ms, p99 {was['p99_ms']:.2f} ms)"
        print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="PostgreSQL URL to create the bench databases on")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--single", type=int, default=2000, help="single-entry transactions")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--generated", type=int, default=0, help="leaves of a generated tree")
    parser.add_argument("--baseline", help="a checkout whose product code to measure as well")
    parser.add_argument("--baseline-sizes", help="the baseline's sizes (default: --sizes)")
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=["appends", "proofs"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.child == "appends":
        print(json.dumps(measure_appends(args.url, sizes, args.single, args.samples)))
        return
    if args.child == "proofs":
        print(json.dumps(measure_proofs(args.url, args.generated, args.samples)))
        return

    url, drop = fresh_database(args.server)
    try:
        schema.upgrade(url)
        database = make_url(url).get_backend_name()
        print(f"# ledger bench on {database}, {platform.node()}, {datetime.now(UTC):%Y-%m-%d}")
        print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}")
        figures = measure_appends(url, sizes, args.single, args.samples)
    finally:
        drop()
    before = None
    if args.baseline:
        url, drop = fresh_database(args.server)
        try:
            schema.upgrade(url)
            if args.baseline_sizes:
                args.sizes = args.baseline_sizes
            before = in_baseline(args.baseline, "appends", url, args)
        finally:
            drop()
    line = f"append, one entry per transaction: {figures['single']:,.0f} entries/s"
    print(line + (f"  (baseline {before['single']:,.0f})" if before else ""))
    shown = sorted({*sizes, *(int(s) for s in (before or {}).get("sizes", {}))})
    for size in shown:
        now = figures["sizes"].get(size)
        was = before["sizes"].get(str(size)) if before else None
        rate = f"{now['batched']:,.0f} entries/s" if now else "not measured"
        line = f"append, batched {BATCH}/transaction up to {size:,}: {rate}"
        print(line + (f"  (baseline {was['batched']:,.0f})" if was else ""))
        if now:
            proof_lines(f"{size:,}", now, was)
        elif was:
            proof_lines(f"{size:,} (baseline)", was, None)

    if args.generated:
        url, drop = fresh_database(args.server)
        try:
            schema.upgrade(url)
            engine = make_engine(url)
            started = time.perf_counter()
            generate_tree(engine, args.generated)
            print(
                f"generated a tree of {args.generated:,} leaves in "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
            check_generated(engine, args.generated)
            engine.dispose()
            now = measure_proofs(url, args.generated, args.samples)
            was = in_baseline(args.baseline, "proofs", url, args) if args.baseline else None
            proof_lines(f"{args.generated:,} (generated)", now, was)
        finally:
            drop()


if __name__ == "__main__":
    main()
