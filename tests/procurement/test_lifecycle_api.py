"""A tender from draft to contract through the HTTP API, as buyer, suppliers and public see it."""

import hashlib
from datetime import timedelta

from tests.core.ledger import rfc9162
from tests.procurement import factories as f


def test_tender_from_draft_to_contract(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    low, low_h = f.supplier(client, session, clock())
    high, high_h = f.supplier(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h)
    tid = tender["id"]
    assert tender["status"] == "active"
    assert tender["sealing_public_key"]
    assert tender["ocid"].endswith(f"-{tid}")

    # A question, answered publicly without the asker.
    q = client.post(
        f"/api/tenders/{tid}/questions", json={"question": "Is night work allowed?"}, headers=low_h
    )
    assert q.status_code == 201
    a = client.post(
        f"/api/questions/{q.json()['id']}/answer",
        json={"answer": "Yes, 22:00-05:00."},
        headers=buyer_h,
    )
    assert a.status_code == 200

    # Bids: one supplier replaces its bid; the latest counts.
    first = client.post(f"/api/tenders/{tid}/bids", json=f.bid_body(240_000_000), headers=low_h)
    assert first.status_code == 201, first.text
    replaced = client.post(f"/api/tenders/{tid}/bids", json=f.bid_body(230_000_000), headers=low_h)
    assert replaced.json()["version"] == 2
    other = client.post(f"/api/tenders/{tid}/bids", json=f.bid_body(245_000_000), headers=high_h)
    assert other.status_code == 201

    # The receipt's inclusion proof checks out with the RFC verifier.
    receipt = replaced.json()
    entry = client.get(
        "/api/ledger/entries",
        params={"start": receipt["log_index"], "end": receipt["log_index"] + 1},
    )
    text = entry.json()["entries"][0]["entry"]
    assert receipt["commitment"] in text
    assert rfc9162.verify_inclusion(
        hashlib.sha256(b"\x00" + text.encode()).digest(),
        receipt["log_index"],
        receipt["tree_size"],
        [bytes.fromhex(h) for h in receipt["inclusion_proof"]],
        bytes.fromhex(receipt["root_hash"]),
    )

    # Before the opening time, nobody can open.
    early = client.post(f"/api/tenders/{tid}/open", headers=buyer_h)
    assert early.status_code == 409
    assert early.json()["detail"] == "Bids open at 2026-12-06 11:00:00; it is 2026-11-26 10:00:00."

    clock.advance(days=10, hours=1)
    opened = client.post(f"/api/tenders/{tid}/open", headers=buyer_h).json()
    assert opened["status"] == "opened"
    record = {b["supplier"]["slug"]: b for b in opened["opening"]}
    assert set(record) == {_slug(session, low), _slug(session, high)}
    assert record[_slug(session, low)]["price"] == 230_000_000
    assert record[_slug(session, low)]["rank"] == 1
    assert record[_slug(session, high)]["rank"] == 2

    awarded = client.post(f"/api/tenders/{tid}/award", json={}, headers=buyer_h).json()
    award = awarded["awards"][0]
    assert award["supplier"]["slug"] == _slug(session, low)
    assert award["status"] == "standstill"

    _, outsider_h = f.supplier(client, session, clock())
    refused = client.post(
        f"/api/awards/{award['id']}/complaints",
        json={"text": "I did not bid, but I object anyway."},
        headers=outsider_h,
    )
    assert refused.status_code == 403  # another organisation: refused, not a conflict
    assert "Only a company that bid" in refused.json()["detail"]
    complaint = client.post(
        f"/api/awards/{award['id']}/complaints",
        json={"text": "The winner's price is abnormally low."},
        headers=high_h,
    )
    assert complaint.status_code == 201
    clock.advance(days=10)
    blocked = client.post(f"/api/awards/{award['id']}/finalise", headers=buyer_h)
    assert blocked.status_code == 409
    assert "await the buyer's answer" in blocked.json()["detail"]
    client.post(
        f"/api/complaints/{complaint.json()['id']}/answer",
        json={"response": "The price was checked against the estimate."},
        headers=buyer_h,
    )
    final = client.post(f"/api/awards/{award['id']}/finalise", headers=buyer_h)
    assert final.json()["status"] == "final"

    today = clock().date()
    contract = client.post(
        f"/api/awards/{award['id']}/contract",
        headers=buyer_h,
        json={
            "value": 230_000_000,
            "start_date": str(today + timedelta(days=7)),
            "end_date": str(today + timedelta(days=180)),
            "signed_date": str(today),
        },
    )
    assert contract.status_code == 201, contract.text

    public = client.get(f"/api/tenders/{tid}").json()
    assert public["status"] == "contracted"
    assert public["questions"][0]["answer"] == "Yes, 22:00-05:00."
    assert public["awards"][0]["complaints"][0]["response"]
    types = [e["entry_type"] for e in public["log_entries"]]
    assert types[0] == "procurement.tender.published"
    assert types.count("procurement.bid.sealed") == 3
    assert "procurement.key.released" in types
    assert types[-1] == "procurement.contract.signed"

    changes = client.get("/api/tenders/changes").json()
    assert tid in [t["id"] for t in changes["tenders"]]
    after = client.get("/api/tenders/changes", params={"cursor": changes["next_cursor"]})
    assert tid not in [t["id"] for t in after.json()["tenders"]]
    assert after.json()["more"] is False  # caught up: a mirror stops here and polls later
    paged = client.get("/api/tenders/changes", params={"limit": 1}).json()
    assert paged["more"] is True


def _slug(session, user):
    from core.auth.models import Organisation

    return session.get(Organisation, user.organisation_id).slug


def test_a_draft_is_invisible_to_the_public_and_other_buyers(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    _, other_h = f.buyer(client, session, clock())
    draft = client.post("/api/tenders", json=f.draft_body(clock()), headers=buyer_h).json()
    assert client.get(f"/api/tenders/{draft['id']}").status_code == 404
    assert client.post(f"/api/tenders/{draft['id']}/publish", headers=other_h).status_code == 404
    assert draft["id"] not in [t["id"] for t in client.get("/api/tenders").json()]


def test_publication_refuses_incoherent_dates_and_names_them(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    body = f.draft_body(
        clock(),
        tender_end_at=(clock() + timedelta(days=3)).isoformat(),
        opening_at=(clock() + timedelta(days=2)).isoformat(),
    )
    draft = client.post("/api/tenders", json=body, headers=buyer_h).json()
    response = client.post(f"/api/tenders/{draft['id']}/publish", headers=buyer_h)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "at or after the bid deadline" in detail
    assert "at least 7 days" in detail
    assert client.get(f"/api/tenders/{draft['id']}").status_code == 404  # still a draft


def test_suppliers_and_buyers_cannot_act_in_each_others_roles(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    _, supplier_h = f.supplier(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h)
    assert (
        client.post("/api/tenders", json=f.draft_body(clock()), headers=supplier_h).status_code
        == 403
    )
    bid = client.post(f"/api/tenders/{tender['id']}/bids", json=f.bid_body(1000), headers=buyer_h)
    assert bid.status_code == 403
    assert "needs the role: supplier" in bid.json()["detail"]
