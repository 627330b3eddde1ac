"""The permit aggregates give exactly the figures of the full pass over every application.

The full pass (tests/permits/insight_reference.py: the code the pages ran before the
aggregates) is the reference: every figure of /rankings' departments, /charts' processing
times, /departments, a department's page and the home page is compared with it, on the demo,
on a generated archive and after changes read in incrementally (a stage ending, applications
decided, paused and withdrawn, a closure declared on a past day), on both databases.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from core.auth.models import Organisation, OrganisationKind, Role, User
from core.db import make_engine
from core.settings import Settings
from permits import activity, catalogue, listing, performance, service
from permits.exceptions import TransitionNotAllowed
from permits.insights import aggregates, queries
from permits.insights.models import InsightSum
from permits.models import Application, ApplicationStatus, Stage
from permits.rules import Action
from tests.conftest import demo_clone, drop_database
from tests.permits import insight_reference as reference
from tests.permits.test_list import assert_same_lists

SETTINGS = Settings(secret_key="s" * 32)


def assert_same_figures(session: Session, *, now: datetime, settings: Settings = SETTINGS):
    """Every permit figure read from the aggregates equals the full pass's."""
    years = reference.years(session)
    assert queries.years(session) == years
    for year in [None, *years]:
        for rank_by in ("on_time", "median", "backlog"):
            assert queries.department_rankings(
                session, now=now, year=year, rank_by=rank_by
            ) == reference.department_rankings(
                session, settings=settings, now=now, year=year, rank_by=rank_by
            ), (year, rank_by)
        assert queries.charts(session, year=year) == reference.charts(
            session, settings=settings, now=now, year=year
        ), year
    assert listing.statistics(session, now=now) == reference.statistics(
        session, settings=settings, now=now
    )
    assert activity.figures(session, now=now) == reference.figures(session, now=now)
    for department in session.exec(
        select(Organisation).where(Organisation.kind == OrganisationKind.DEPARTMENT)
    ):
        assert performance.performance(
            session, slug=department.slug, settings=settings, now=now
        ) == reference.performance(session, slug=department.slug, settings=settings, now=now)
    statuses = [None, *ApplicationStatus]
    for status in statuses:
        page = listing.page(session, settings=settings, now=now, status=status)
        assert page.total == len(
            session.exec(
                select(Application.id).where(status is None or Application.status == status)
            ).all()
        )


def totals(session: Session) -> set:
    return {
        (r.kind, r.department_id, r.key, r.period, r.days, r.n, r.on_time)
        for r in session.exec(select(InsightSum))
        if r.n or r.on_time
    }


@pytest.fixture
def demo_url(demo_golden, tmp_path_factory, tmp_path):
    url = demo_clone(demo_golden, tmp_path_factory, tmp_path)
    yield url
    drop_database(url)


def test_the_demo_gives_the_full_pass_figures(demo_url):
    engine = make_engine(demo_url)
    try:
        with Session(engine) as session:
            now = datetime.now(UTC)
            assert aggregates.refresh(session, settings=SETTINGS, now=now) == 0  # built by demo
            assert_same_figures(session, now=now)
            assert activity.figures(session, now=now).overdue > 0
    finally:
        engine.dispose()


def _officer_of(session: Session, stage: Stage) -> User:
    return session.exec(
        select(User).where(
            User.organisation_id == stage.department_id, User.role == Role.PERMIT_OFFICER
        )
    ).first()


def _act(session, application: Application, actions, *, now: datetime, **extra) -> Action:
    stage = session.exec(
        select(Stage)
        .where(Stage.application_id == application.id, col(Stage.ended_at).is_(None))
        .order_by(col(Stage.position))
    ).first()
    for action in actions:
        try:
            service.act(
                session,
                number=application.tracking_number,
                action=action,
                actor=_officer_of(session, stage),
                now=now,
                settings=SETTINGS,
                note="checked",
                **extra,
            )
        except TransitionNotAllowed:
            session.rollback()
            continue
        return action
    raise AssertionError(f"none of {actions} is allowed on {application.tracking_number}")


def test_changes_read_incrementally_give_the_full_pass_figures(demo_url):
    engine = make_engine(demo_url)
    try:
        with Session(engine) as session:
            now = datetime.now(UTC).replace(microsecond=0)
            running = session.exec(
                select(Application)
                .where(Application.status == ApplicationStatus.IN_PROGRESS)
                .order_by(col(Application.id))
            ).all()
            assert len(running) >= 4
            plans = [
                ([Action.ADVANCE, Action.APPROVE], {"effective_at": now - timedelta(hours=30)}),
                ([Action.APPROVE, Action.ADVANCE], {}),
                ([Action.REJECT], {}),
                ([Action.REQUEST_INFORMATION], {}),
            ]
            for application, (actions, extra) in zip(running, plans, strict=False):
                _act(session, application, actions, now=now, **extra)
            catalogue.add_closure(
                session, closure_date=date(now.year, 1, 2), reason="a closure", now=now
            )
            later = now + timedelta(minutes=2)
            assert aggregates.refresh(session, settings=SETTINGS, now=later) > 0
            assert_same_figures(session, now=later)
            assert_same_lists(session, now=later)
            # Read before the job moves its watermark, then after: more fall overdue meanwhile.
            assert_same_figures(session, now=later + timedelta(days=3))
            moved = later + timedelta(days=40)  # maybe a new year's window of holidays
            aggregates.refresh(session, settings=SETTINGS, now=moved)
            assert_same_figures(session, now=moved)
            assert_same_figures(session, now=moved - timedelta(days=20))  # a now before it
            kept = totals(session)
            aggregates.rebuild(session, settings=SETTINGS, now=moved)
            assert totals(session) == kept
    finally:
        engine.dispose()


def test_a_generated_archive_gives_the_full_pass_figures(fresh_database, tmp_path):
    from bench.archive import generate

    generate(fresh_database, data_dir=tmp_path, tenders_count=5, permits_count=600, seed=7)
    engine = make_engine(fresh_database)
    try:
        with Session(engine) as session:
            now = datetime.now(UTC)
            assert aggregates.refresh(session, settings=SETTINGS, now=now, batch=70) == 600
            assert_same_figures(session, now=now)
            assert_same_lists(session, now=now)
    finally:
        engine.dispose()
