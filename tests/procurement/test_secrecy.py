"""Before the opening, no table, log line, notification or response holds a bid's price or text."""

import base64
import logging

import pytest
from sqlalchemy import MetaData, select

from tests.procurement import factories as f

PRICE_MARKER = 987_654_321
LOT_MARKER = 864_213_579  # one lot's price in a lotted bid (the other lot takes the rest)
TEXT_MARKER = "SECRET-SPEC-MARKER-4417"


def pdf_with(text: str) -> str:
    return base64.b64encode(f"%PDF-1.4\n% {text}\n%%EOF\n".encode()).decode()


def dump(connection) -> str:
    """Every row of every table, as text (binary columns included)."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    out = []
    for table in metadata.sorted_tables:
        for row in connection.execute(select(table)):
            for value in row:
                out.append(value.decode("latin-1") if isinstance(value, bytes) else str(value))
    return "\n".join(out)


def markers_in(text: str) -> list[str]:
    found = [
        m
        for m in (
            str(PRICE_MARKER),
            "9,876,543.21",
            "9876543.21",
            TEXT_MARKER,
            str(LOT_MARKER),
            "8,642,135.79",
            "8642135.79",
            str(PRICE_MARKER - LOT_MARKER),
        )
        if m in text
    ]
    return found


LOTS = [
    {"title": "Lot one", "estimated_value": 1_000_000},
    {"title": "Lot two", "estimated_value": 1_000_000},
]
ITEMS = [
    {"description": "Part one", "quantity": "1", "unit": "set", "lot": 1},
    {"description": "Part two", "quantity": "1", "unit": "set", "lot": 2},
]


@pytest.mark.parametrize("lotted", [False, True], ids=["whole tender", "lotted tender"])
def test_nothing_reveals_a_bid_before_the_opening(
    client, session, clock, connection, caplog, lotted
):
    _, buyer_h = f.buyer(client, session, clock())
    _, supplier_h = f.supplier(client, session, clock())
    admin_h = f.headers_for(client, _admin(session, clock))
    extra = {"lots": LOTS, "items": ITEMS} if lotted else {}
    tender = f.published_tender(client, session, clock, buyer_h, **extra)
    tid = tender["id"]
    responses = []
    with caplog.at_level(logging.DEBUG):
        document = {"title": "Technical proposal", "content_base64": pdf_with(TEXT_MARKER)}
        bid = {**f.bid_body(PRICE_MARKER), "documents": [document]}
        if lotted:
            bid["lot_prices"] = [
                {"lot": 1, "amount": LOT_MARKER},
                {"lot": 2, "amount": PRICE_MARKER - LOT_MARKER},
            ]
        receipt = client.post(f"/api/tenders/{tid}/bids", json=bid, headers=supplier_h)
        assert receipt.status_code == 201
        # The bidder's own answer carries the private part, once, and is cached nowhere...
        assert receipt.json()["private"]["price"]["amount"] == PRICE_MARKER
        assert receipt.headers["cache-control"] == "no-store"
        bid_id = receipt.json()["bid_id"]
        # ...and every later copy of the receipt, the bidder's own included, is the public part.
        stored = client.get(f"/api/tenders/{tid}/bids/{bid_id}/receipt", headers=supplier_h)
        assert stored.status_code == 200
        assert stored.json()["private"] is None
        assert stored.json()["opened"] is None
        responses.append(stored.text)
        for headers in ({}, buyer_h, supplier_h, admin_h):
            for path in (
                f"/api/tenders/{tid}",
                "/api/tenders",
                "/api/ocds/releases",
                f"/api/ocds/records/{tender['ocid']}",
                "/api/ledger/entries",
                f"/tenders/{tid}",
                "/tenders",
                "/api/tenders/changes",
            ):
                response = client.get(path, headers=headers)
                responses.append(response.text)
        early = client.post(f"/api/tenders/{tid}/open", headers=buyer_h)
        assert early.status_code == 409
        responses.append(early.text)
    assert markers_in("\n".join(responses)) == []
    assert markers_in("\n".join(r.getMessage() for r in caplog.records)) == []
    assert markers_in(dump(connection)) == []

    clock.advance(days=11)
    opened = client.post(f"/api/tenders/{tid}/open", headers=buyer_h)
    assert str(PRICE_MARKER) in opened.text  # and after the opening, it is public at once
    if lotted:
        assert opened.json()["opening"][0]["lots"] == [
            {"lot": 1, "price": LOT_MARKER, "rank": 1},
            {"lot": 2, "price": PRICE_MARKER - LOT_MARKER, "rank": 1},
        ]
        assert "฿8,642,135.79" in client.get(f"/tenders/{tid}").text


def _admin(session, clock):
    from core.auth.models import Role
    from tests import factories

    return factories.user(session, role=Role.ADMIN, now=clock())
