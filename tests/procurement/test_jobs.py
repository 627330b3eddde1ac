"""The opening job opens every due tender with no one present, exactly once."""

from datetime import timedelta

from sqlmodel import Session, func, select

from core.auth.models import Role
from core.clock import FrozenClock
from core.db import make_engine
from core.ledger.models import LedgerEntry
from core.scheduler import JobContext
from core.settings import Settings
from procurement import jobs
from procurement.bids import service as bidding
from procurement.bids.models import Bid
from procurement.bids.schemas import BidIn, PriceIn, SupplierIn
from procurement.tenders import service as tender_service
from procurement.tenders.models import Tender, TenderStatus
from procurement.tenders.schemas import TenderDraftIn
from prongsai import schema
from tests import factories
from tests.conftest import START


def test_due_tenders_are_opened_by_the_job_once_even_when_it_runs_late(fresh_database, tmp_path):
    schema.upgrade(fresh_database)
    engine = make_engine(fresh_database)
    clock = FrozenClock(START)
    settings = Settings(data_dir=tmp_path, database_url=fresh_database, secret_key="k" * 32)
    context = JobContext(engine=engine, settings=settings, clock=clock)
    try:
        with Session(engine) as session:
            buyer = factories.user(session, role=Role.BUYER, now=clock())
            supplier = factories.user(session, role=Role.SUPPLIER, now=clock())
            bidding.register_supplier(
                session,
                user=supplier,
                now=clock(),
                details=SupplierIn(
                    address="5 Wireless Road, Bangkok",
                    contact_name="A",
                    contact_email="a@x.example",
                    contact_phone="+66 2 111 1111",
                ),
            )
            draft = TenderDraftIn(
                title="Laptops for district offices",
                description="120 laptops",
                category="goods",
                estimated_value=3_600_000_00,
                enquiry_end_at=clock() + timedelta(days=3),
                tender_start_at=clock(),
                tender_end_at=clock() + timedelta(days=8),
                opening_at=clock() + timedelta(days=8, hours=2),
                items=[{"description": "Laptop", "quantity": "120", "unit": "unit"}],
            )
            tender = tender_service.create_draft(session, buyer=buyer, draft=draft, now=clock())
            tender_service.publish(
                session, buyer=buyer, tender_id=tender.id, now=clock(), settings=settings
            )
            bidding.submit_bid(
                session,
                user=supplier,
                tender_id=tender.id,
                clock=clock,
                settings=settings,
                bid=BidIn(price=PriceIn(amount=3_400_000_00, currency="THB"), declaration=True),
            )
            tender_id = tender.id
        clock.set(START + timedelta(days=8, hours=2) - timedelta(seconds=1))
        jobs.open_due_tenders(context)
        with Session(engine) as session:
            assert session.get(Tender, tender_id).status == TenderStatus.ACTIVE
        # The app was down at the opening time; the job runs three hours late, twice.
        clock.set(START + timedelta(days=8, hours=5))
        jobs.open_due_tenders(context)
        jobs.open_due_tenders(context)
        with Session(engine) as session:
            tender = session.get(Tender, tender_id)
            assert tender.status == TenderStatus.OPENED
            assert tender.opened_at == clock()
            bid = session.exec(select(Bid).where(Bid.tender_id == tender_id)).one()
            assert bid.price == 3_400_000_00
            assert bid.rank == 1
            releases = session.exec(
                select(func.count())
                .select_from(LedgerEntry)
                .where(LedgerEntry.entry_type == "procurement.key.released")
            ).one()
            assert releases == 1
    finally:
        engine.dispose()


def test_the_app_schedules_openings_and_finalisations(fresh_database, tmp_path):
    from fastapi.testclient import TestClient

    from prongsai.app import create_app

    schema.upgrade(fresh_database)
    engine = make_engine(fresh_database)
    settings = Settings(data_dir=tmp_path, database_url=fresh_database, secret_key="k" * 32)
    try:
        app = create_app(settings, engine=engine)
        with TestClient(app):
            for name in (jobs.OPEN_DUE_JOB, jobs.FINALISE_DUE_JOB):
                assert app.state.scheduler.next_run_at(name) is not None
    finally:
        engine.dispose()
