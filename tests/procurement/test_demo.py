"""The procurement demo: a tender in every state, re-runnable without duplicates."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from core.auth import service as auth_service
from procurement import demo
from procurement.models import Tender, TenderStatus
from prongsai import demo as platform_demo


def accounts(session, now):
    for slug, kind, name, name_th, registration_id in platform_demo.ORGANISATIONS:
        auth_service.create_organisation(session, slug=slug, kind=kind, name=name,
                                         name_th=name_th, registration_id=registration_id, now=now)
    for email, display_name, role, organisation in platform_demo.USERS:
        auth_service.create_user(session, email=email, display_name=display_name, role=role,
                                 password="demo password 1", organisation_slug=organisation,
                                 now=now)


def test_demo_has_a_tender_in_every_state_and_reruns_without_duplicates(
    session, clock, settings, client
):
    accounts(session, clock())
    assert demo.load(session, now=clock(), settings=settings) == 9
    states = Counter(session.exec(select(Tender.status)).all())
    assert set(states) == set(TenderStatus)
    assert states[TenderStatus.ACTIVE] == 4
    assert demo.load(session, now=clock(), settings=settings) == 0
    assert len(session.exec(select(Tender.id)).all()) == 9
    awarded = session.exec(select(Tender).where(Tender.status == TenderStatus.AWARDED)).one()
    page = client.get(f"/tenders/{awarded.id}").text
    assert "Awaiting the buyer" in page and "฿48,900,000.00" in page
