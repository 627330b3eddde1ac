"""Factories for procurement tests: users with tokens, drafts, published tenders, bids."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import object_session

from core.auth import service as auth_service
from core.auth.models import Role, TokenKind
from procurement.bids import service as bidding
from procurement.bids.schemas import SupplierIn
from procurement.public import queries
from procurement.tenders import service as tender_service
from procurement.tenders.schemas import TenderDraftIn
from tests import factories

DAY = timedelta(days=1)


def draft_body(now: datetime, **overrides) -> dict:
    """A valid draft: 10 days to bid, opening one hour after the deadline."""
    body = {
        "title": "Road resurfacing, Sukhumvit soi 101",
        "description": "Resurfacing 1.2 km of asphalt road with drainage repairs.",
        "category": "works",
        "estimated_value": 250_000_000,
        "currency": "THB",
        "enquiry_end_at": (now + 5 * DAY).isoformat(),
        "tender_start_at": now.isoformat(),
        "tender_end_at": (now + 10 * DAY).isoformat(),
        "opening_at": (now + 10 * DAY + timedelta(hours=1)).isoformat(),
        "standstill_days": 10,
        "items": [{"description": "Asphalt resurfacing", "quantity": "12000", "unit": "m2"}],
    }
    body.update(overrides)
    return body


def headers_for(_client, user) -> dict:
    """An API token for the user, issued by the service (the token route has its own tests)."""
    session = object_session(user)
    raw, _ = auth_service.issue_token(
        session, user=user, kind=TokenKind.API, now=user.created_at, lifetime=None
    )
    return {"Authorization": f"Bearer {raw}"}


def buyer(client, session, now):
    user = factories.user(session, role=Role.BUYER, now=now)
    return user, headers_for(client, user)


def supplier(client, session, now, *, register: bool = True):
    user = factories.user(session, role=Role.SUPPLIER, now=now)
    headers = headers_for(client, user)
    if register:
        details = SupplierIn(
            address="99 Rama IV Road, Bangkok 10110",
            contact_name="Khun Somsak",
            contact_email=f"contact-{user.id}@private.example",
            contact_phone="+66 2 555 0199",
        )
        bidding.register_supplier(session, user=user, details=details, now=now)
    return user, headers


def published_tender(client, session, clock, buyer_headers, **overrides) -> dict:
    """A published tender, made through the services; its public view as the API shows it."""
    settings = client.app.state.settings
    raw = buyer_headers["Authorization"].removeprefix("Bearer ")
    buyer = auth_service.resolve_token(session, raw=raw, kind=TokenKind.API, now=clock())
    draft = TenderDraftIn.model_validate(draft_body(clock(), **overrides))
    tender = tender_service.create_draft(session, buyer=buyer, draft=draft, now=clock())
    tender_service.publish(
        session, buyer=buyer, tender_id=tender.id, now=clock(), settings=settings
    )
    view = queries.tender_view(session, tender_id=tender.id, prefix=settings.ocid_prefix)
    return view.model_dump(mode="json")


def bid_body(amount: int, currency: str = "THB") -> dict:
    return {"price": {"amount": amount, "currency": currency}, "declaration": True}
