"""The procurement demo: a tender in every state, re-runnable without duplicates."""

from __future__ import annotations

from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from core.auth import service as auth_service
from core.db import make_engine
from core.settings import Settings
from procurement import demo
from procurement.tenders.models import Tender, TenderStatus
from prongsai import demo as platform_demo
from prongsai.app import create_app


def accounts(session, now):
    for slug, kind, name, name_th, registration_id in platform_demo.ORGANISATIONS:
        auth_service.create_organisation(
            session,
            slug=slug,
            kind=kind,
            name=name,
            name_th=name_th,
            registration_id=registration_id,
            now=now,
        )
    for email, display_name, role, organisation in platform_demo.USERS:
        auth_service.create_user(
            session,
            email=email,
            display_name=display_name,
            role=role,
            password="demo password 1",
            organisation_slug=organisation,
            now=now,
        )


def test_demo_has_a_tender_in_every_state_and_reruns_without_duplicates(
    session, clock, settings, client
):
    accounts(session, clock())
    assert demo.load(session, now=clock(), settings=settings) == 10
    states = Counter(session.exec(select(Tender.status)).all())
    assert set(states) == set(TenderStatus)
    assert states[TenderStatus.ACTIVE] == 4
    assert demo.load(session, now=clock(), settings=settings) == 0
    assert len(session.exec(select(Tender.id)).all()) == 10
    awarded = session.exec(
        select(Tender).where(Tender.title == "Personal protective equipment stockpile 2027")
    ).one()
    page = client.get(f"/tenders/{awarded.id}").text
    assert "Awaiting the buyer" in page
    assert "฿48,900,000.00" in page


@pytest.fixture
def demo_client(demo_deployment):
    """The app over a copy of the demo deployment the run built (as `prongsai demo` makes it),
    rather than loading the demo again in this test."""
    url, folder = demo_deployment
    settings = Settings(data_dir=folder, database_url=url, secret_key="s" * 32, run_scheduler=False)
    engine = make_engine(url)
    try:
        with TestClient(create_app(settings, engine=engine), base_url="https://testserver") as c:
            yield c
    finally:
        engine.dispose()


def test_the_demo_has_a_tender_awarded_lot_by_lot(demo_client):
    client = demo_client
    tenders = client.get("/api/tenders", params={"limit": 100}).json()
    lotted = next(t for t in tenders if t["title"].startswith("Medical equipment"))
    view = client.get(f"/api/tenders/{lotted['id']}").json()
    assert [lot["title"] for lot in view["lots"]] == [
        "Ultrasound systems",
        "Patient monitoring",
        "Infusion pumps",
    ]
    winners = {a["lot"]: (a["supplier"]["slug"], a["value"]) for a in view["awards"]}
    assert winners == {
        1: ("lanna-medical", 1_325_000_000),
        2: ("chaophraya-it", 1_698_000_000),
        3: ("siam-civil", 842_000_000),
    }
    assert [c["award_id"] for c in view["contracts"]] == [view["awards"][0]["id"]]
    page = client.get(f"/tenders/{lotted['id']}").text
    assert "Lot 2: Patient monitoring — bids and ranking" in page
    assert "฿16,980,000.00" in page
