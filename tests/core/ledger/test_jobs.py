"""The minute job signs the log when it grew, and the app schedules it."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.db import make_engine
from core.ledger import jobs, service
from core.ledger.models import LedgerCheckpoint
from core.scheduler import JobContext
from core.settings import Settings
from prongsai import schema
from prongsai.app import create_app


def test_checkpoint_job_signs_only_when_the_log_grew(fresh_database, tmp_path, clock):
    schema.upgrade(fresh_database)
    engine = make_engine(fresh_database)
    settings = Settings(data_dir=tmp_path, database_url=fresh_database, secret_key="k" * 32)
    context = JobContext(engine=engine, settings=settings, clock=clock)
    try:
        with Session(engine) as session:
            service.open_signer(session, settings=settings)  # as `prongsai migrate` does
        with Session(engine) as session:
            service.append(session, entry_type="test.thing.happened", payload={}, now=clock())
            session.commit()
        jobs.sign_checkpoint(context)
        jobs.sign_checkpoint(context)  # nothing new: no second checkpoint
        with Session(engine) as session:
            service.append(session, entry_type="test.thing.happened", payload={}, now=clock())
            session.commit()
        clock.advance(minutes=1)
        jobs.sign_checkpoint(context)
        with Session(engine) as session:
            sizes = session.exec(select(LedgerCheckpoint.tree_size)).all()
        assert sorted(sizes) == [1, 2]
    finally:
        engine.dispose()


def test_the_app_schedules_the_checkpoint_job_every_minute(fresh_database, tmp_path):
    schema.upgrade(fresh_database)
    engine = make_engine(fresh_database)
    settings = Settings(data_dir=tmp_path, database_url=fresh_database, secret_key="k" * 32)
    try:
        app = create_app(settings, engine=engine)
        with TestClient(app):
            scheduler = app.state.scheduler
            assert scheduler.next_run_at(jobs.CHECKPOINT_JOB) is not None
        with Session(engine) as session:
            from core.scheduler import SchedulerJob

            stored = session.exec(select(SchedulerJob.id)).all()
        assert jobs.CHECKPOINT_JOB in stored  # persisted: a restart keeps it
    finally:
        engine.dispose()
