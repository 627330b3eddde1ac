"""Applicants filing at the same moment get distinct tracking numbers, on a real database."""

import threading

from sqlmodel import Session, select

from core.auth.models import User
from core.clock import system_clock
from core.db import make_engine
from core.errors import DomainError
from core.settings import Settings
from permits.models import Application
from prongsai import schema
from tests.permits import factories


def test_simultaneous_applications_are_numbered_without_collision(fresh_database, tmp_path):
    schema.upgrade(fresh_database)
    engine = make_engine(fresh_database)
    settings = Settings(data_dir=tmp_path, database_url=fresh_database, secret_key="k" * 32)
    try:
        with Session(engine) as session:
            factories.departments(session, now=system_clock())
            applicants = [factories.applicant(session, now=system_clock()).id for _ in range(6)]
        failures = []

        def file(user_id):
            with Session(engine) as session:
                try:
                    factories.food_application(
                        session,
                        now=system_clock(),
                        settings=settings,
                        applicant_user=session.get(User, user_id),
                    )
                except (DomainError, Exception) as error:
                    failures.append(repr(error))

        threads = [threading.Thread(target=file, args=(u,)) for u in applicants]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        with Session(engine) as session:
            numbers = session.exec(select(Application.tracking_number)).all()
        assert len(numbers) == len(set(numbers)) == 6
    finally:
        engine.dispose()
