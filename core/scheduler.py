"""Scheduled jobs: APScheduler with its jobs in the database, one runner per database.

Jobs are registered by name. Every persisted APScheduler job targets run_job(name, job_id,
**kwargs) with JSON-able kwargs, so no closure is ever pickled and a restart finds every job.
On PostgreSQL only the process holding a session-level advisory lock runs jobs; the others
keep asking for the lock and take over when the leader's connection closes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
import sqlalchemy as sa
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from core.clock import Clock
from core.settings import Settings

log = logging.getLogger(__name__)

TABLE = "scheduler_job"
RUN_JOB = "core.scheduler:run_job"
LEADER_APPLICATION_NAME = "prongsai-scheduler"
JOB_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def lock_key(label: str) -> int:
    """A stable signed 64-bit PostgreSQL advisory-lock key for a label."""
    return int.from_bytes(hashlib.sha256(label.encode()).digest()[:8], "big", signed=True)


LEADER_LOCK = lock_key("prongsai.scheduler.leader")


class SchedulerJob(SQLModel, table=True):
    """APScheduler's job table, declared here too so that models and migrations agree."""

    __tablename__ = TABLE

    id: str = Field(primary_key=True, sa_type=sa.Unicode(191))
    next_run_time: float | None = Field(default=None, sa_type=sa.Float(25), index=True)
    job_state: bytes = Field(sa_type=sa.LargeBinary)


@dataclass(frozen=True)
class JobContext:
    """What a job may use: jobs take their clock as input, like services do."""

    engine: Engine
    settings: Settings
    clock: Clock


JobFunc = Callable[..., object]


class JobRegistry:
    """Job functions by name; a function is called as func(context, **kwargs)."""

    def __init__(self) -> None:
        self._jobs: dict[str, JobFunc] = {}

    def add(self, name: str, func: JobFunc) -> None:
        """Register `func` under `name` (dotted, lower case; one function per name)."""
        if not JOB_NAME.match(name):
            raise ValueError(f"job name {name!r} is not dotted lower case, e.g. ledger.sign")
        if self._jobs.get(name, func) is not func:
            raise ValueError(f"another function is already registered as job {name!r}")
        self._jobs[name] = func

    def register(self, name: str) -> Callable[[JobFunc], JobFunc]:
        """Decorator form of add()."""

        def decorate(func: JobFunc) -> JobFunc:
            self.add(name, func)
            return func

        return decorate

    def get(self, name: str) -> JobFunc:
        """The function registered as `name`; LookupError if none is."""
        try:
            return self._jobs[name]
        except KeyError:
            raise LookupError(f"no job is registered as {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._jobs


registry = JobRegistry()


def register_job(name: str) -> Callable[[JobFunc], JobFunc]:
    """Decorator: register a job function in the default registry."""
    return registry.register(name)


_active: Scheduler | None = None
_active_lock = threading.Lock()


def run_job(name: str, job_id: str, /, **kwargs: Any) -> None:
    """The target of every persisted job: run registered job `name` in the active Scheduler."""
    scheduler = _active
    if scheduler is None:
        raise RuntimeError(f"job {job_id!r} fired with no Scheduler started in this process")
    scheduler.execute(name, job_id, kwargs)


class _JobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy store on the app's engine, which it must not dispose of."""

    def shutdown(self) -> None:
        """Leave the shared engine open: the app owns it."""


class _BackgroundScheduler(BackgroundScheduler):
    """APScheduler's background scheduler, whose job-processing rounds shutdown can wait out."""

    def __init__(self, **options: Any) -> None:
        self.processing = threading.Lock()
        super().__init__(**options)

    def _process_jobs(self) -> float | None:
        # A round runs a due date job and then removes it from the store; stopping in between
        # would leave the job stored, to run a second time at the next start.
        with self.processing:
            return super()._process_jobs()


class Scheduler:
    """Runs the registered jobs on schedule; on PostgreSQL, in one process per database."""

    def __init__(
        self,
        engine: Engine,
        *,
        settings: Settings,
        clock: Clock,
        registry: JobRegistry = registry,
        run_jobs: bool = True,
        leader_poll_seconds: float = 5.0,
        max_workers: int = 4,
    ) -> None:
        self.engine = engine
        self.context = JobContext(engine=engine, settings=settings, clock=clock)
        self.registry = registry
        # run_jobs=False: only store jobs (a CLI, or web workers that must never run them).
        self.run_jobs = run_jobs
        self.leader_poll_seconds = leader_poll_seconds
        self.max_workers = max_workers
        self._on_postgres = engine.dialect.name == "postgresql"
        self._aps: _BackgroundScheduler | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._leading = False
        self._lock_connection: psycopg.Connection | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_leading(self) -> bool:
        """Is this process the one running the jobs?"""
        return self._leading

    def start(self) -> None:
        """Open the job store and, if this process may lead, campaign to run the jobs."""
        global _active
        with _active_lock:
            if _active is not None:
                raise RuntimeError("a Scheduler is already started in this process")
            store = _JobStore(engine=self.engine, tablename=TABLE, metadata=sa.MetaData())
            executor = ThreadPoolExecutor(self.max_workers)
            aps = _BackgroundScheduler(
                jobstores={"default": store},
                executors={"default": executor},
                # A job missed while every process was down runs once at the next start.
                job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
                timezone=UTC,
            )
            aps.start(paused=True)  # paused, it stores jobs; only a leader resumes to run them
            self._aps, self._executor, _active = aps, executor, self
        if not self.run_jobs:
            return
        self._stopping.clear()
        self._try_to_lead()
        self._thread = threading.Thread(
            target=self._campaign, name="prongsai-scheduler-leader", daemon=True
        )
        self._thread.start()

    def shutdown(self) -> None:
        """Stop campaigning, wait for running jobs, then let another process lead."""
        global _active
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            thread.join(timeout=self.leader_poll_seconds + 10)
        aps, executor = self._aps, self._executor
        if aps is not None and executor is not None and aps.running:
            with aps.processing:
                aps.pause()
            # Paused, not stopped, while jobs finish: a job may still store a follow-up job.
            executor.shutdown(wait=True)
            aps.shutdown(wait=False)
        self._aps = self._executor = None
        self._leading = False
        self._close_lock_connection()  # only now: our jobs have finished
        with _active_lock:
            if _active is self:
                _active = None

    def add_interval(self, name: str, *, seconds: float, **kwargs: Any) -> None:
        """Run job `name` every `seconds` (job id = name); an unchanged stored schedule stays."""
        self._check(name, kwargs)
        trigger = IntervalTrigger(seconds=seconds, timezone=UTC)
        existing = self._started().get_job(name)
        # Replacing an unchanged job would push its next run away at every start, so a run
        # missed while the app was down would never happen.
        if existing is not None and _same_interval(existing, trigger, (name, name), kwargs):
            return
        self._store(name, name, trigger, kwargs)

    def add_once(self, job_id: str, name: str, *, run_at: datetime, **kwargs: Any) -> None:
        """Run job `name` once at `run_at`, or at the next start if missed; replaces `job_id`."""
        if run_at.tzinfo is None:
            raise ValueError("run_at must carry a time zone")
        self._check(name, kwargs)
        self._store(job_id, name, DateTrigger(run_date=run_at, timezone=UTC), kwargs)

    def remove(self, job_id: str) -> bool:
        """Forget a stored job; False if there was none (it may have run already)."""
        try:
            self._started().remove_job(job_id)
        except JobLookupError:
            return False
        return True

    def next_run_at(self, job_id: str) -> datetime | None:
        """When a stored job runs next (None if no such job)."""
        job = self._started().get_job(job_id)
        return job.next_run_time if job is not None else None

    def execute(self, name: str, job_id: str, kwargs: dict[str, Any]) -> None:
        """Run one job now, in this thread (run_job's work)."""
        func = self.registry.get(name)
        if not self._on_postgres:
            func(self.context, **kwargs)
            return
        # Belt and braces: should two processes ever both lead (a network partition), one
        # job still runs in one place at a time.
        with self.engine.connect() as connection, connection.begin():
            key = lock_key(f"prongsai.scheduler.job:{job_id}")
            held = connection.execute(sa.select(sa.func.pg_try_advisory_xact_lock(key)))
            if not held.scalar_one():
                log.warning("job %s is running in another process; this run is skipped", job_id)
                return
            func(self.context, **kwargs)

    def _store(self, job_id: str, name: str, trigger: Any, kwargs: dict[str, Any]) -> None:
        self._started().add_job(
            RUN_JOB,
            trigger,
            args=(name, job_id),
            kwargs=kwargs,
            id=job_id,
            name=name,
            replace_existing=True,
        )

    def _started(self) -> _BackgroundScheduler:
        if self._aps is None:
            raise RuntimeError("start the Scheduler before adding or looking up jobs")
        return self._aps

    def _check(self, name: str, kwargs: dict[str, Any]) -> None:
        self.registry.get(name)  # fail when scheduling, not hours later when it fires
        try:
            json.dumps(kwargs)
        except TypeError as error:
            raise TypeError(f"arguments of job {name!r} must be JSON values: {error}") from None

    def _campaign(self) -> None:
        while not self._stopping.wait(self.leader_poll_seconds):
            if self._leading:
                self._check_leadership()
            else:
                self._try_to_lead()

    def _try_to_lead(self) -> None:
        if self._on_postgres:
            try:
                if self._lock_connection is None or self._lock_connection.closed:
                    url = self.engine.url.set(drivername="postgresql")
                    self._lock_connection = psycopg.connect(
                        url.render_as_string(hide_password=False),
                        autocommit=True,
                        connect_timeout=5,
                        application_name=LEADER_APPLICATION_NAME,
                    )
                row = self._lock_connection.execute(
                    "SELECT pg_try_advisory_lock(%s)", (LEADER_LOCK,)
                ).fetchone()
            except psycopg.Error as error:
                log.warning("scheduler cannot reach the database to lead: %s", error)
                self._close_lock_connection()
                return
            if not (row and row[0]):
                return
        self._leading = True
        self._started().resume()
        log.info("this process now runs the scheduled jobs")

    def _check_leadership(self) -> None:
        if self._lock_connection is not None:
            try:
                self._lock_connection.execute("SELECT 1")
            except psycopg.Error as error:
                # The server has released our lock with the session: someone else may lead.
                log.error("scheduler lost its leader connection (%s); pausing", error)
                self._leading = False
                self._started().pause()
                self._close_lock_connection()
                return
        self._started().wakeup()  # notice jobs that other processes have stored

    def _close_lock_connection(self) -> None:
        connection, self._lock_connection = self._lock_connection, None
        if connection is not None:
            connection.close()  # ends the session, so the server releases the leader lock


def _same_interval(job: Job, trigger: IntervalTrigger, args: tuple, kwargs: dict) -> bool:
    return (
        isinstance(job.trigger, IntervalTrigger)
        and job.trigger.interval == trigger.interval
        and tuple(job.args) == args
        and job.kwargs == kwargs
    )
