"""The buyer's dashboard shows what waits: questions to answer, then bids to open."""

from __future__ import annotations

from datetime import datetime

from tests import factories
from tests.core.auth.test_views import csrf_from
from tests.procurement import factories as f


def test_the_buyer_dashboard_shows_questions_waiting_and_bids_to_open(client, session, clock):
    buyer, headers = f.buyer(client, session, clock())
    tender = f.published_tender(client, session, clock, headers)
    _, supplier = f.supplier(client, session, clock())
    asked = client.post(
        f"/api/tenders/{tender['id']}/questions",
        json={"question": "May we offer an equivalent asphalt grade?"},
        headers=supplier,
    )
    assert asked.status_code == 201, asked.text
    token = csrf_from(client.get("/signin").text)
    client.post(
        "/signin", data={"email": buyer.email, "password": factories.PASSWORD, "csrf_token": token}
    )
    page = client.get("/buyer").text
    assert "Questions waiting for an answer" in page
    assert "equivalent asphalt grade" in page
    assert "Bids to open" not in page
    clock.set(datetime.fromisoformat(tender["opening_at"]))
    token = csrf_from(client.get("/signin").text)
    client.post(
        "/signin", data={"email": buyer.email, "password": factories.PASSWORD, "csrf_token": token}
    )
    later = client.get("/buyer").text
    assert "Bids to open" in later
    assert f'href="/buyer/tenders/{tender["id"]}#bids"' in later


def test_a_supplier_lists_its_bids_and_reads_a_receipt_through_the_api(client, session, clock):
    _, buyer = f.buyer(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer)
    _, supplier = f.supplier(client, session, clock())
    sent = client.post(
        f"/api/tenders/{tender['id']}/bids", json=f.bid_body(1_234_567), headers=supplier
    ).json()
    mine = client.get("/api/suppliers/me/bids", headers=supplier)
    assert mine.status_code == 200
    assert [b["id"] for b in mine.json()] == [sent["bid_id"]]
    assert "1234567" not in mine.text  # no price before the opening
    receipt = client.get(
        f"/api/tenders/{tender['id']}/bids/{sent['bid_id']}/receipt", headers=supplier
    )
    assert receipt.status_code == 200
    assert receipt.json()["commitment"] == sent["commitment"]
    _, other = f.supplier(client, session, clock())
    theirs = client.get(f"/api/tenders/{tender['id']}/bids/{sent['bid_id']}/receipt", headers=other)
    assert theirs.status_code == 404
    assert client.get("/api/suppliers/me/bids", headers=buyer).status_code == 403


def test_the_buyer_reads_bid_documents_only_after_the_opening(client, session, clock):
    import base64

    buyer, buyer_h = f.buyer(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h)
    _, supplier = f.supplier(client, session, clock())
    pdf = b"%PDF-1.4\n% method statement\n%%EOF\n"
    body = f.bid_body(2_000_000) | {
        "documents": [
            {"title": "Method statement", "content_base64": base64.b64encode(pdf).decode()}
        ]
    }
    sent = client.post(f"/api/tenders/{tender['id']}/bids", json=body, headers=supplier).json()
    path = f"/api/tenders/{tender['id']}/bids/{sent['bid_id']}/documents/1"
    early = client.get(path, headers=buyer_h)
    assert early.status_code == 409
    assert "after the opening" in early.json()["detail"]
    clock.set(datetime.fromisoformat(tender["opening_at"]))
    assert client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h).status_code == 200
    assert client.get(path, headers=buyer_h).content == pdf
    assert client.get(path, headers=supplier).status_code == 403
    other = f.buyer(client, session, clock())[1]
    assert client.get(path, headers=other).status_code == 404
    token = csrf_from(client.get("/signin").text)
    client.post(
        "/signin", data={"email": buyer.email, "password": factories.PASSWORD, "csrf_token": token}
    )
    page = client.get(f"/buyer/tenders/{tender['id']}").text
    assert "Method statement" in page
    link = f"/buyer/tenders/{tender['id']}/bids/{sent['bid_id']}/documents/1"
    assert link in page
    assert client.get(link).content == pdf
