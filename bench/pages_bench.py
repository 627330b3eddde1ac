"""Public pages benchmark: server time of every main public page on the demo data.

    .venv/bin/python bench/pages_bench.py                       # SQLite, in a temp folder
    .venv/bin/python bench/pages_bench.py --server postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python bench/pages_bench.py --database sqlite:////tmp/a1/archive.sqlite3 \
        --data-dir /tmp/a1                                      # an existing archive
    .venv/bin/python bench/pages_bench.py --database … --data-dir … --lists   # lists' filters

With --database the pages are timed on that database as it is (bench/archive.py makes one of
any size); it is neither built nor dropped, and the procurement aggregates are brought up to
date first (`prongsai insights refresh`), as the scheduled job keeps them on a live site.

Builds the demo (`prongsai migrate` and `prongsai demo`, as an operator would) into a fresh
database, dropped afterwards; then serves the app in this process (FastAPI's TestClient, no
network) and times N requests of each page after a few warm-ups. The time is the request's
server-side duration as the app's own request-log middleware measures it (routing, database,
templates), not the client's. Pages answering 404 (not built yet) are skipped and listed.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from databases import run_header  # this folder, first on the path
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.db import make_engine
from core.settings import Settings
from prongsai.app import create_app

TARGET_MS = 200.0


def fresh_database(server: str | None, folder: Path) -> tuple[str, callable]:
    """A new empty database (SQLite file, or one made on a PostgreSQL server) and its dropper."""
    if not server:
        return f"sqlite:///{folder}/bench.sqlite3", lambda: None
    name = f"prongsai_bench_pages_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def build_demo(url: str, data_dir: Path) -> None:
    """`prongsai migrate` and `prongsai demo`, through the CLI, into this database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRONGSAI_")}
    env.update(PRONGSAI_DATABASE_URL=url, PRONGSAI_DATA_DIR=str(data_dir))
    for command in ("migrate", "demo"):
        subprocess.run(
            [sys.executable, "-m", "prongsai.cli", command],
            env=env,
            check=True,
            capture_output=True,
            timeout=900,
        )


class ServerTimes(logging.Handler):
    """Collects the duration the request-log middleware writes for each request."""

    def __init__(self) -> None:
        super().__init__()
        self.last_ms: float | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.last_ms = float(record.args[-1])

    @classmethod
    def listening(cls) -> ServerTimes:
        """A collector attached to the app's request log (and that log kept off the console)."""
        times = cls()
        request_log = logging.getLogger("prongsai.request")
        request_log.addHandler(times)
        request_log.setLevel(logging.INFO)
        request_log.propagate = False
        return times


def pages(engine) -> list[tuple[str, str]]:
    """(label, path) of every main public page, with real records of the demo."""
    with engine.connect() as c:

        def one(sql: str):
            return c.execute(text(sql)).scalar()

        # an awarded tender, so that its red flags are all evaluated
        tender = one("SELECT tender_id FROM procurement_award ORDER BY id DESC LIMIT 1") or one(
            "SELECT id FROM procurement_tender WHERE status != 'draft' ORDER BY id DESC LIMIT 1"
        )
        buyer = one(
            "SELECT slug FROM auth_organisation WHERE kind = 'buying_entity' ORDER BY id LIMIT 1"
        )
        supplier = one("SELECT supplier_id FROM procurement_award ORDER BY id LIMIT 1") or one(
            "SELECT id FROM auth_organisation WHERE kind = 'supplier' ORDER BY id LIMIT 1"
        )
        permit = one("SELECT tracking_number FROM permits_application ORDER BY id LIMIT 1")
        department = one(
            "SELECT slug FROM auth_organisation WHERE kind = 'department' ORDER BY id LIMIT 1"
        )
        last_entry = one("SELECT tree_size FROM ledger_head") - 1
    return [
        ("home", "/"),
        ("tenders list", "/tenders"),
        ("a tender", f"/tenders/{tender}"),
        ("buyers", "/buyers"),
        ("a buyer profile", f"/buyers/{buyer}"),
        ("suppliers", "/suppliers"),
        ("a supplier profile", f"/suppliers/{supplier}"),
        ("rankings", "/rankings"),
        ("red flags", "/red-flags"),
        ("a red flag", "/red-flags/single-bidder"),
        ("charts", "/charts"),
        ("search", "/search?q=road"),
        ("transparency", "/transparency"),
        ("log browser", "/transparency/log"),
        ("a log entry", f"/transparency/log/{last_entry}"),
        ("permits list", "/permits"),
        ("a permit", f"/permits/{permit}"),
        ("departments", "/departments"),
        ("a department", f"/departments/{department}"),
        ("open data", "/data"),
        ("tenders feed", "/feeds/tenders.atom"),
    ]


def list_shapes(engine) -> list[tuple[str, str]]:
    """The public lists' filters, orders and depths (--lists): what a page of them costs must
    not grow with the archive."""
    with engine.connect() as connection:
        department = connection.execute(
            text(
                "SELECT o.slug FROM auth_organisation o WHERE o.kind = 'department' AND EXISTS "
                "(SELECT 1 FROM permits_stage s WHERE s.department_id = o.id) ORDER BY o.id"
            )
        ).scalar()
        kind = connection.execute(
            text("SELECT type_code FROM permits_application ORDER BY id LIMIT 1")
        ).scalar()
    deep = f"s{int(datetime(2023, 6, 1, tzinfo=UTC).timestamp()) * 1_000_000}-1"
    return [
        ("permits", "/permits"),
        ("permits, page 200", "/permits?page=200"),
        ("permits, a cursor in 2023", f"/permits?after={deep}"),
        ("permits by status", "/permits?status=in_progress"),
        ("permits by type", f"/permits?type={kind}"),
        ("permits by type and status", f"/permits?type={kind}&status=rejected"),
        ("permits by department", f"/permits?department={department}"),
        (
            "permits by department, in progress",
            f"/permits?status=in_progress&department={department}",
        ),
        ("permits by department, paused", f"/permits?status=paused&department={department}"),
        ("permits by type and department", f"/permits?type={kind}&department={department}"),
        ("permits overdue", "/permits?overdue=true"),
        ("permits overdue by department", f"/permits?overdue=true&department={department}"),
        ("permits overdue by type", f"/permits?overdue=true&type={kind}"),
        ("permits not overdue by type", f"/permits?overdue=false&type={kind}"),
        ("permits changed since (API)", "/api/permits?since=2026-01-01T00:00:00Z&per_page=200"),
        ("tenders awarded", "/tenders?status=awarded"),
        ("tenders awarded, deep", "/tenders?status=awarded&after_id=1000"),
    ]


def refresh_aggregates(engine, settings: Settings) -> None:
    """Bring the aggregates up to date, as the scheduled jobs do; says how long."""
    try:
        from procurement.insights import aggregates
    except ImportError:  # before the aggregates existed: nothing to refresh
        return
    from sqlmodel import Session

    started = time.perf_counter()
    with Session(engine) as session:
        tenders = aggregates.refresh(session, now=datetime.now(UTC))
    print(f"# aggregates refreshed: {tenders} tenders in {time.perf_counter() - started:.1f} s")
    try:
        from permits.insights import aggregates as permit_aggregates
    except ImportError:  # before the permit aggregates existed
        return
    started = time.perf_counter()
    with Session(engine) as session:
        read = permit_aggregates.refresh(session, settings=settings, now=datetime.now(UTC))
    print(f"# permit aggregates: {read} applications in {time.perf_counter() - started:.1f} s")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="PostgreSQL URL to create the bench database on")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--database", help="time the pages on this existing database instead")
    parser.add_argument("--data-dir", type=Path, help="its data folder (with --database)")
    parser.add_argument("--skip-refresh", action="store_true", help="do not refresh aggregates")
    parser.add_argument(
        "--budget", type=float, default=30.0, help="seconds of timed requests a page at most"
    )
    parser.add_argument("--paths", help="only these pages, comma-separated (e.g. /,/rankings)")
    parser.add_argument(
        "--lists", action="store_true", help="the public lists' filters and depths instead"
    )
    args = parser.parse_args()

    if args.database:
        if args.data_dir is None:
            parser.error("--database needs --data-dir")
        folder, url, drop = args.data_dir, args.database, lambda: None
    else:
        folder = Path(tempfile.mkdtemp(prefix="prongsai-pages-bench-"))
        url, drop = fresh_database(args.server, folder)
    try:
        if not args.database:
            build_demo(url, folder)
        engine = make_engine(url)
        settings = Settings(
            data_dir=folder,
            database_url=url,
            secret_key="b" * 32,
            run_scheduler=False,
            log_level="WARNING",
        )
        if args.database and not args.skip_refresh:
            refresh_aggregates(engine, settings)
        times = ServerTimes.listening()
        app = create_app(settings, engine=engine)
        print(
            run_header(
                engine.dialect.name,
                f"{args.requests} requests per page after {args.warmup} warm-ups",
            )
        )
        print("| page | path | p50 ms | p95 ms | max ms |")
        print("|---|---|---|---|---|")
        skipped, slow = [], []
        with TestClient(app, base_url="https://testserver") as client:
            only = set(args.paths.split(",")) if args.paths else None
            for label, path in list_shapes(engine) if args.lists else pages(engine):
                if only is not None and path not in only:
                    continue
                first = client.get(path)
                if first.status_code == 404:
                    skipped.append(f"{label} ({path})")
                    continue
                if first.status_code != 200:
                    raise SystemExit(f"{path} answered {first.status_code}: {first.text[:300]}")
                for _ in range(args.warmup):
                    client.get(path)
                sys.stdout.flush()
                samples: list[float] = []
                started = time.perf_counter()
                for _ in range(args.requests):
                    client.get(path)
                    samples.append(times.last_ms)
                    if len(samples) >= 3 and time.perf_counter() - started > args.budget:
                        break  # a page of seconds: fewer samples, said in the table
                p50, p95 = statistics.median(samples), percentile(samples, 95)
                if p95 >= TARGET_MS:
                    slow.append(label)
                fewer = f" ({len(samples)} requests)" if len(samples) < args.requests else ""
                print(f"| {label} | `{path}` | {p50:.1f} | {p95:.1f} | {max(samples):.1f}{fewer} |")
        print()
        print(f"Skipped (404, not built yet): {', '.join(skipped) or 'none'}.")
        print(f"Pages at or over {TARGET_MS:.0f} ms at p95: {', '.join(slow) or 'none'}.")
        engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
