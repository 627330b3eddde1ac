"""Domain events: recorded with the change that caused them, delivered after commit.

publish() adds a core_event row in the caller's transaction. Buses in this process hear of
it once that transaction commits, never if it rolls back; on PostgreSQL the same transaction
runs pg_notify, which the server hands to every other process's bus exactly at commit.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Field, Session, SQLModel, col, select

from core.db import UTCDateTime, read_only

log = logging.getLogger(__name__)

CHANNEL = "prongsai_events"
LISTENER_APPLICATION_NAME = "prongsai-events"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_PENDING = "prongsai.events.pending"


class Event(SQLModel, table=True):
    """One domain event as stored: the outbox other processes and late readers catch up from."""

    __tablename__ = "core_event"

    id: int | None = Field(
        default=None,
        primary_key=True,
        sa_type=sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
    )
    name: str = Field(sa_type=sa.String(80), index=True)
    subject: str | None = Field(default=None, sa_type=sa.String(120), index=True)
    payload: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """A committed event as subscribers see it; its payload is a read-only view."""

    id: int
    name: str
    subject: str | None
    payload: Mapping[str, Any]
    created_at: datetime

    def to_json(self) -> str:
        """The event as one JSON object, e.g. the data line of a server-sent event."""
        return json.dumps(
            {
                "id": self.id,
                "name": self.name,
                "subject": self.subject,
                "payload": self.payload,
                "created_at": self.created_at.isoformat(),
            },
            default=dict,  # the read-only mappings of a frozen payload
            ensure_ascii=False,
            separators=(",", ":"),
        )


Handler = Callable[[DomainEvent], object]


def publish(
    session: Session,
    *,
    name: str,
    payload: dict[str, Any],
    now: datetime,
    subject: str | None = None,
) -> Event:
    """Record an event in the caller's transaction; it is delivered only if that commits."""
    check_name(name)
    if subject is not None and len(subject) > 120:
        raise ValueError("an event subject has at most 120 characters")
    if not isinstance(payload, dict):
        raise TypeError("an event payload is a dict of JSON values")
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    row = Event(name=name, subject=subject, payload=text, created_at=now)
    session.add(row)
    session.flush()  # the id is what other processes are told
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Inside the transaction: PostgreSQL delivers it at commit and drops it on rollback.
        connection.execute(sa.select(sa.func.pg_notify(CHANNEL, str(row.id))))
    transaction = session.get_nested_transaction() or session.get_transaction()
    _pending(session).append((_from_row(row), transaction))
    return row


def check_name(name: str) -> None:
    """Refuse an event name not shaped `domain.subject.action` (lower case, at most 80)."""
    if len(name) > 80 or not NAME_PATTERN.match(name):
        raise ValueError(f"event name {name!r} is not shaped domain.subject.action")


def _pending(session: Session) -> list[tuple[DomainEvent, SessionTransaction | None]]:
    pending = session.info.get(_PENDING)
    if pending is None:
        # Hooks are attached once per session; the list is emptied in place, never replaced.
        pending = session.info[_PENDING] = []
        sa_event.listen(session, "after_commit", _after_commit)
        sa_event.listen(session, "after_soft_rollback", _after_soft_rollback)
        sa_event.listen(session, "after_transaction_end", _after_transaction_end)
    return pending


def _after_commit(session: Session) -> None:
    pending = session.info[_PENDING]
    events = [event for event, _ in pending]
    pending.clear()
    with _running_lock:
        buses = list(_running)
    for bus in buses:
        for event in events:
            bus.dispatch(event)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    # A rolled-back savepoint takes its events with it; the outer transaction may still commit.
    pending = session.info[_PENDING]
    pending[:] = [(e, t) for e, t in pending if not _within(t, previous)]


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed (delivered already), rolled back or closed
        session.info[_PENDING].clear()


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    return value


def _from_row(row: Event) -> DomainEvent:
    assert row.id is not None
    payload = _freeze(json.loads(row.payload))
    return DomainEvent(row.id, row.name, row.subject, payload, row.created_at.astimezone(UTC))


def _name_matches(prefix: str) -> Any:
    if prefix.endswith("."):
        return col(Event.name).startswith(prefix, autoescape=True)
    return sa.or_(
        col(Event.name) == prefix, col(Event.name).startswith(prefix + ".", autoescape=True)
    )


@dataclass(frozen=True, eq=False)
class Subscription:
    """A handler and the event names it wants: a prefix ending in '.' or a name or its root."""

    prefix: str
    handler: Handler

    def matches(self, name: str) -> bool:
        """Does this subscription want events of that name?"""
        prefix = self.prefix
        if not prefix or name == prefix:
            return True
        return name.startswith(prefix if prefix.endswith(".") else prefix + ".")


_running: list[EventBus] = []
_running_lock = threading.Lock()


class EventBus:
    """This process's hub: local subscribers, fed after commit and, on PostgreSQL, by LISTEN."""

    def __init__(
        self, engine: Engine, *, poll_seconds: float = 0.5, remember: int = 10_000
    ) -> None:
        self.engine = engine
        self.poll_seconds = poll_seconds
        self._subscriptions: list[Subscription] = []
        self._lock = threading.Lock()
        self._seen: set[int] = set()
        self._seen_order: deque[int] = deque()
        self._remember = remember
        self._last_id: int | None = None
        self._stopping = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        # A channel of this bus's own: stop() notifies it, so the listener wakes at once
        # instead of at the end of its wait for notifications.
        self._wake_channel = f"prongsai_wake_{secrets.token_hex(8)}"

    @property
    def listening(self) -> bool:
        """Is the PostgreSQL listener connected (always False on SQLite)?"""
        return self._listening.is_set()

    def subscribe(self, prefix: str, handler: Handler) -> Subscription:
        """Call `handler` with each matching event; it runs on the delivering thread."""
        subscription = Subscription(prefix, handler)
        with self._lock:
            self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop delivering to a subscription (a no-op if it is already gone)."""
        with self._lock:
            if subscription in self._subscriptions:
                self._subscriptions.remove(subscription)

    def dispatch(self, event: DomainEvent) -> None:
        """Hand a committed event to the matching subscribers, once per event id."""
        with self._lock:
            if event.id in self._seen:
                return
            self._remember_id(event.id)
            subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            if subscription.matches(event.name):
                try:
                    subscription.handler(event)
                except Exception:
                    log.exception("event handler %r failed on %s", subscription.handler, event)

    def history(
        self, prefix: str = "", *, after_id: int = 0, limit: int = 500
    ) -> list[DomainEvent]:
        """Committed events after an id, oldest first: to resume a stream or catch up."""
        statement = select(Event).where(col(Event.id) > after_id)
        if prefix:
            statement = statement.where(_name_matches(prefix))
        statement = statement.order_by(col(Event.id)).limit(limit)
        with Session(read_only(self.engine)) as session:
            return [_from_row(row) for row in session.exec(statement)]

    async def stream(
        self, prefix: str = "", *, after_id: int | None = None, max_queued: int = 1000
    ) -> AsyncIterator[DomainEvent]:
        """Yield matching events as they come, first those after `after_id` (Last-Event-ID).

        A consumer that falls `max_queued` events behind sees the stream end; it resumes
        from the last id it got, as an SSE client does on reconnecting.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[DomainEvent] = asyncio.Queue(max_queued)
        overflowed = False

        def put(event: DomainEvent) -> None:
            nonlocal overflowed
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                overflowed = True

        # Subscribe before reading the backlog, so nothing committed in between is missed.
        subscription = self.subscribe(prefix, lambda e: loop.call_soon_threadsafe(put, e))
        try:
            replayed: set[int] = set()
            last = after_id
            while last is not None:
                batch = await asyncio.to_thread(self.history, prefix, after_id=last, limit=500)
                for event in batch:
                    replayed.add(event.id)
                    yield event
                last = batch[-1].id if len(batch) == 500 else None
            while not overflowed:
                event = await queue.get()
                if event.id not in replayed:
                    yield event
            log.warning("event stream %r fell %d events behind; ended", prefix, max_queued)
        finally:
            self.unsubscribe(subscription)

    def start(self, *, connect_timeout: float = 10.0) -> None:
        """Begin delivery: after commit in this process and, on PostgreSQL, from others."""
        with _running_lock:
            if self not in _running:
                _running.append(self)
        if self.engine.dialect.name != "postgresql" or self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._listen, name="prongsai-events", daemon=True)
        self._thread.start()
        if not self._listening.wait(connect_timeout):
            log.warning("event listener not connected yet; it keeps trying in the background")

    def stop(self) -> None:
        """Stop delivery; the listener thread ends and its connection closes."""
        with _running_lock:
            if self in _running:
                _running.remove(self)
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            self._wake()
            thread.join(timeout=self.poll_seconds + 10)
            if thread.is_alive():
                log.warning("event listener still busy in a handler after stop()")

    def _wake(self) -> None:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("NOTIFY " + self._wake_channel))
                connection.commit()
        except sa.exc.SQLAlchemyError:
            pass  # unreachable: the listener ends at its next timeout instead

    def _remember_id(self, event_id: int) -> None:
        self._seen.add(event_id)
        self._seen_order.append(event_id)
        if len(self._seen_order) > self._remember:
            self._seen.discard(self._seen_order.popleft())
        self._last_id = max(self._last_id or 0, event_id)

    def _listen(self) -> None:
        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                with psycopg.connect(
                    url,
                    autocommit=True,
                    connect_timeout=5,
                    application_name=LISTENER_APPLICATION_NAME,
                ) as connection:
                    connection.execute("LISTEN " + CHANNEL)
                    connection.execute("LISTEN " + self._wake_channel)
                    self._catch_up()
                    self._listening.set()
                    backoff = 0.5
                    while not self._stopping.is_set():
                        for notify in connection.notifies(timeout=self.poll_seconds):
                            if notify.channel == self._wake_channel:
                                break  # stop() asks: the loop's condition decides
                            self._notified(notify.payload)
            except Exception as error:
                log.warning("event listener disconnected (%s); retry in %.1fs", error, backoff)
            self._listening.clear()
            self._stopping.wait(backoff)
            backoff = min(backoff * 2, 30.0)

    def _catch_up(self) -> None:
        # First connection: a baseline. Reconnection: what was committed while we were away.
        if self._last_id is None:
            with read_only(self.engine).connect() as connection:
                self._last_id = connection.execute(sa.select(sa.func.max(Event.id))).scalar()
            self._last_id = self._last_id or 0
            return
        for event in self.history(after_id=self._last_id, limit=10_000):
            self.dispatch(event)

    def _notified(self, payload: str) -> None:
        try:
            event_id = int(payload)
        except ValueError:
            log.warning("ignoring a malformed notification %r on %s", payload, CHANNEL)
            return
        with self._lock:
            if event_id in self._seen:  # published by this process: delivered at commit
                return
        with Session(read_only(self.engine)) as session:
            row = session.get(Event, event_id)
            if row is not None:
                self.dispatch(_from_row(row))
