"""KONEPS multiple reserve prices: drawn from a committed seed, recomputable by anyone."""

import hashlib
import hmac
import json

from tests.procurement import factories as f

BASE, RANGE_BP = 100_000_000, 300  # ฿1,000,000.00 ± 3%


def independent_candidates(seed: bytes) -> list[int]:
    """The published rule, written again from its description: 15 draws, one per interval."""
    low, span = BASE - BASE * RANGE_BP // 10_000, 2 * (BASE * RANGE_BP // 10_000)
    out = []
    for i in range(15):
        start = low + span * i // 15
        width = low + span * (i + 1) // 15 - start
        draw = int.from_bytes(hmac.new(seed, str(i).encode(), hashlib.sha256).digest(), "big")
        out.append(start + draw % width)
    return out


def test_reserve_price_is_drawn_at_the_opening_and_checks_out(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    tender = f.published_tender(
        client,
        session,
        clock,
        buyer_h,
        reserve={"base_amount": BASE, "range_bp": RANGE_BP, "floor_rate_bp": 8_000},
    )
    tid = tender["id"]
    assert tender["reserve"]["seed"] is None
    assert tender["reserve"]["reserve_price"] is None
    commitment = tender["reserve"]["seed_commitment"]
    suppliers = [f.supplier(client, session, clock())[1] for _ in range(4)]
    no_picks = client.post(
        f"/api/tenders/{tid}/bids", json=f.bid_body(90_000_000), headers=suppliers[0]
    )
    assert no_picks.status_code == 422
    assert "multiple reserve prices" in no_picks.json()["detail"]
    prices = [90_000_000, 95_000_000, 200_000_000, 60_000_000]  # too high, too low at the end
    picks = [[1, 2], [2, 3], [3, 4], [2, 15]]
    for headers, price, chosen in zip(suppliers, prices, picks, strict=True):
        body = {**f.bid_body(price), "reserve_picks": chosen}
        assert (
            client.post(f"/api/tenders/{tid}/bids", json=body, headers=headers).status_code == 201
        )

    clock.advance(days=10, hours=1)
    opened = client.post(f"/api/tenders/{tid}/open", headers=buyer_h).json()
    seed = bytes.fromhex(opened["reserve"]["seed"])
    assert hashlib.sha256(seed).hexdigest() == commitment
    candidates = independent_candidates(seed)
    # Numbers picked: 2 three times, 3 twice, then 1, 4 and 15 once: the lowest single (1) wins.
    total = sum(candidates[n - 1] for n in (1, 2, 3, 4))
    expected = total // 4 + (1 if total % 4 >= 2 else 0)  # the mean, rounded half up
    assert opened["reserve"]["reserve_price"] == expected
    log = client.get("/api/ledger/entries", params={"start": 0, "end": 1000}).json()["entries"]
    drawn = [
        json.loads(e["entry"])["payload"]
        for e in log
        if '"type":"procurement.reserve.drawn"' in e["entry"]
    ]
    assert drawn[0]["candidates"] == candidates
    assert drawn[0]["chosen"] == [1, 2, 3, 4]
    by_price = {b["price"]: b for b in opened["opening"]}
    assert by_price[200_000_000]["problem"] == "above the reserve price"
    assert "below the floor" in by_price[60_000_000]["problem"]
    assert by_price[90_000_000]["rank"] == 1
    assert by_price[95_000_000]["rank"] == 2


def test_picks_are_refused_on_a_tender_without_a_reserve(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    _, supplier_h = f.supplier(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h)
    body = {**f.bid_body(1000), "reserve_picks": [1, 2]}
    response = client.post(f"/api/tenders/{tender['id']}/bids", json=body, headers=supplier_h)
    assert response.status_code == 422
    assert "draws no reserve price" in response.json()["detail"]
