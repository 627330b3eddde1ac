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
