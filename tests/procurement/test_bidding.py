"""Sealed bids at their boundaries: the deadline, idempotent retries, bad input."""

import base64
from datetime import timedelta

from sqlmodel import func, select

from procurement.bids.models import Bid
from tests.procurement import factories as f


def _tender(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    return f.published_tender(client, session, clock, buyer_h), buyer_h


def test_a_bid_one_microsecond_before_the_deadline_counts_and_at_the_deadline_is_refused(
    client, session, clock
):
    tender, _ = _tender(client, session, clock)
    _, supplier_h = f.supplier(client, session, clock())
    deadline = clock() + timedelta(days=10)
    clock.set(deadline - timedelta(microseconds=1))
    assert (
        client.post(
            f"/api/tenders/{tender['id']}/bids", json=f.bid_body(100), headers=supplier_h
        ).status_code
        == 201
    )
    clock.set(deadline)
    late = client.post(f"/api/tenders/{tender['id']}/bids", json=f.bid_body(90), headers=supplier_h)
    assert late.status_code == 409
    # The reader sees the instants as the pages show them: in Bangkok, to the second.
    assert late.json()["detail"] == (
        "The bid deadline was 2026-12-06 10:00:00; the server time is 2026-12-06 10:00:00. "
        "The bid was not accepted."
    )
    assert session.exec(select(func.count()).select_from(Bid)).one() == 1


def test_a_late_bid_is_refused_through_the_api_in_the_readers_language(client, session, clock):
    tender, _ = _tender(client, session, clock)
    _, supplier_h = f.supplier(client, session, clock())
    clock.set(clock() + timedelta(days=10))  # the deadline
    url = f"/api/tenders/{tender['id']}/bids"
    thai = client.post(
        url, json=f.bid_body(90), headers={**supplier_h, "accept-language": "th-TH,th;q=0.9"}
    )
    assert thai.status_code == 409
    detail = thai.json()["detail"]
    assert detail.startswith("ยื่นข้อเสนอหลังเวลาปิดรับไม่ได้ กำหนดยื่นข้อเสนอคือ ")
    assert detail.endswith("ระบบไม่รับข้อเสนอนี้")
    english = client.post(url, json=f.bid_body(90), headers=supplier_h)
    assert english.json()["detail"].startswith("The bid deadline was ")
    assert english.json()["detail"].endswith("The bid was not accepted.")
    assert session.exec(select(func.count()).select_from(Bid)).one() == 0


def test_a_thai_readers_refused_late_bid_shows_a_buddhist_era_bangkok_time(client, session, clock):
    tender, _ = _tender(client, session, clock)
    _, supplier_h = f.supplier(client, session, clock())
    clock.set(clock() + timedelta(days=10, seconds=42))  # 03:00:42 UTC, 42 s past the deadline
    late = client.post(
        f"/api/tenders/{tender['id']}/bids",
        json=f.bid_body(90),
        headers={**supplier_h, "accept-language": "th"},
    )
    assert late.status_code == 409
    assert late.json()["detail"] == (
        "ยื่นข้อเสนอหลังเวลาปิดรับไม่ได้ กำหนดยื่นข้อเสนอคือ 6 ธ.ค. 2569 10:00:00 "
        "เวลาของระบบขณะนี้คือ 6 ธ.ค. 2569 10:00:42 ระบบไม่รับข้อเสนอนี้"
    )


def test_a_retried_submission_returns_the_first_receipt_never_a_second_bid(client, session, clock):
    tender, _ = _tender(client, session, clock)
    _, supplier_h = f.supplier(client, session, clock())
    headers = {**supplier_h, "Idempotency-Key": "bid-2026-11-26-001"}
    first = client.post(f"/api/tenders/{tender['id']}/bids", json=f.bid_body(500), headers=headers)
    again = client.post(f"/api/tenders/{tender['id']}/bids", json=f.bid_body(500), headers=headers)
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json()["bid_id"] == first.json()["bid_id"]
    assert again.json()["commitment"] == first.json()["commitment"]
    different = client.post(
        f"/api/tenders/{tender['id']}/bids", json=f.bid_body(400), headers=headers
    )
    assert different.status_code == 422
    assert "different request body" in different.json()["detail"]
    assert session.exec(select(func.count()).select_from(Bid)).one() == 1


def test_bad_bids_are_refused_with_a_message_and_store_nothing(client, session, clock):
    tender, _ = _tender(client, session, clock)
    _, registered_h = f.supplier(client, session, clock())
    _, unregistered_h = f.supplier(client, session, clock(), register=False)
    url = f"/api/tenders/{tender['id']}/bids"
    cases = [
        (unregistered_h, f.bid_body(100), 403, "Register your company"),
        (registered_h, f.bid_body(100, "USD"), 422, "takes bids in THB"),
        (
            registered_h,
            {"price": {"amount": -5, "currency": "THB"}, "declaration": True},
            422,
            "Amount: Enter more than 0",
        ),
        (registered_h, {**f.bid_body(100), "declaration": False}, 422, "declaration"),
        (
            registered_h,
            {
                **f.bid_body(100),
                "documents": [
                    {"title": "spec", "content_base64": base64.b64encode(b"MZ not a pdf").decode()}
                ],
            },
            422,
            "is not a PDF",
        ),
    ]
    for headers, body, status, message in cases:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == status, (body, response.text)
        assert message in response.json()["detail"]
    assert (
        client.post("/api/tenders/99999/bids", json=f.bid_body(1), headers=registered_h).status_code
        == 404
    )
    assert session.exec(select(func.count()).select_from(Bid)).one() == 0


def test_a_cancelled_tender_takes_no_bids(client, session, clock):
    tender, buyer_h = _tender(client, session, clock)
    _, supplier_h = f.supplier(client, session, clock())
    client.post(
        f"/api/tenders/{tender['id']}/cancel", json={"reason": "Budget withdrawn."}, headers=buyer_h
    )
    response = client.post(
        f"/api/tenders/{tender['id']}/bids", json=f.bid_body(1), headers=supplier_h
    )
    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]
    assert client.get(f"/api/tenders/{tender['id']}").json()["cancel_reason"] == (
        "Budget withdrawn."
    )


def test_a_late_amendment_must_extend_the_deadline(client, session, clock):
    tender, buyer_h = _tender(client, session, clock)
    clock.advance(days=8)  # two days left; the minimum after an amendment is three
    url = f"/api/tenders/{tender['id']}/amendments"
    refused = client.post(
        url, json={"rationale": "Drawings corrected", "title": "Road works v2"}, headers=buyer_h
    )
    assert refused.status_code == 422
    assert "must extend it" in refused.json()["detail"]
    later = clock() + timedelta(days=4)
    accepted = client.post(
        url,
        headers=buyer_h,
        json={
            "rationale": "Drawings corrected",
            "title": "Road works v2",
            "tender_end_at": later.isoformat(),
            "opening_at": later.isoformat(),
        },
    )
    assert accepted.status_code == 201, accepted.text
    amendment = accepted.json()["amendments"][0]
    assert amendment["changes"]["title"][1] == "Road works v2"
    assert accepted.json()["version"] == 2


def test_a_withdrawn_bid_is_not_opened_but_its_commitment_stays_logged(client, session, clock):
    tender, buyer_h = _tender(client, session, clock)
    _, supplier_h = f.supplier(client, session, clock())
    receipt = client.post(
        f"/api/tenders/{tender['id']}/bids", json=f.bid_body(100), headers=supplier_h
    ).json()
    assert (
        client.delete(f"/api/tenders/{tender['id']}/bids/mine", headers=supplier_h).status_code
        == 200
    )
    clock.advance(days=11)
    opened = client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h).json()
    assert opened["opening"] == []
    logged = client.get(
        "/api/ledger/entries",
        params={"start": receipt["log_index"], "end": receipt["log_index"] + 1},
    )
    assert receipt["commitment"] in logged.json()["entries"][0]["entry"]


def test_a_selective_tender_takes_bids_only_from_invited_suppliers(client, session, clock):
    from core.auth.models import Organisation

    _, buyer_h = f.buyer(client, session, clock())
    invited, invited_h = f.supplier(client, session, clock())
    _, outsider_h = f.supplier(client, session, clock())
    slug = session.get(Organisation, invited.organisation_id).slug
    tender = f.published_tender(
        client, session, clock, buyer_h, method="selective", invited_suppliers=[slug]
    )
    url = f"/api/tenders/{tender['id']}/bids"
    refused = client.post(url, json=f.bid_body(100), headers=outsider_h)
    assert refused.status_code == 403
    assert "only the invited suppliers" in refused.json()["detail"]
    assert client.post(url, json=f.bid_body(100), headers=invited_h).status_code == 201
    assert session.exec(select(func.count()).select_from(Bid)).one() == 1
