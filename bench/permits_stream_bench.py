"""Live-stream benchmark: 1,000 SSE subscribers on one application, then one change.

    .venv/bin/python bench/permits_stream_bench.py                     # SQLite, temp folder
    .venv/bin/python bench/permits_stream_bench.py \\
        --server postgresql+psycopg://postgres@127.0.0.1:5432/test     # a fresh PG database
    .venv/bin/python bench/permits_stream_bench.py --server ... --via service

Makes a fresh database (dropped afterwards), migrates it, files one food-sanitation
application, starts `prongsai serve` on it, opens --subscribers connections to
/api/permits/{n}/stream (raw asyncio sockets: a thousand httpx clients would load the
one machine more than the server does), then makes one change:
- --via api (default): an officer's POST /api/permits/{n}/transitions, committed in the
  server process, so delivered at commit on SQLite and PostgreSQL alike;
- --via service (PostgreSQL only): permits.service.act in this process, reaching the server
  through LISTEN/NOTIFY, as a change made by another worker or a job would.
A warm-up change on a second application comes first, so the measured one does not pay
the server's first-request costs. Latency is each subscriber's receipt time (same machine,
same clock): via the service, from the exact commit (an after_commit hook); via the API, the
commit lies between the request and its answer, so both bounds are printed. Also printed:
how many subscribers got the event within --wait seconds, and connection errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import event as sa_event
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ledger_bench import fresh_database, percentile
from core.auth import service as auth_service
from core.auth.models import OrganisationKind, Role, TokenKind
from core.db import make_engine
from core.ledger import service as ledger_service
from core.settings import Settings
from permits import catalogue, service
from permits.rules import Action
from permits.uploads import Upload
from prongsai import schema

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DEPARTMENTS = ("bma-public-works", "bma-health", "phra-nakhon-district")


def raise_file_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        sys.exit(f"open-file limit {soft} < {need}: raise the hard limit (ulimit -Hn)")


def seed(url: str, settings: Settings) -> tuple[list[str], str, str]:
    """Two applications in their first stage (a warm-up, the measured), officer, API token."""
    schema.upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        ledger_service.open_signer(session, settings=settings)
        for slug in DEPARTMENTS:
            auth_service.create_organisation(
                session, slug=slug, name=f"Dept {slug}", kind=OrganisationKind.DEPARTMENT, now=now
            )
        catalogue.load_types(session, now=now)
        officer = auth_service.create_user(
            session,
            email="officer@bench.example",
            display_name="Bench Officer",
            role=Role.PERMIT_OFFICER,
            password="bench-password-1",
            organisation_slug="bma-health",
            now=now,
        )
        applicant = auth_service.create_user(
            session,
            email="applicant@bench.example",
            display_name="Bench Applicant",
            role=Role.APPLICANT,
            password="bench-password-1",
            now=now,
        )
        numbers = [
            service.apply(
                session,
                applicant=applicant,
                type_code="FOD",
                now=now,
                settings=settings,
                values={
                    "full_name": "Bench Cook",
                    "phone": "0899999999",
                    "shop_name": "Bench stall",
                    "seats": "12",
                    "shop_address": "1 Soi Bench",
                },
                files=[
                    Upload("floor_plan", "plan.pdf", PDF),
                    Upload("health_certificate", "health.png", PNG),
                ],
            ).tracking_number
            for _ in range(2)
        ]
        raw, _ = auth_service.issue_token(
            session, user=officer, kind=TokenKind.API, now=now, lifetime=timedelta(hours=2)
        )
        session.commit()
        email = officer.email
    engine.dispose()
    return numbers, email, raw


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, data_dir: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRONGSAI_")}
    env.update(
        PRONGSAI_DATABASE_URL=url,
        PRONGSAI_DATA_DIR=str(data_dir),
        PRONGSAI_RUN_SCHEDULER="false",
        PRONGSAI_LOG_LEVEL="WARNING",
        PRONGSAI_PERMITS_STREAM_HEARTBEAT_SECONDS="5",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "prongsai.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            sys.exit("the server exited on start")
        if time.monotonic() > deadline:
            process.terminate()
            sys.exit("the server did not start within 30 s")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)


class Subscriber:
    """One SSE connection on a raw socket; notes when the change event arrives."""

    def __init__(self, port: int, number: str) -> None:
        self.port, self.number = port, number
        self.connected = asyncio.Event()
        self.received_at: float | None = None
        self.event: dict | None = None
        self.error: str | None = None

    async def run(self, done: asyncio.Event) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError as error:
            self.error = f"connect: {error}"
            self.connected.set()
            return
        try:
            writer.write(
                f"GET /api/permits/{self.number}/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Accept: text/event-stream\r\n\r\n".encode()
            )
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                self.error = head.split(b"\r\n", 1)[0].decode()
                return
            self.connected.set()
            buffer = b""
            while self.received_at is None:
                read = asyncio.ensure_future(reader.read(65536))
                stop = asyncio.ensure_future(done.wait())
                finished, _ = await asyncio.wait({read, stop}, return_when=asyncio.FIRST_COMPLETED)
                if read not in finished:
                    read.cancel()
                    return
                stop.cancel()
                chunk = read.result()
                if not chunk:
                    self.error = "closed by the server"
                    return
                buffer += chunk
                for line in buffer.split(b"\n"):  # chunk-size lines never start with data:
                    line = line.strip()
                    if line.startswith(b"data:"):
                        self.received_at = time.time()
                        self.event = json.loads(line[5:])
                        break
                buffer = buffer[buffer.rfind(b"\n") + 1 :]
        except (OSError, asyncio.IncompleteReadError, json.JSONDecodeError) as error:
            self.error = self.error or f"{type(error).__name__}: {error}"
        finally:
            self.connected.set()
            writer.close()


def change_via_api(port: int, number: str, token: str) -> tuple[float, float]:
    sent = time.time()
    response = httpx.post(
        f"http://127.0.0.1:{port}/api/permits/{number}/transitions",
        json={"action": "advance"},
        headers={"authorization": f"Bearer {token}"},
        timeout=30,
    )
    answered = time.time()
    response.raise_for_status()
    return sent, answered


def change_via_service(
    url: str, number: str, email: str, settings: Settings
) -> tuple[float, float]:
    """Returns the call's start and the exact moment its transaction committed."""
    engine = make_engine(url)
    committed: list[float] = []
    with Session(engine) as session:
        officer = auth_service.get_user_by_email(session, email=email)
        sa_event.listen(session, "after_commit", lambda _: committed.append(time.time()))
        sent = time.time()
        service.act(
            session,
            number=number,
            action=Action.ADVANCE,
            actor=officer,
            now=datetime.now(UTC),
            settings=settings,
        )
    engine.dispose()
    return sent, committed[0]


async def measure(
    args, port: int, numbers: list[str], email: str, token: str, url: str, settings: Settings
) -> dict:
    warm_up, number = numbers
    done = asyncio.Event()
    subscribers = [Subscriber(port, number) for _ in range(args.subscribers)]
    tasks = []
    started = time.monotonic()
    for start in range(0, len(subscribers), 100):  # a burst of 100 at a time: no SYN floods
        batch = subscribers[start : start + 100]
        tasks += [asyncio.create_task(s.run(done)) for s in batch]
        await asyncio.gather(*(s.connected.wait() for s in batch))
    connect_seconds = time.monotonic() - started
    # Headers come before the stream subscribes to the bus; give every generator time to start.
    await asyncio.sleep(args.settle)
    connected = sum(1 for s in subscribers if s.error is None)
    # The latency of the first request of a fresh process is start-up cost: pay it first,
    # on another application (its events have another subject, which no subscriber wants).
    await asyncio.to_thread(change_via_api, port, warm_up, token)
    await asyncio.sleep(0.5)
    if args.via == "api":
        sent, answered = await asyncio.to_thread(change_via_api, port, number, token)
    else:
        sent, answered = await asyncio.to_thread(change_via_service, url, number, email, settings)
    deadline = time.monotonic() + args.wait
    while time.monotonic() < deadline and any(
        s.received_at is None and s.error is None for s in subscribers
    ):
        await asyncio.sleep(0.05)
    done.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    got = [s for s in subscribers if s.received_at is not None]
    errors = sorted({s.error for s in subscribers if s.error})
    right = [
        s
        for s in got
        if s.event["subject"] == number and s.event["payload"].get("action") == "advance"
    ]
    # Via the service, `answered` is the commit itself. Via the API the commit falls between
    # the request and its answer; the answer comes after the commit (and after the events
    # were handed to the subscribers' queues), so receipt minus answer is a lower bound.
    return {
        "connected": connected,
        "connect_seconds": connect_seconds,
        "received": len(right),
        "wrong_events": len(got) - len(right),
        "errors": errors,
        "from_answer": [(s.received_at - answered) * 1000 for s in right],
        "from_sent": [(s.received_at - sent) * 1000 for s in right],
        "request_ms": (answered - sent) * 1000,
    }


def figures(label: str, values: list[float]) -> str:
    if not values:
        return f"{label}: none received"
    return (
        f"{label}: p50 {statistics.median(values):.1f} ms, p99 {percentile(values, 99):.1f} ms,"
        f" max {max(values):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="PostgreSQL URL to create the bench database on")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--via", choices=("api", "service"), default="api")
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds between connecting and the change"
    )
    parser.add_argument("--wait", type=float, default=15.0, help="seconds to wait for delivery")
    args = parser.parse_args()
    if args.via == "service" and not args.server:
        sys.exit("--via service needs PostgreSQL: SQLite has no cross-process delivery")
    raise_file_limit(args.subscribers * 2 + 256)  # inherited by the server process
    url, drop = fresh_database(args.server)
    data_dir = (
        Path(url.removeprefix("sqlite:///")).parent
        if url.startswith("sqlite")
        else Path(tempfile.mkdtemp(prefix="prongsai-bench-"))
    )
    settings = Settings(data_dir=data_dir, database_url=url, run_scheduler=False)
    server = None
    try:
        numbers, email, token = seed(url, settings)
        port = free_port()
        server = start_server(url, data_dir, port)
        result = asyncio.run(measure(args, port, numbers, email, token, url, settings))
        database = "postgresql" if url.startswith("postgresql") else "sqlite"
        print(
            f"# permits stream bench on {database}, {platform.node()}, "
            f"{os.cpu_count()} CPUs, {datetime.now(UTC):%Y-%m-%d}, change via {args.via}"
        )
        print(
            f"subscribers: {result['connected']}/{args.subscribers} connected in "
            f"{result['connect_seconds']:.1f} s"
        )
        print(
            f"received the change: {result['received']}/{args.subscribers}"
            f" (wrong events: {result['wrong_events']})"
        )
        if args.via == "service":
            print(figures("latency from the commit", result["from_answer"]))
            print(figures("latency from the service call", result["from_sent"]))
        else:
            print(figures("latency from the request (upper bound)", result["from_sent"]))
            print(figures("latency from the answer (lower bound)", result["from_answer"]))
        print(f"the change took {result['request_ms']:.1f} ms (request or call to commit)")
        if result["errors"]:
            print("errors:", "; ".join(result["errors"][:5]))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
        drop()


if __name__ == "__main__":
    main()
