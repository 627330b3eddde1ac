"""Engine and sessions: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

import contextlib
import os
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine
from typing_extensions import override

from core.errors import InvalidInput
from core.i18n import gettext
from core.types import contains_nul

# Set before any model is imported, so every constraint gets a stable, predictable name
# that migrations can refer to on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata

SQLITE_BUSY_TIMEOUT_MS = 15_000
READ_ONLY_OPTION = "prongsai_read_only"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both databases (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @override
    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times are stored in UTC and must carry a zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    @override
    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the durability settings each database needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _create_private_file(Path(parsed.database))
        # As many connections kept as the server has worker threads (anyio's default is 40),
        # and a few beyond for its own threads: a thread that waited for one while others
        # convoy on the pool would time out, and a connection opened and closed per request
        # (an overflow one) costs its PRAGMAs, which wait on the database's locks.
        if parsed.database and parsed.database != ":memory:":
            kwargs = {"pool_size": 40, "max_overflow": 10, **kwargs}
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        writers = _WriterQueue()
        event.listen(engine, "begin", writers.begin)
        event.listen(engine, "commit", writers.end)
        event.listen(engine, "rollback", writers.end)
    else:
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    return engine


def _create_private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (0600), as the keys beside it are;
    SQLite gives its -wal and -shm files the same mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _refuse_nul(
    _connection: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool
) -> None:
    # The last guard: request schemas refuse NUL naming the field (core.types.Input); a string
    # that reached a query another way (a form, a path) is refused here, on both databases
    # alike, instead of failing inside PostgreSQL's driver.
    if contains_nul(parameters):
        raise InvalidInput(gettext("Text may not contain NUL (\\x00) characters."))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is off so that SQLAlchemy's "begin" event decides.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


class _WriterQueue:
    """Writers of one SQLite engine take turns, first come first served, before BEGIN IMMEDIATE.

    SQLite lets one writer in at a time and makes the others poll (busy timeout); under a burst
    of writers from many threads that polling starves some of them for seconds, and so would a
    plain lock (the thread that just released it usually takes it again). SQLite serves one
    process by design, so the process hands the turn to the writer that has waited longest.
    Readers (see read_only) begin deferred and never wait: WAL lets them read during a write.
    """

    FLAG = "prongsai_writer"

    def __init__(self, timeout: float = SQLITE_BUSY_TIMEOUT_MS / 1000) -> None:
        self._mutex = threading.Lock()
        self._waiting: deque[threading.Event] = deque()
        self._busy = False
        self._timeout = timeout

    def _acquire(self) -> None:
        with self._mutex:
            if not self._busy:
                self._busy = True
                return
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(self._timeout):
            return  # the previous writer handed us the turn
        with self._mutex:
            if turn.is_set():
                return  # handed over just as we gave up: it is ours
            self._waiting.remove(turn)
        raise TimeoutError("the database stayed busy with other writers; try again")

    def _release(self) -> None:
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().set()  # the turn passes on; still busy
            else:
                self._busy = False

    def begin(self, conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            conn.exec_driver_sql("BEGIN")
            return
        self._acquire()
        conn.info[self.FLAG] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.end(conn)
            raise

    def end(self, conn: Any) -> None:
        if conn.info.pop(self.FLAG, False):
            self._release()


def read_only(engine: Engine) -> Engine:
    """The same engine, for transactions that only read (no write lock on SQLite)."""
    return engine.execution_options(**{READ_ONLY_OPTION: True})


def snapshot(engine: Engine) -> Engine:
    """The same engine, for long reads that must see one moment from their first query to
    their last (a bulk file read in keyset pages): read-only, and REPEATABLE READ on
    PostgreSQL, whose default gives each query its own moment, so a row committed meanwhile
    under a lower id would be missed; SQLite's WAL read transaction is a snapshot already."""
    engine = read_only(engine)
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    return engine


READS_ONLY_ROUTE = "prongsai_reads_only"


def reads_only(endpoint: Any) -> Any:
    """Mark a route whose request session only reads, whatever its method: it writes through
    a session of its own (the bid sequencer's). On SQLite such a request then never holds the
    write lock, which the writer it waits for needs."""
    setattr(endpoint, READS_ONLY_ROUTE, True)
    return endpoint


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; GET and HEAD requests, and routes marked `reads_only`, only
    read."""
    engine = request.app.state.engine
    endpoint = request.scope.get("endpoint")
    if request.method in ("GET", "HEAD") or getattr(endpoint, READS_ONLY_ROUTE, False):
        engine = read_only(engine)
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def stored_id(row: _Row) -> int:
    """The id of a row that was loaded or flushed (SQLModel types it None until the database
    gives it one)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: add and flush it first")
    return row.id


class JobCursor(Protocol):
    """A scheduled job's row saying how far it has read: keyed by its source, stamped."""

    source: str
    updated_at: datetime

    def __init__(self, *, source: str, updated_at: datetime) -> None: ...


C = TypeVar("C", bound=JobCursor)


def claim_cursor(session: Session, model: type[C], source: str, *, now: datetime) -> C:
    """A job's cursor row, locked and stamped first (made if missing): a second run of the job
    waits for this one's transaction to commit instead of reading the same changes."""
    row = session.get(model, source, with_for_update=True)
    if row is None:
        row = model(source=source, updated_at=now)
        session.add(row)
    else:
        row.updated_at = now
    session.flush()
    return row


# A job's read of this many rows or more (or its first build, whatever its size) ends with
# ANALYZE of the tables it wrote (PostgreSQL; SQLite keeps no statistics here).
ANALYZE_AFTER = 10_000


def analyze_after_build(session: Session, tables: Sequence[Any], *, rows: int, first: bool) -> None:
    """Let PostgreSQL's planner learn what a job's build wrote: without statistics it takes a
    table of thousands of rows for one, and joins on it row by row."""
    if not rows or (rows < ANALYZE_AFTER and not first):
        return
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(f"ANALYZE {table.name}"))
    session.commit()
