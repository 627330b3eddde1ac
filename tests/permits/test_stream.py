"""The live stream, against a real server: in-process and cross-process changes, resume."""

import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlmodel import Session

from core.clock import system_clock
from core.db import make_engine
from core.ledger import service as ledger_service
from core.settings import Settings
from permits import service
from permits.rules import Action
from prongsai import schema
from prongsai.app import create_app
from tests.conftest import ON_POSTGRES
from tests.permits import factories

PROCS = Path(__file__).parent / "_procs"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live(fresh_database, tmp_path):
    schema.upgrade(fresh_database)
    engine = make_engine(fresh_database)
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=fresh_database,
        secret_key="k" * 32,
        run_scheduler=False,
        cookie_secure=False,
        permits_stream_heartbeat_seconds=0.5,
    )
    with Session(engine) as session:
        ledger_service.open_signer(session, settings=settings)  # the key, made on an empty log
        now = system_clock()
        factories.departments(session, now=now)
        officer = factories.officer(session, department="bma-health", now=now)
        application = factories.food_application(session, now=now, settings=settings)
        number, email = application.tracking_number, officer.email
    app = create_app(settings, engine=engine)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "the server did not start"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield {
        "url": f"http://127.0.0.1:{port}",
        "number": number,
        "email": email,
        "engine": engine,
        "settings": settings,
        "db": fresh_database,
        "tmp": tmp_path,
    }
    server.should_exit = True
    thread.join(10)
    engine.dispose()


def read_events(response, want: int, timeout: float = 10.0):
    """Parse server-sent events until `want` change events arrived; heartbeats counted too."""
    events, heartbeats, current = [], 0, {}
    deadline = time.monotonic() + timeout
    for line in response.iter_lines():
        if line.startswith(":"):
            heartbeats += 1
        elif line.startswith("id:"):
            current["id"] = line[3:].strip()
        elif line.startswith("data:"):
            current["data"] = json.loads(line[5:].strip())
        elif line == "" and "data" in current:
            current["at"] = time.monotonic()
            events.append(current)
            current = {}
            if len(events) >= want:
                break
        if time.monotonic() > deadline:
            break
    return events, heartbeats


def advance(live):
    with Session(live["engine"]) as session:
        from core.auth import service as auth_service

        officer = auth_service.get_user_by_email(session, email=live["email"])
        service.act(
            session,
            number=live["number"],
            action=Action.ADVANCE,
            actor=officer,
            now=system_clock(),
            settings=live["settings"],
        )


def test_a_change_reaches_the_stream_within_a_second_and_a_reconnect_resumes(live):
    url = f"{live['url']}/api/permits/{live['number']}/stream"
    with httpx.Client(timeout=15) as client, client.stream("GET", url) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        time.sleep(0.3)
        started = time.monotonic()
        advance(live)
        events, _ = read_events(response, want=1)
    assert events
    assert events[0]["at"] - started < 1.0
    first = events[0]
    assert first["data"]["subject"] == live["number"]
    assert first["data"]["payload"]["action"] == "advance"
    # Reconnecting with Last-Event-ID from before the change replays it: nothing is missed.
    with (
        httpx.Client(timeout=15) as client,
        client.stream("GET", url, headers={"last-event-id": str(int(first["id"]) - 1)}) as response,
    ):
        replayed, _ = read_events(response, want=1)
    assert replayed[0]["id"] == first["id"]


def test_heartbeats_keep_an_idle_stream_open(live):
    url = f"{live['url']}/api/permits/{live['number']}/stream"
    with httpx.Client(timeout=15) as client, client.stream("GET", url) as response:
        lines = []
        for line in response.iter_lines():
            lines.append(line)
            if sum(1 for x in lines if x.startswith(":")) >= 2:
                break
    assert sum(1 for x in lines if x.startswith(":")) >= 2


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="cross-process delivery is PostgreSQL LISTEN/NOTIFY")
def test_a_change_made_by_another_process_reaches_the_stream(live):
    url = f"{live['url']}/api/permits/{live['number']}/stream"
    with httpx.Client(timeout=15) as client, client.stream("GET", url) as response:
        time.sleep(0.3)
        started = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                str(PROCS / "advance.py"),
                live["db"],
                live["number"],
                live["email"],
                str(live["tmp"] / "child"),
            ],
            check=True,
            cwd=Path(__file__).parents[2],
            timeout=60,
        )
        finished = time.monotonic()
        events, _ = read_events(response, want=1)
    assert events[0]["data"]["payload"]["action"] == "advance"
    assert events[0]["at"] - finished < 1.0, events[0]["at"] - started
