"""Profiles benchmark: server time of a buyer's and a supplier's profile, first, second and last
page, and how long a complete download of their longest list takes, on an existing database.

    .venv/bin/python bench/profiles_bench.py --database sqlite:////tmp/a1/archive.sqlite3 \
        --data-dir /tmp/a1

The buyer and the supplier are those bench/pages_bench.py times (the first buying entity, the
supplier of the first award), so the figures sit beside its table. The procurement aggregates
are brought up to date first, as the scheduled job keeps them (skip with --skip-refresh). The
time is the request's server-side duration from the app's own request log (for a streamed
download: until its headers; the whole body is timed by the client and given apart).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from databases import run_header  # this folder, first on the path
from fastapi.testclient import TestClient
from pages_bench import ServerTimes, percentile  # this folder, first on the path
from sqlalchemy import text

from core.db import make_engine
from core.settings import Settings
from procurement.insights import queries
from prongsai.app import create_app


def paths(engine) -> list[tuple[str, str]]:
    """(label, path) of the profile pages timed."""
    with engine.connect() as c:
        buyer = c.execute(
            text("SELECT slug FROM auth_organisation WHERE kind = 'buying_entity' ORDER BY id")
        ).scalar()
        supplier = c.execute(
            text("SELECT supplier_id FROM procurement_award ORDER BY id LIMIT 1")
        ).scalar()
    found = []
    for label, path in (
        ("a buyer profile", f"/buyers/{buyer}"),
        ("a supplier profile", f"/suppliers/{supplier}"),
    ):
        found += [(label, path), (f"{label}, page 2", f"{path}?page=2")]
        found.append((f"{label}, last page", path + "?page={last}"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="the database to time the pages on")
    parser.add_argument("--data-dir", type=Path, required=True, help="its data folder")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per page first")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds a page at most")
    parser.add_argument("--skip-refresh", action="store_true", help="do not refresh aggregates")
    parser.add_argument("--downloads", action="store_true", help="time a complete download too")
    args = parser.parse_args()

    engine = make_engine(args.database)
    if not args.skip_refresh:
        from sqlmodel import Session

        from procurement.insights import aggregates

        started = time.perf_counter()
        with Session(engine) as session:
            read = aggregates.refresh(session, now=datetime.now(UTC))
        print(f"# aggregates refreshed: {read} tenders in {time.perf_counter() - started:.1f} s")
    settings = Settings(
        data_dir=args.data_dir,
        database_url=args.database,
        secret_key="b" * 32,
        run_scheduler=False,
        log_level="WARNING",
    )
    times = ServerTimes.listening()
    app = create_app(settings, engine=engine)
    size = getattr(queries, "PROFILE_PAGE", "every")  # before paging: every row on one page
    warmed = f"{args.requests} requests per page after {args.warmup} warm-ups"
    print(f"{run_header(engine.dialect.name, warmed)} · {size} rows a list")
    print("| page | path | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    with TestClient(app, base_url="https://testserver") as client:
        for label, path in paths(engine):
            if "{last}" in path:
                first = client.get(path.split("?")[0] + "?format=json").json()
                path = path.format(last=first.get("pages", 1))
            first = client.get(path)
            if first.status_code != 200:
                raise SystemExit(f"{path} answered {first.status_code}: {first.text[:300]}")
            for _ in range(args.warmup):
                client.get(path)
            samples: list[float] = []
            started = time.perf_counter()
            for _ in range(args.requests):
                client.get(path)
                samples.append(times.last_ms)
                if len(samples) >= 3 and time.perf_counter() - started > args.budget:
                    break
            fewer = f" ({len(samples)} requests)" if len(samples) < args.requests else ""
            print(
                f"| {label} | `{path}` | {statistics.median(samples):.1f} | "
                f"{percentile(samples, 95):.1f} | {max(samples):.1f}{fewer} |"
            )
            sys.stdout.flush()
        if args.downloads:
            for label, path in paths(engine)[::3]:
                name = "tenders" if "buyer" in label else "bids"
                started = time.perf_counter()
                body = client.get(f"{path}?format=csv&table={name}").content
                lines = body.count(b"\n") - 1
                print(
                    f"# {label}: every one of its {name} as CSV, {lines} rows, "
                    f"{len(body) / 1e6:.1f} MB in {time.perf_counter() - started:.2f} s"
                )
    engine.dispose()


if __name__ == "__main__":
    main()
