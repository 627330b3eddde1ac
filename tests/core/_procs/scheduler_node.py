"""One app process's scheduler, for the several-processes tests.

Usage: python scheduler_node.py DATABASE_URL LEADER_POLL_SECONDS DATA_DIR
Runs job `tests.scheduler.ran` (it publishes an event naming its tag and this process's pid)
whenever this process leads, until its stdin closes; then it shuts down cleanly.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from sqlmodel import Session

from core.clock import system_clock
from core.db import make_engine
from core.events import publish
from core.scheduler import JobContext, JobRegistry, Scheduler
from core.settings import Settings

JOB = "tests.scheduler.ran"


def record_run(context: JobContext, *, tag: str) -> None:
    """The job: leave a row saying which process ran which job."""
    with Session(context.engine) as session:
        publish(session, name=JOB, payload={"pid": os.getpid()}, now=context.clock(), subject=tag)
        session.commit()


def main(url: str, poll_seconds: float, data_dir: Path) -> None:
    """Run a scheduler until stdin reaches its end."""
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {os.getpid()} %(message)s")
    engine = make_engine(url)
    registry = JobRegistry()
    registry.add(JOB, record_run)
    settings = Settings(data_dir=data_dir, database_url=url, secret_key="k" * 32)
    scheduler = Scheduler(
        engine,
        settings=settings,
        clock=system_clock,
        registry=registry,
        leader_poll_seconds=poll_seconds,
    )
    scheduler.start()
    print("started", flush=True)
    sys.stdin.read()  # the test closes our stdin to stop us; SIGKILL plays a crash
    scheduler.shutdown()
    engine.dispose()
    print("stopped", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), Path(sys.argv[3]))
