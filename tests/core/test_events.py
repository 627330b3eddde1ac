"""Domain events: delivered after commit only, by prefix, resumable, and across processes."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from core.db import make_engine
from core.events import DomainEvent, Event, EventBus, publish
from prongsai import schema
from tests.conftest import ON_POSTGRES, START, create_database, drop_database

needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL (several processes on one database)"
)
PROCS = Path(__file__).parent / "_procs"
REPO = Path(__file__).resolve().parents[2]


class Inbox:
    """A subscriber that keeps what it hears and lets a test await it."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: DomainEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(self, found: Callable[[list[DomainEvent]], bool], timeout: float = 10) -> bool:
        """Wait until `found(events)` holds; False if it still does not after `timeout`."""
        with self._changed:
            return self._changed.wait_for(lambda: found(self.events), timeout)

    def subjects(self) -> list[str | None]:
        """The subjects heard so far, in order."""
        return [event.subject for event in self.events]


# The event bus's listening connection, as the server lists it.
LISTENERS = (
    "FROM pg_stat_activity"
    " WHERE application_name = 'prongsai-events' AND datname = current_database()"
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    # A database of our own: these tests commit for real, and others must not see it.
    url = create_database(tmp_path_factory.mktemp("events"), "events")
    schema.upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_database(url)


@pytest.fixture
def bus(engine: Engine) -> Iterator[EventBus]:
    bus = EventBus(engine, poll_seconds=0.2)
    bus.start()
    yield bus
    bus.stop()


def publish_and_commit(engine: Engine, name: str, subject: str, **payload: object) -> int:
    with Session(engine) as session:
        event_id = publish(session, name=name, payload=payload, now=START, subject=subject).id
        session.commit()
    assert event_id is not None
    return event_id


def insert_without_publish(engine: Engine, subject: str) -> None:
    """An event another process might have committed: a row and a notification, no hooks."""
    with engine.begin() as connection:
        event_id = connection.execute(
            text(
                "INSERT INTO core_event (name, subject, payload, created_at)"
                " VALUES ('tests.raw.inserted', :subject, '{}', :now) RETURNING id"
            ),
            {"subject": subject, "now": START},
        ).scalar_one()
        connection.execute(text("SELECT pg_notify('prongsai_events', :id)"), {"id": str(event_id)})


def test_subscribers_hear_of_an_event_after_commit_only(engine, bus):
    inbox = Inbox()
    bus.subscribe("tests.", inbox)
    with Session(engine) as session:
        row = publish(
            session, name="tests.bid.sealed", payload={"lot": [1, 2]}, now=START, subject="bid-1"
        )
        assert inbox.events == []
        session.commit()
        assert [(e.id, e.name, e.subject) for e in inbox.events] == [
            (row.id, "tests.bid.sealed", "bid-1")
        ]
        assert inbox.events[0].payload == {"lot": (1, 2)}
        assert inbox.events[0].created_at == START
        with pytest.raises(TypeError):
            inbox.events[0].payload["lot"] = []  # type: ignore[index]

        publish(session, name="tests.bid.sealed", payload={}, now=START, subject="bid-2")
        session.rollback()
        publish(session, name="tests.bid.sealed", payload={}, now=START, subject="bid-3")
    # Closed without a commit: as good as a rollback.
    assert inbox.subjects() == ["bid-1"]


def test_a_rolled_back_savepoint_takes_its_events_along(engine, bus):
    inbox = Inbox()
    bus.subscribe("tests.", inbox)
    with Session(engine) as session:
        publish(session, name="tests.permit.filed", payload={}, now=START, subject="kept")
        savepoint = session.begin_nested()
        publish(session, name="tests.permit.filed", payload={}, now=START, subject="undone")
        savepoint.rollback()
        with session.begin_nested():
            publish(session, name="tests.permit.filed", payload={}, now=START, subject="released")
        session.commit()
    assert inbox.subjects() == ["kept", "released"]


def test_subscriptions_match_a_prefix_a_root_or_a_whole_name(engine, bus):
    inboxes = {prefix: Inbox() for prefix in ("", "tests.", "tests.bid", "tests.bid.sealed")}
    for prefix, inbox in inboxes.items():
        bus.subscribe(prefix, inbox)
    for name in ("tests.bid.sealed", "tests.bid.sealed_late", "tests.bidder.joined"):
        publish_and_commit(engine, name, name)
    publish_and_commit(engine, "elsewhere.bid.sealed", "elsewhere")
    heard = {prefix: inbox.subjects() for prefix, inbox in inboxes.items()}
    assert heard == {
        "": ["tests.bid.sealed", "tests.bid.sealed_late", "tests.bidder.joined", "elsewhere"],
        "tests.": ["tests.bid.sealed", "tests.bid.sealed_late", "tests.bidder.joined"],
        "tests.bid": ["tests.bid.sealed", "tests.bid.sealed_late"],
        "tests.bid.sealed": ["tests.bid.sealed"],
    }


def test_unsubscribed_and_stopped_buses_hear_nothing(engine):
    bus, inbox = EventBus(engine), Inbox()
    subscription = bus.subscribe("tests.", inbox)
    publish_and_commit(engine, "tests.bid.sealed", "before start")
    bus.start()
    publish_and_commit(engine, "tests.bid.sealed", "while started")
    bus.unsubscribe(subscription)
    publish_and_commit(engine, "tests.bid.sealed", "unsubscribed")
    bus.subscribe("tests.", inbox)
    bus.stop()
    publish_and_commit(engine, "tests.bid.sealed", "after stop")
    assert inbox.subjects() == ["while started"]


@pytest.mark.parametrize(
    "name", ["bid.sealed", "a.bid.sealed.late", "Procurement.bid.sealed", "a.b." + "c" * 80]
)
def test_event_names_must_be_domain_subject_action(engine, name):
    with Session(engine) as session, pytest.raises(ValueError, match=r"domain\.subject\.action"):
        publish(session, name=name, payload={}, now=START)


def test_a_failing_handler_neither_stops_the_others_nor_the_commit(engine, bus, caplog):
    def broken(_event: DomainEvent) -> None:
        raise RuntimeError("handler bug")

    inbox = Inbox()
    bus.subscribe("tests.", broken)
    bus.subscribe("tests.", inbox)
    with caplog.at_level(logging.ERROR, logger="core.events"):
        publish_and_commit(engine, "tests.bid.sealed", "survives")
    assert inbox.subjects() == ["survives"]
    assert "handler bug" in caplog.text


def test_a_stream_resumes_after_an_id_then_follows_live_events(engine, bus):
    first = publish_and_commit(engine, "tests.stream.opened", "one")
    publish_and_commit(engine, "elsewhere.stream.opened", "not for us")
    publish_and_commit(engine, "tests.stream.opened", "two")

    async def follow() -> list[str | None]:
        heard = []
        stream = bus.stream("tests.stream.", after_id=first)
        async with asyncio.timeout(10):
            heard.append((await anext(stream)).subject)  # from the table
            await asyncio.to_thread(publish_and_commit, engine, "tests.stream.opened", "three")
            heard.append((await anext(stream)).subject)  # live
            await stream.aclose()
        return heard

    assert asyncio.run(follow()) == ["two", "three"]


def test_a_stream_ends_when_its_consumer_falls_behind(engine, bus):
    async def follow() -> list[str | None]:
        stream = bus.stream("tests.", max_queued=2)
        pending = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)  # let the stream subscribe and wait
        for subject in ("a", "b", "c"):  # on the loop's thread: nothing is consumed meanwhile
            publish_and_commit(engine, "tests.stream.opened", subject)
        async with asyncio.timeout(10):
            heard = [(await pending).subject]
            heard += [event.subject async for event in stream]
        return heard

    assert asyncio.run(follow()) == ["a"]  # the client resumes from "a" with Last-Event-ID


def test_the_event_table_matches_its_migration(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        drift = compare_metadata(context, SQLModel.metadata)
    assert Event.__tablename__ in SQLModel.metadata.tables
    assert [change for change in drift if "core_event" in repr(change)] == []


def run_child(engine: Engine, *steps: str) -> None:
    url = engine.url.render_as_string(hide_password=False)
    subprocess.run(
        [sys.executable, str(PROCS / "publish_events.py"), url, *steps],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
        timeout=60,
    )


@pytest.mark.postgres_only
@needs_postgres
def test_an_event_committed_in_another_process_reaches_this_bus(engine, bus):
    inbox = Inbox()
    bus.subscribe("tests.child.", inbox)
    run_child(engine, "rollback=undone", "commit=done")
    assert inbox.wait_for(lambda events: len(events) >= 1, timeout=10)
    # Notifications arrive in commit order, so a rolled-back one would have come first.
    assert inbox.subjects() == ["done"]
    assert inbox.events[0].payload["pid"] != os.getpid()


@pytest.mark.postgres_only
@needs_postgres
def test_events_of_this_process_arrive_once_though_notified_too(engine, bus):
    inbox = Inbox()
    bus.subscribe("tests.", inbox)
    publish_and_commit(engine, "tests.bid.sealed", "own")
    insert_without_publish(engine, "marker")  # notified after "own", so heard after it
    assert inbox.wait_for(lambda events: "marker" in [e.subject for e in events], timeout=10)
    assert inbox.subjects() == ["own", "marker"]


@pytest.mark.postgres_only
@needs_postgres
def test_the_listener_reconnects_and_catches_up(engine, bus):
    inbox = Inbox()
    bus.subscribe("tests.", inbox)
    with engine.begin() as connection:
        ended = connection.execute(text(f"SELECT pg_terminate_backend(pid) {LISTENERS}")).scalars()
        assert list(ended) == [True]
    insert_without_publish(engine, "while away")
    assert inbox.wait_for(lambda events: len(events) >= 1, timeout=15)
    insert_without_publish(engine, "after return")
    assert inbox.wait_for(lambda events: len(events) >= 2, timeout=15)
    assert inbox.subjects() == ["while away", "after return"]


@pytest.mark.postgres_only
@needs_postgres
def test_stop_ends_the_listener_and_closes_its_connection(engine, bus):
    assert bus.listening
    bus.stop()
    assert not any(thread.name == "prongsai-events" for thread in threading.enumerate())

    # The connection is closed by now; its server process leaves pg_stat_activity a moment
    # later, on its own (it lingered there once in CI): so wait for it, a few seconds at most.
    def listeners() -> int:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) {LISTENERS}")).scalar_one()

    deadline = time.monotonic() + 5
    while listeners() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listeners() == 0
