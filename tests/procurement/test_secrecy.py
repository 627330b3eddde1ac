"""Before the opening, no table, log line, notification or response holds a bid's price or text."""

import base64
import logging

from sqlalchemy import MetaData, select

from tests.procurement import factories as f

PRICE_MARKER = 987_654_321
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
    found = [m for m in (str(PRICE_MARKER), "9,876,543.21", "9876543.21", TEXT_MARKER)
             if m in text]
    return found


def test_nothing_reveals_a_bid_before_the_opening(client, session, clock, connection, caplog):
    _, buyer_h = f.buyer(client, session, clock())
    _, supplier_h = f.supplier(client, session, clock())
    admin_h = f.headers_for(client, _admin(session, clock))
    tender = f.published_tender(client, session, clock, buyer_h)
    tid = tender["id"]
    responses = []
    with caplog.at_level(logging.DEBUG):
        document = {"title": "Technical proposal", "content_base64": pdf_with(TEXT_MARKER)}
        bid = {**f.bid_body(PRICE_MARKER), "documents": [document]}
        receipt = client.post(f"/api/tenders/{tid}/bids", json=bid, headers=supplier_h)
        assert receipt.status_code == 201
        responses.append(receipt.text)
        for headers in ({}, buyer_h, supplier_h, admin_h):
            for path in (f"/api/tenders/{tid}", "/api/tenders", "/api/ocds/releases",
                         f"/api/ocds/records/{tender['ocid']}", "/api/ledger/entries",
                         f"/tenders/{tid}", "/tenders", "/api/tenders/changes"):
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


def _admin(session, clock):
    from core.auth.models import Role
    from tests import factories

    return factories.user(session, role=Role.ADMIN, now=clock())
