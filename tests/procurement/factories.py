"""Factories for procurement tests: users with tokens, drafts, published tenders, bids."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.auth.models import Role
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


def headers_for(client, user) -> dict:
    response = client.post(
        "/api/auth/tokens", json={"email": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def buyer(client, session, now):
    user = factories.user(session, role=Role.BUYER, now=now)
    return user, headers_for(client, user)


def supplier(client, session, now, *, register: bool = True):
    user = factories.user(session, role=Role.SUPPLIER, now=now)
    headers = headers_for(client, user)
    if register:
        details = {
            "address": "99 Rama IV Road, Bangkok 10110",
            "contact_name": "Khun Somsak",
            "contact_email": f"contact-{user.id}@private.example",
            "contact_phone": "+66 2 555 0199",
        }
        assert client.put("/api/suppliers/me", json=details, headers=headers).status_code == 200
    return user, headers


def published_tender(client, session, clock, buyer_headers, **overrides) -> dict:
    created = client.post(
        "/api/tenders", json=draft_body(clock(), **overrides), headers=buyer_headers
    )
    assert created.status_code == 201, created.text
    published = client.post(f"/api/tenders/{created.json()['id']}/publish", headers=buyer_headers)
    assert published.status_code == 200, published.text
    return published.json()


def bid_body(amount: int, currency: str = "THB") -> dict:
    return {"price": {"amount": amount, "currency": currency}, "declaration": True}
