"""The scheduler: jobs survive restarts, missed ones run at start, one process runs each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

from core.clock import FrozenClock, system_clock
from core.db import make_engine
from core.scheduler import LEADER_LOCK, JobContext, JobRegistry, Scheduler, SchedulerJob
from core.settings import Settings
from prongsai import schema
from tests.conftest import ON_POSTGRES, START, create_database, drop_database

needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL (several processes on one database)"
)
PROCS = Path(__file__).parent / "_procs"
REPO = Path(__file__).resolve().parents[2]
JOB = "tests.tender.open"


@dataclass(frozen=True)
class Run:
    kwargs: dict
    clock: datetime
    at: float  # time.monotonic() when it ran


class Runs:
    """A job function that records its calls and lets a test await them."""

    def __init__(self) -> None:
        self.runs: list[Run] = []
        self._changed = threading.Condition()

    def __call__(self, context: JobContext, **kwargs: object) -> None:
        with self._changed:
            self.runs.append(Run(kwargs, context.clock(), time.monotonic()))
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 10) -> bool:
        """Wait until at least `count` runs happened; False if not within `timeout`."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.runs) >= count, timeout)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    # A database of our own: the job store is committed for real, and children share it.
    url = create_database(tmp_path_factory.mktemp("scheduler"), "scheduler")
    schema.upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_database(url)


@pytest.fixture(autouse=True)
def empty_job_store(engine: Engine) -> Iterator[None]:
    yield
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM scheduler_job"))


@pytest.fixture
def runs() -> Runs:
    return Runs()


@pytest.fixture
def make_scheduler(engine, tmp_path, runs) -> Iterator[Callable[..., Scheduler]]:
    """Schedulers on the test database whose job JOB records into `runs`."""
    registry = JobRegistry()
    registry.add(JOB, runs)
    made: list[Scheduler] = []

    def make(clock=system_clock, **options) -> Scheduler:
        settings = Settings(data_dir=tmp_path, database_url=str(engine.url), secret_key="k" * 32)
        options.setdefault("leader_poll_seconds", 0.2)
        scheduler = Scheduler(engine, settings=settings, clock=clock, registry=registry, **options)
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        scheduler.shutdown()


def stored_jobs(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT id FROM scheduler_job ORDER BY id")).scalars())


def wait_until_past(moment: datetime) -> None:
    """Let wall time pass a moment (APScheduler plans in wall time, not in our clock)."""
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + 0.05)


def test_a_date_job_missed_while_down_runs_once_at_the_next_start(engine, make_scheduler, runs):
    first = make_scheduler(clock=FrozenClock(START))
    first.start()
    run_at = datetime.now(UTC) + timedelta(seconds=0.5)
    first.add_once("open-tender-42", JOB, run_at=run_at, tender_id=42)
    first.shutdown()  # the app stops before the tender's opening time
    assert stored_jobs(engine) == ["open-tender-42"]

    wait_until_past(run_at)
    second = make_scheduler(clock=FrozenClock(START))
    started = time.monotonic()
    second.start()
    assert runs.wait_for(1)
    second.shutdown()  # waits for running jobs: nothing more can run after this

    assert [run.kwargs for run in runs.runs] == [{"tender_id": 42}]
    assert runs.runs[0].at - started < 1.0
    assert runs.runs[0].clock == START  # the job got the injected clock
    assert stored_jobs(engine) == []


def test_an_interval_job_missed_while_down_runs_once_at_start_then_keeps_pace(make_scheduler, runs):
    first = make_scheduler()
    first.start()
    # A period long enough that "at start" and "a period later" stay apart on a loaded machine.
    first.add_interval(JOB, seconds=3)  # due at +3 s, +6 s, +9 s ...
    added = time.monotonic()
    first.shutdown()
    time.sleep(6.6)  # down through two runs

    second = make_scheduler()
    started = time.monotonic()
    second.start()
    second.add_interval(JOB, seconds=3)  # as the app does at every start: keeps the schedule
    assert runs.wait_for(2, timeout=15)
    second.shutdown()

    first_run, second_run = runs.runs[:2]
    assert first_run.at - started < 1.5  # the missed run, at start, not at the next +9 s
    assert second_run.at - added > 8.5  # the runs due at +3 s and +6 s made one run, not two


def test_an_interval_job_runs_every_period(make_scheduler, runs):
    scheduler = make_scheduler()
    scheduler.start()
    scheduler.add_interval(JOB, seconds=0.2, batch=7)
    assert runs.wait_for(3)
    scheduler.shutdown()
    assert {json.dumps(run.kwargs) for run in runs.runs} == {'{"batch": 7}'}


def test_adding_an_interval_job_again_replaces_it_only_when_it_changed(engine, make_scheduler):
    scheduler = make_scheduler()
    scheduler.start()
    scheduler.add_interval(JOB, seconds=3600)
    planned = scheduler.next_run_at(JOB)
    scheduler.add_interval(JOB, seconds=3600)
    assert scheduler.next_run_at(JOB) == planned
    scheduler.add_interval(JOB, seconds=60)
    assert scheduler.next_run_at(JOB) < planned
    scheduler.add_interval(JOB, seconds=60, batch=2)
    assert stored_jobs(engine) == [JOB]


def test_jobs_are_checked_when_scheduled_and_removed_by_id(engine, make_scheduler):
    scheduler = make_scheduler()
    later = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(RuntimeError, match="start the Scheduler"):
        scheduler.add_once("open-tender-1", JOB, run_at=later)
    scheduler.start()
    with pytest.raises(LookupError, match="no job is registered"):
        scheduler.add_once("open-tender-1", "tests.unknown.job", run_at=later)
    with pytest.raises(TypeError, match="JSON values"):
        scheduler.add_once("open-tender-1", JOB, run_at=later, when=later)
    with pytest.raises(ValueError, match="time zone"):
        scheduler.add_once("open-tender-1", JOB, run_at=later.replace(tzinfo=None))
    with pytest.raises(RuntimeError, match="already started"):
        make_scheduler().start()
    scheduler.add_once("open-tender-1", JOB, run_at=later)
    scheduler.add_once("open-tender-1", JOB, run_at=later + timedelta(hours=1))  # amended
    assert scheduler.next_run_at("open-tender-1") == later + timedelta(hours=1)
    assert scheduler.remove("open-tender-1") is True
    assert scheduler.remove("open-tender-1") is False
    assert stored_jobs(engine) == []


def test_a_scheduler_that_cannot_open_its_store_leaves_room_for_another(make_scheduler, tmp_path):
    unreachable = create_engine(f"sqlite:///{tmp_path / 'no such folder' / 'db.sqlite3'}")
    settings = Settings(data_dir=tmp_path, secret_key="k" * 32)
    broken = Scheduler(unreachable, settings=settings, clock=system_clock, registry=JobRegistry())
    with pytest.raises(OperationalError):
        broken.start()
    make_scheduler().start()  # not refused as "already started"


def test_job_names_are_dotted_and_registered_once():
    registry = JobRegistry()

    @registry.register("tests.tender.close")
    def close(_context: JobContext) -> None:
        raise AssertionError("not run here")

    registry.add("tests.tender.close", close)  # the same function again is harmless
    with pytest.raises(ValueError, match="already registered"):
        registry.add("tests.tender.close", lambda _context: None)
    with pytest.raises(ValueError, match="dotted"):
        registry.add("Close Tender", close)
    assert "tests.tender.close" in registry


def test_the_job_table_matches_its_migration(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        drift = compare_metadata(context, SQLModel.metadata)
    assert SchedulerJob.__tablename__ in SQLModel.metadata.tables
    assert [change for change in drift if "scheduler_job" in repr(change)] == []


def start_node(engine: Engine, tmp_path: Path, number: int) -> subprocess.Popen:
    url = engine.url.render_as_string(hide_password=False)
    # The child writes to its own copy of the file descriptor; ours closes when it has started.
    with (tmp_path / f"node-{number}.log").open("w") as log:
        return subprocess.Popen(
            [sys.executable, str(PROCS / "scheduler_node.py"), url, "0.2", str(tmp_path)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll the database until a condition holds (other processes cannot notify us)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def leader_connections(engine: Engine) -> tuple[int, int]:
    """How many processes campaign to lead, and how many hold the leader lock."""
    with engine.connect() as connection:
        campaigning, leading = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                "        AND application_name = 'prongsai-scheduler'),"
                "       (SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                "        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
                "        AND l.classid::bigint = :high AND l.objid::bigint = :low"
                "        AND d.datname = current_database())"
            ),
            {"high": (LEADER_LOCK >> 32) & 0xFFFFFFFF, "low": LEADER_LOCK & 0xFFFFFFFF},
        ).one()
    return campaigning, leading


def job_runs(engine: Engine) -> list[tuple[str, int]]:
    """(tag, pid) of each run of the children's job, from the events it published."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT subject, payload FROM core_event"
                " WHERE name = 'tests.scheduler.ran' ORDER BY id"
            )
        )
        return [(subject, json.loads(payload)["pid"]) for subject, payload in rows]


@pytest.mark.postgres_only
@needs_postgres
def test_several_processes_run_each_job_once_and_a_survivor_takes_over(engine, tmp_path):
    registry = JobRegistry()
    registry.add("tests.scheduler.ran", lambda _context, **_kwargs: None)  # never run here
    settings = Settings(data_dir=tmp_path, database_url=str(engine.url), secret_key="k" * 32)
    # This process only stores jobs, as a web worker or the CLI would.
    client = Scheduler(
        engine, settings=settings, clock=system_clock, registry=registry, run_jobs=False
    )
    nodes = [start_node(engine, tmp_path, number) for number in range(3)]
    try:
        assert wait_until(lambda: leader_connections(engine) == (3, 1), timeout=30)
        client.start()
        run_at = datetime.now(UTC) + timedelta(seconds=1)
        for tag in ("first-a", "first-b", "first-c"):
            client.add_once(tag, "tests.scheduler.ran", run_at=run_at, tag=tag)
        assert wait_until(lambda: len(job_runs(engine)) >= 3, timeout=15)
        (leader_pid,) = {pid for _, pid in job_runs(engine)}

        leader = next(node for node in nodes if node.pid == leader_pid)
        leader.kill()  # a crash: no shutdown, the server releases its lock with its session
        leader.wait(timeout=10)
        run_at = datetime.now(UTC) + timedelta(seconds=1)
        client.add_once("second", "tests.scheduler.ran", run_at=run_at, tag="second")
        assert wait_until(lambda: len(job_runs(engine)) >= 4, timeout=15)
    finally:
        client.shutdown()
        for node in nodes:
            if node.poll() is None:
                node.stdin.close()  # a clean shutdown: running jobs finish first
        exits = [node.wait(timeout=30) for node in nodes]
        for node in nodes:
            node.stdin.close()  # the killed leader's pipe too
        for log in sorted(tmp_path.glob("node-*.log")):
            print(log.name, log.read_text(), sep="\n")  # shown by pytest if the test fails

    survivors = [node for node in nodes if node is not leader]
    assert [node.returncode for node in survivors] == [0, 0], exits
    runs = job_runs(engine)  # every process has stopped: this is the final count
    assert sorted(tag for tag, _ in runs) == ["first-a", "first-b", "first-c", "second"]
    assert {pid for tag, pid in runs if tag != "second"} == {leader_pid}
    (successor,) = [pid for tag, pid in runs if tag == "second"]
    assert successor in {node.pid for node in survivors}
    assert leader_connections(engine) == (0, 0)
