"""Bids over HTTP beside the bare stack, in one run (issue #13, target 1).

    .venv/bin/python bench/bid_http_bench.py                  # SQLite, one process
    .venv/bin/python bench/bid_http_bench.py --workers 1 2 \\
        --server postgresql+psycopg://postgres@127.0.0.1/test

1. The bare stack: `bench/bare_app.py` (FastAPI + uvicorn from the same venv, one POST route that
   reads the same JSON body and headers and answers JSON: no database, no middleware, no work).
2. Prongsai: `prongsai serve` on a fresh database holding a buyer, --tenders tenders open for
   bids and --suppliers companies, each with an API token.

Both are driven by wrk (Debian's package) with `bench/wrk_bids.lua` at the same threads,
connections and duration: each request the next supplier's token, one of the tenders at
random, a fresh Idempotency-Key and its own price. Afterwards the run checks what it
measured: the bids stored equal the answers wrk counted as successes (none lost, none twice),
and a sample of the stored receipts verify (log entry, inclusion proof, checkpoint signed by
the log's key). Then the same server answers `GET /api/auth/me` to the same tokens: the
floor under any authenticated request of the stack (a token and its user read, a JSON answer),
which no bid can beat. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.crash_campaign import prepare  # noqa: E402
from bench.databases import fresh_database  # noqa: E402
from core.auth.models import User  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402
from procurement.bids import receipt_check  # noqa: E402
from procurement.tenders import service as tender_service  # noqa: E402
from procurement.tenders.schemas import TenderDraftIn  # noqa: E402

LUA = ROOT / "bench" / "wrk_bids.lua"
ME = {"BIDS_METHOD": "GET", "BIDS_PATHS": "/api/auth/me"}  # the authenticated floor


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(command: list[str], env: dict[str, str], base: str, ready: str, log: Path):
    """A server process until the block ends, once `ready` answers below 500."""
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{base}{ready}", timeout=5).status_code < 500:
                        break
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{command[2:]} did not start; see {log}")
                time.sleep(0.1)
            yield process
        finally:
            process.send_signal(signal.SIGINT)  # as Ctrl-C: uvicorn stops, py-spy writes
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def more_tenders(url: str, settings: Settings, count: int, open_for: timedelta) -> list[int]:
    """`count` more tenders of `prepare`'s buyer, open as long as its first."""
    engine = make_engine(url)
    made = []
    try:
        with Session(engine) as session:
            buyer = session.exec(select(User).where(User.email == "buyer@crash.example")).one()
            for n in range(count):
                now = datetime.now(UTC)
                draft = TenderDraftIn(
                    title=f"Burst tender {n + 2}",
                    description="Bids from many suppliers in the same minutes",
                    category="goods",
                    estimated_value=10**9,
                    enquiry_end_at=now + timedelta(seconds=1),
                    tender_start_at=now,
                    tender_end_at=now + open_for,
                    opening_at=now + open_for,
                    items=[{"description": "Pump", "quantity": "1", "unit": "unit"}],
                )
                tender = tender_service.create_draft(session, buyer=buyer, draft=draft, now=now)
                tender_service.publish(
                    session, buyer=buyer, tender_id=tender.id, now=now, settings=settings
                )
                made.append(tender.id)
    finally:
        engine.dispose()
    return made


def drive(base: str, path: str, tokens: list[str], args: argparse.Namespace) -> dict:
    """wrk against one server with the bids' script."""
    return wrk(base, LUA, {"BIDS_TOKENS": ",".join(tokens), "BIDS_PATHS": path}, args)


def wrk(base: str, script: Path, env: dict[str, str], args: argparse.Namespace) -> dict:
    """wrk with a Lua script (its settings in `env`) against one server: its throughput,
    latency percentiles and answer counts."""
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
    command += ["--latency", "--timeout", "10s", "-s", str(script), base]
    out = subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, check=True
    ).stdout
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)$", out, re.M)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "latency_ms": {f"p{p}": round(float(v) * UNIT[u], 1) for p, v, u in LATENCY.findall(out)},
        "answers": int(re.search(r"(\d+) requests in", out).group(1)),
        "not_2xx": int(failed.group(1)) if failed else 0,
        "socket_errors": errors.group(1).strip() if errors else None,
    }


def stored_bids(url: str) -> list[tuple[int, int, int]]:
    """(bid, tender, supplier) of every bid stored."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            query = text("SELECT id, tender_id, supplier_id FROM procurement_bid")
            return [(bid, tender, supplier) for bid, tender, supplier in connection.execute(query)]
    finally:
        engine.dispose()


def commits_signed(url: str) -> int:
    """Checkpoints in the log: one per batch of bids recorded (and one per setup step)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM ledger_checkpoint")).scalar_one()
    finally:
        engine.dispose()


def check_receipts(base: str, bids, tokens_by_supplier, sample: int) -> dict:
    """The stored receipts of a sample of bids, each checked as `verify-receipt` checks one."""
    checked, failures = 0, []
    with httpx.Client(base_url=base, timeout=30) as client:
        for bid_id, tender_id, supplier_id in random.sample(bids, min(sample, len(bids))):
            token = tokens_by_supplier[supplier_id]
            response = client.get(
                f"/api/tenders/{tender_id}/bids/{bid_id}/receipt",
                headers={"Authorization": f"Bearer {token}"},
            )
            response.raise_for_status()
            receipt = receipt_check.read(response.text)
            bad = [
                f.message
                for f in receipt_check.check_log(receipt, verifier_key=None)
                if f.holds is False
            ]
            failures += bad
            checked += 1
    return {"checked": checked, "failures": failures}


def supplier_ids(url: str, count: int) -> list[int]:
    """The suppliers `prepare` made, in the order of their tokens."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [
                row[0]
                for row in connection.execute(
                    text(
                        "SELECT u.organisation_id FROM auth_user u WHERE u.email LIKE "
                        "'s%@crash.example' ORDER BY u.id"
                    )
                )
            ][:count]
    finally:
        engine.dispose()


def run(args: argparse.Namespace) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="prongsai-bids-http-"))
    report: dict = {
        "database": "postgresql" if args.server else "sqlite",
        "connections": args.connections,
        "duration_s": args.duration,
    }
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("PRONGSAI_")}
    try:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        bare = [sys.executable, "-m", "uvicorn", "--factory", "bench.bare_app:create"]
        bare += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
        with serving(bare, base_env, base, "/docs", folder / "bare.log"):
            report["bare"] = drive(base, "/api/tenders/1/bids", ["bare"], args)
        for workers in args.workers:
            url, drop = fresh_database(args.server, folder, label=f"bids{workers}")
            try:
                data_dir = folder / f"data-{workers}"
                settings = Settings(
                    data_dir=data_dir, database_url=url, secret_key="b" * 32,
                    procurement_min_tender_days=0,
                )  # fmt: skip
                env = {
                    **base_env,
                    "PRONGSAI_DATABASE_URL": url,
                    "PRONGSAI_DATA_DIR": str(data_dir),
                    "PRONGSAI_SECRET_KEY": "b" * 32,
                    "PRONGSAI_PROCUREMENT_MIN_TENDER_DAYS": "0",
                    "PRONGSAI_RUN_SCHEDULER": "false",
                }
                open_for = timedelta(seconds=args.duration + 600)
                tender_id, tokens, _ = prepare(url, settings, env, args.suppliers, open_for)
                tenders = [tender_id, *more_tenders(url, settings, args.tenders - 1, open_for)]
                paths = ",".join(f"/api/tenders/{t}/bids" for t in tenders)
                checkpoints_before = commits_signed(url)
                port = free_port()
                base = f"http://127.0.0.1:{port}"
                command = [sys.executable, "-m", "prongsai.cli", "serve", "--port", str(port)]
                command += ["--workers", str(workers)]
                if args.profile:  # py-spy's samples of the serving process, for flame graphs
                    profile = f"{args.profile}.{workers}"
                    spy = ["py-spy", "record", "-f", "raw", "-r", "50", "-o", profile, "--"]
                    command = [*spy, *command]
                with serving(command, env, base, "/healthz", folder / f"serve-{workers}.log"):
                    driven = drive(base, paths, tokens, args)
                    bids = stored_bids(url)
                    # The floor under any bid: one authenticated request that reads its
                    # token and user and answers, on the same server, with the same tokens.
                    floor = wrk(base, LUA, {**ME, "BIDS_TOKENS": ",".join(tokens)}, args)
                    owners = dict(zip(supplier_ids(url, len(tokens)), tokens, strict=True))
                    driven["receipts"] = check_receipts(base, bids, owners, args.sample)
                driven["stored"] = len(bids)
                # Each batch of bids signs one checkpoint: bids per checkpoint is the batch.
                batches = commits_signed(url) - checkpoints_before
                driven["batches"] = batches
                driven["bids_per_batch"] = round(len(bids) / batches, 1) if batches else None
                driven["acknowledged"] = driven["answers"] - driven["not_2xx"]
                # wrk counts answers it read in full; a request cut at the end of the run may be
                # stored unanswered, never the reverse.
                driven["lost"] = max(0, driven["acknowledged"] - len(bids))
                driven["share_of_bare"] = round(
                    driven["requests_per_second"] / report["bare"]["requests_per_second"], 4
                )
                driven["authenticated_floor"] = {
                    "path": ME["BIDS_PATHS"],
                    "requests_per_second": floor["requests_per_second"],
                    "share_of_bare": round(
                        floor["requests_per_second"] / report["bare"]["requests_per_second"], 4
                    ),
                    "bids_share_of_floor": round(
                        driven["requests_per_second"] / floor["requests_per_second"], 4
                    ),
                }
                report[f"prongsai_{workers}_process{'es' if workers > 1 else ''}"] = driven
            finally:
                drop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--suppliers", type=int, default=16)
    parser.add_argument("--tenders", type=int, default=1, help="tenders the bids spread over")
    parser.add_argument("--sample", type=int, default=20, help="receipts checked afterwards")
    parser.add_argument("--profile", help="record the server with py-spy into this file (raw)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("bid_http_bench: wrk is missing (scripts/system-packages.sh wrk)", file=sys.stderr)
        return 2
    if args.server is None and max(args.workers) > 1:
        print("bid_http_bench: several processes need PostgreSQL (--server)", file=sys.stderr)
        return 2
    print(json.dumps(run(args), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
