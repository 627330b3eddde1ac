"""One app process against two, on the same database, driven by wrk (issue #13, target 7).

    .venv/bin/python bench/processes_bench.py --server postgresql+psycopg://postgres@127.0.0.1/test

Builds the demo into a fresh database (`prongsai migrate`, `prongsai demo`), then serves it
with `prongsai serve --workers 1` and `--workers 2` in turn, the scheduler on in both, and
drives each with wrk (`bench/wrk_pages.lua`: the main public pages round robin, the same
threads, connections and duration). The load generator shares the machine, as the issue asks.
`--paths /healthz` drives those paths instead (a load balancer's poll). While each serves, it
checks that one process alone runs the scheduled jobs (on PostgreSQL: one holder of the
scheduler's advisory lock, core/scheduler.py). Prints one JSON document; the bid route's
one-against-two figures come from bench/bid_http_bench.py --workers 1 2.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.bid_http_bench import free_port, serving, wrk  # noqa: E402
from bench.databases import fresh_database  # noqa: E402
from bench.pages_bench import build_demo, pages  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.scheduler import LEADER_LOCK  # noqa: E402

LUA = ROOT / "bench" / "wrk_pages.lua"


def drive(base: str, paths: list[str], args: argparse.Namespace) -> dict:
    return wrk(base, LUA, {"PAGES_PATHS": ",".join(paths)}, args)


def scheduler_leaders(url: str) -> int | None:
    """How many processes hold the scheduler's leader lock (PostgreSQL; None on SQLite)."""
    if not url.startswith("postgresql"):
        return None
    key = LEADER_LOCK & 0xFFFFFFFFFFFFFFFF
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            return c.execute(
                text(
                    "SELECT count(DISTINCT pid) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND granted AND classid = :high AND objid = :low AND objsubid = 1"
                ),
                {"high": key >> 32, "low": key & 0xFFFFFFFF},
            ).scalar_one()
    finally:
        engine.dispose()


def run(args: argparse.Namespace) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="prongsai-processes-"))
    report: dict = {"database": "postgresql" if args.server else "sqlite"}
    url, drop = fresh_database(args.server, folder, label="processes")
    try:
        data_dir = folder / "data"
        started = time.monotonic()
        build_demo(url, data_dir)
        report["demo_build_s"] = round(time.monotonic() - started, 1)
        engine = make_engine(url)
        paths = args.paths or [path for _, path in pages(engine)]
        engine.dispose()
        report["pages"] = paths
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRONGSAI_")}
        env.update(PRONGSAI_DATABASE_URL=url, PRONGSAI_DATA_DIR=str(data_dir))
        for workers in args.workers:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            command = [sys.executable, "-m", "prongsai.cli", "serve", "--port", str(port)]
            command += ["--workers", str(workers)]
            with serving(command, env, base, "/healthz", folder / f"serve-{workers}.log"):
                drive(base, paths, argparse.Namespace(**{**vars(args), "duration": 3}))  # warm
                driven = drive(base, paths, args)
                driven["scheduler_leaders"] = scheduler_leaders(url)
                report[f"{workers}_process{'es' if workers > 1 else ''}"] = driven
        one = report.get("1_process", {}).get("requests_per_second")
        two = report.get("2_processes", {}).get("requests_per_second")
        if one and two:
            report["two_over_one"] = round(two / one, 2)
    finally:
        drop()
        shutil.rmtree(folder, ignore_errors=True)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--workers", type=int, nargs="+", help="default: 1 2 (PostgreSQL), 1")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument(
        "--paths", nargs="+", help="these paths instead of the main pages (e.g. /healthz)"
    )
    args = parser.parse_args(argv)
    args.workers = args.workers or ([1, 2] if args.server else [1])  # SQLite serves one process
    if shutil.which("wrk") is None:
        print("processes_bench: wrk is missing (scripts/system-packages.sh wrk)", file=sys.stderr)
        return 1
    print(json.dumps(run(args), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
