"""Crash campaign: a bid burst with retries while the server is killed with `kill -9`, then a
Jepsen-style check of the history.

    .venv/bin/python bench/crash_campaign.py --kills 20
    .venv/bin/python bench/crash_campaign.py --kills 20 --server postgresql+psycopg://postgres@127.0.0.1/test

Makes a fresh database and data folder, a buyer, a tender whose deadline and opening fall a few
seconds after the burst, and --suppliers companies each with an API token. Every supplier then
sends its one bid with an Idempotency-Key and retries the same request (same key, same body) on
any connection error, timeout or 5xx until it gets an answer, while this script kills the
server with SIGKILL --kills times at random moments and restarts it each time; the last kill
falls just after the opening time, while the scheduled job may be opening the tender.

Then it checks the history:
- every acknowledged bid (a 201 receipt) is in the database, with the receipt's commitment;
- no supplier has more than one bid, and every supplier's key was answered (none stuck);
- the tender was opened exactly once (one `procurement.bids.opened` entry in the log);
- `prongsai ledger verify` is clean;
- every receipt's inclusion proof verifies against its own root, and a consistency proof links
  that root to the latest signed checkpoint.
Exit status 0 when every check holds. Each supplier sends --rounds versions of its bid (each
replacing the last) at random moments of the burst, so kills land while requests are in flight.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.databases import fresh_database  # noqa: E402
from core.auth import service as auth_service  # noqa: E402
from core.auth.models import OrganisationKind, Role, TokenKind  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.ledger import merkle  # noqa: E402
from core.settings import Settings  # noqa: E402
from procurement.bids import service as bidding  # noqa: E402
from procurement.bids.schemas import SupplierIn  # noqa: E402
from procurement.tenders import service as tender_service  # noqa: E402
from procurement.tenders.schemas import TenderDraftIn  # noqa: E402

PASSWORD = "crash campaign password"


@dataclass
class History:
    acknowledged: dict[int, dict] = field(default_factory=dict)  # supplier index → receipt
    refused: dict[int, tuple[int, str]] = field(default_factory=dict)
    # Versions whose every try before the deadline met a dead server, refused after it: what a
    # real supplier sees when the server is down at the deadline; never acknowledged, so no loss.
    refused_late: int = 0
    deadline: datetime | None = None
    retries: int = 0
    unanswered: list[str] = field(default_factory=list)
    every_receipt: list[dict] = field(default_factory=list)
    last_failure: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


def prepare(
    url: str, settings: Settings, env: dict[str, str], suppliers: int, open_for: timedelta
) -> tuple[int, list, datetime]:
    """A buyer, a published tender and `suppliers` companies with API tokens."""
    migrated = subprocess.run(
        [sys.executable, "-m", "prongsai.cli", "migrate"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if migrated.returncode != 0:
        raise RuntimeError(migrated.stderr)
    engine = make_engine(url)
    now = datetime.now(UTC)
    tokens = []
    try:
        with Session(engine) as session:
            for kind, slug in ((OrganisationKind.BUYING_ENTITY, "crash-buyer"),):
                auth_service.create_organisation(
                    session, slug=slug, name="Crash buyer", kind=kind, now=now
                )
            buyer = auth_service.create_user(
                session,
                email="buyer@crash.example",
                display_name="Buyer",
                role=Role.BUYER,
                password=PASSWORD,
                organisation_slug="crash-buyer",
                now=now,
            )
            for n in range(suppliers):
                slug = f"crash-supplier-{n}"
                auth_service.create_organisation(
                    session,
                    slug=slug,
                    name=f"Supplier {n}",
                    kind=OrganisationKind.SUPPLIER,
                    now=now,
                )
                user = auth_service.create_user(
                    session,
                    email=f"s{n}@crash.example",
                    display_name=f"Supplier {n}",
                    role=Role.SUPPLIER,
                    password=PASSWORD,
                    organisation_slug=slug,
                    now=now,
                )
                bidding.register_supplier(
                    session,
                    user=user,
                    now=now,
                    details=SupplierIn(
                        address="1 Silom Road, Bangkok",
                        contact_name="K. Test",
                        contact_email="k@crash.example",
                        contact_phone="+66 2 000 0000",
                    ),
                )
                raw, _ = auth_service.issue_token(
                    session, user=user, kind=TokenKind.API, now=now, lifetime=None, name="crash"
                )
                tokens.append(raw)
            now = datetime.now(UTC)  # the suppliers took a while: the tender's clock starts here
            deadline = now + open_for
            draft = TenderDraftIn(
                title="Crash campaign tender",
                description="Bids while the server is killed",
                category="goods",
                estimated_value=10**9,
                enquiry_end_at=now + timedelta(seconds=1),
                tender_start_at=now,
                tender_end_at=deadline,
                opening_at=deadline,
                items=[{"description": "Pump", "quantity": "1", "unit": "unit"}],
            )
            tender = tender_service.create_draft(session, buyer=buyer, draft=draft, now=now)
            tender_service.publish(
                session, buyer=buyer, tender_id=tender.id, now=now, settings=settings
            )
            return tender.id, tokens, deadline
    finally:
        engine.dispose()


class Server:
    """`prongsai serve` as a child process that can be killed and restarted on one port."""

    def __init__(self, env: dict[str, str], port: int, log) -> None:
        self.env, self.port, self.process, self.log = env, port, None, log
        self.base = f"http://127.0.0.1:{port}"
        self.start_seconds: list[float] = []  # from the process's start to a healthy answer

    def start(self) -> None:
        began = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "prongsai.cli", "serve", "--port", str(self.port)],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    self.start_seconds.append(time.monotonic() - began)
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError(f"the server did not start; see {self.log.name}")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def bidder(server: Server, tender_id: int, index: int, token: str, history: History, args):
    """One supplier replacing its bid `args.rounds` times across the burst; each version has its
    own Idempotency-Key and is retried with the same key and body until it is answered."""
    started = time.monotonic()
    # One client per supplier, as a real one keeps: a client per try would build a TLS context
    # each time, and a retry storm of those starved the restarting server of the processor.
    with httpx.Client(timeout=10) as client:
        _bid_rounds(client, server, tender_id, index, token, history, args, started)


def _bid_rounds(client, server, tender_id, index, token, history, args, started) -> None:
    for round_ in range(args.rounds):
        time.sleep(max(0.0, started + random.uniform(0, args.burst_seconds) - time.monotonic()))
        key = f"crash-{index}-{round_}-{secrets.token_hex(4)}"
        price = 1_000_000 + index * 100 + round_
        body = {"price": {"amount": price, "currency": "THB"}, "declaration": True}
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
        if not send(client, server, tender_id, index, body, headers, history, args):
            return


def send(client, server, tender_id, index, body, headers, history: History, args) -> bool:
    # A request is retried until it is answered: past the deadline a retry is refused (or, if
    # its bid was stored before a crash, answered with its receipt), so give up only a minute
    # after the deadline, however slowly the restarts went.
    until_deadline = (
        (history.deadline - datetime.now(UTC)).total_seconds() if history.deadline else 0
    )
    give_up = time.monotonic() + max(args.burst_seconds, until_deadline) + 60
    failure = ""
    tries = 0
    while time.monotonic() < give_up:
        try:
            response = client.post(
                f"{server.base}/api/tenders/{tender_id}/bids", json=body, headers=headers
            )
        except httpx.TransportError as error:
            response, failure = None, f"{type(error).__name__}: {error}"
        if response is not None and response.status_code in (200, 201):
            receipt = response.json()
            with history.lock:
                history.every_receipt.append(receipt)
                kept = history.acknowledged.get(index)
                if kept is None or receipt["version"] >= kept["version"]:
                    history.acknowledged[index] = receipt
            return True
        retry = (
            response is None
            or response.status_code >= 500
            or (response.status_code == 409 and "in progress" in response.text)
        )
        if not retry:
            with history.lock:
                closed = history.deadline is not None and datetime.now(UTC) >= history.deadline
                if response.status_code == 409 and closed:
                    history.refused_late += 1
                else:
                    history.refused[index] = (response.status_code, response.text[:200])
            return False
        with history.lock:
            history.retries += 1
            history.last_failure = (
                failure if response is None else f"{response.status_code} {response.text[:200]}"
            )
        # Exponential backoff with jitter, capped at a second: no retry storm while it is down.
        tries += 1
        time.sleep(min(1.0, 0.05 * 2**tries) * random.uniform(0.5, 1.0))
    with history.lock:
        history.unanswered.append(headers["Idempotency-Key"])
    return False


def run(args: argparse.Namespace) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="prongsai-crash-"))
    url, drop = fresh_database(args.server, folder, label="crash", given=args.database)
    data_dir = folder / "data"
    settings = Settings(
        data_dir=data_dir, database_url=url, secret_key="c" * 32, procurement_min_tender_days=0
    )
    with contextlib.ExitStack() as stack:
        stack.callback(drop)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRONGSAI_")}
        env.update(
            PRONGSAI_DATABASE_URL=url,
            PRONGSAI_DATA_DIR=str(data_dir),
            PRONGSAI_SECRET_KEY="c" * 32,
            PRONGSAI_PROCUREMENT_MIN_TENDER_DAYS="0",
        )
        # Open long enough for the server to start, the burst, and its retries to settle.
        # A restart takes seconds (more on a loaded machine): the deadline leaves room for each.
        # The last kill falls after the deadline, so the restarts before it are kills - 1.
        open_for = timedelta(
            seconds=args.burst_seconds
            + args.settle
            + args.restart_allowance * max(0, args.kills - 1)
        )
        tender_id, tokens, deadline = prepare(url, settings, env, args.suppliers, open_for)
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = stack.enter_context((folder / "server.log").open("ab"))
        server = Server(env, port, log)
        stack.callback(server.stop)  # on any way out, no server left behind
        server.start()
        history = History(deadline=deadline)
        started = time.monotonic()
        threads = [
            threading.Thread(
                target=bidder, args=(server, tender_id, i, t, history, args), daemon=True
            )
            for i, t in enumerate(tokens)
        ]
        for thread in threads:
            thread.start()
        # All kills but the last fall inside the burst; the last just after the opening time.
        moments = sorted(random.uniform(0.2, args.burst_seconds) for _ in range(args.kills - 1))
        for moment in moments:
            time.sleep(max(0.0, started + moment - time.monotonic()))
            server.kill()
            server.start()
            print(f"killed and restarted at +{time.monotonic() - started:.1f} s", file=sys.stderr)
        for thread in threads:
            thread.join()
        time.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.3)
        if args.kills:
            server.kill()  # while the opening job may be running
            server.start()
        opened = wait_opened(server, tender_id, timeout=40)
        report = check(url, server, tender_id, history, opened, deadline)
        server.stop()
        report["retries"] = history.retries
        report["last_retried_failure"] = history.last_failure
        report["kills"] = args.kills
        report["start_seconds"] = [round(t, 1) for t in server.start_seconds]
        if not report["problems"]:
            stack.callback(shutil.rmtree, folder, ignore_errors=True)
        else:
            report["folder"] = str(folder)  # the server's log, for whoever investigates
        return report


def wait_opened(server: Server, tender_id: int, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        tender = httpx.get(f"{server.base}/api/tenders/{tender_id}", timeout=5).json()
        if tender.get("status") in ("opened", "awarded"):
            return True
        time.sleep(0.5)
    return False


def check(url, server, tender_id, history: History, opened: bool, deadline: datetime):
    problems: list[str] = []
    late = [
        r["bid_id"]
        for r in history.every_receipt
        if datetime.fromisoformat(r["server_time"]) >= deadline
    ]
    if late:
        problems.append(f"bids acknowledged at or after the deadline: {late}")
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            bids = c.execute(
                text(
                    "SELECT id, supplier_id, commitment, status FROM procurement_bid "
                    "WHERE tender_id = :t"
                ),
                {"t": tender_id},
            ).all()
            openings = c.execute(
                text(
                    "SELECT count(*) FROM ledger_entry WHERE entry_type = 'procurement.bids.opened'"
                )
            ).scalar()
            stuck = c.execute(
                text("SELECT count(*) FROM procurement_idempotency_key WHERE bid_id IS NULL")
            ).scalar()
    finally:
        engine.dispose()
    by_id = {b.id: b for b in bids}
    per_supplier: dict[int, int] = {}
    for bid in bids:  # versions a supplier replaced stay, superseded; one counts per supplier
        if bid.status != "superseded":
            per_supplier[bid.supplier_id] = per_supplier.get(bid.supplier_id, 0) + 1
    if any(n > 1 for n in per_supplier.values()):
        problems.append(
            f"suppliers with two counted bids: {sum(n > 1 for n in per_supplier.values())}"
        )
    versions = {(b.supplier_id, b.commitment) for b in bids}
    if len(versions) != len(bids):
        problems.append("the same version stored twice (a retry made a second bid)")
    # Every acknowledged version is stored; each supplier's newest one is the bid that counts.
    lost = [
        r["bid_id"]
        for r in history.every_receipt
        if r["bid_id"] not in by_id or by_id[r["bid_id"]].commitment != r["commitment"]
    ]
    lost += [
        r["bid_id"]
        for r in history.acknowledged.values()
        if r["bid_id"] in by_id and by_id[r["bid_id"]].status == "superseded"
    ]
    if lost:
        problems.append(f"acknowledged bids missing or changed: {lost}")
    if history.unanswered:
        problems.append(
            f"{len(history.unanswered)} keys never answered, e.g. {history.unanswered[:3]} "
            f"(claims without a bid in the database: {stuck})"
        )
    if history.refused:
        problems.append(f"refused: {sorted(set(history.refused.values()))[:3]}")
    if not opened or openings != 1:
        problems.append(f"opened: {opened}, opening entries in the log: {openings}")
    verify = subprocess.run(
        [sys.executable, "-m", "prongsai.cli", "ledger", "verify", "--url", server.base],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=server.env,
        check=False,
    )
    if verify.returncode != 0:
        problems.append(f"ledger verify: {verify.stderr.strip()[-300:]}")
    signed = subprocess.run(
        [sys.executable, "-m", "prongsai.cli", "ledger", "checkpoint"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=server.env,
        check=False,
    )
    if signed.returncode != 0:
        problems.append(f"ledger checkpoint: {signed.stderr.strip()[-300:]}")
    problems += check_receipts(server, history.every_receipt)
    return {
        "acknowledged": len(history.every_receipt),
        "bids_stored": len(bids),
        "openings": openings,
        "refused_after_the_deadline": history.refused_late,
        "problems": problems,
    }


def check_receipts(server: Server, receipts: list[dict]) -> list[str]:
    """Each receipt's proof against its own root, and that root against a checkpoint signed
    after the campaign (`prongsai ledger checkpoint`, run before this)."""
    with httpx.Client(base_url=f"{server.base}/api/ledger", timeout=10) as client:
        return _check_receipts(client, receipts)


def _check_receipts(client: httpx.Client, receipts: list[dict]) -> list[str]:
    latest = client.get("/checkpoint").json()
    size, root = latest["tree_size"], bytes.fromhex(latest["root_hash"])
    problems = []
    for receipt in receipts:
        index, own_size = receipt["log_index"], receipt["tree_size"]
        page = client.get("/entries", params={"start": index, "end": index + 1}).json()
        leaf = merkle.leaf_hash(page["entries"][0]["entry"].encode())
        own_root = bytes.fromhex(receipt["root_hash"])
        proof = [bytes.fromhex(p) for p in receipt["inclusion_proof"]]
        if not merkle.verify_inclusion(leaf, index, own_size, proof, own_root):
            problems.append(f"receipt of bid {receipt['bid_id']}: inclusion proof fails")
            continue
        consistency = client.get(
            "/proof/consistency", params={"first": own_size, "second": size}
        ).json()
        path = [bytes.fromhex(p) for p in consistency["consistency_path"]]
        if not merkle.verify_consistency(own_size, size, own_root, root, path):
            problems.append(f"receipt of bid {receipt['bid_id']}: not consistent with checkpoint")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="PostgreSQL URL to create the campaign database on")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--suppliers", type=int, default=40)
    parser.add_argument("--burst-seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=4, help="bids (versions) per supplier")
    parser.add_argument(
        "--restart-allowance", type=float, default=6.0, help="seconds allowed per restart"
    )
    parser.add_argument(
        "--settle", type=float, default=15.0, help="seconds for the first start and last retries"
    )
    parser.add_argument("--database", help="an empty database to use instead of a new one")
    args = parser.parse_args(argv)
    started = time.monotonic()
    report = run(args)
    report["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(report, indent=2))
    return 0 if not report["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
