"""A client-sealed bid whose content no schema checked fails alone at the opening: whatever
its currency or reserve-price picks, the tender opens (on both databases) and the honest bids
rank."""

import base64

import pytest

from procurement.bids import sealing
from tests.procurement import factories as f

RESERVE = {"base_amount": 100_000_000, "range_bp": 300, "floor_rate_bp": 8_000}


def _sealed(tender: dict, *, currency: object = "THB", picks: object = ()) -> dict:
    bid = {"price": {"amount": 99_000_000, "currency": currency}, "item_prices": []}
    bid |= {"documents": [], "declaration": True}
    bid["reserve_picks"] = None if picks is None else list(picks)
    ciphertext, commitment = sealing.seal(
        base64.b64decode(tender["sealing_public_key"]), bid, ocid=tender["ocid"]
    )
    return {"ciphertext_base64": base64.b64encode(ciphertext).decode(), "commitment": commitment}


def _open_with(client, session, clock, hostile: dict, **tender_overrides) -> list[dict]:
    """A tender with one honest bid and one hostile one, opened; the opening's rows."""
    _, buyer_h = f.buyer(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h, **tender_overrides)
    url = f"/api/tenders/{tender['id']}/bids"
    _, honest_h = f.supplier(client, session, clock())
    honest = {**f.bid_body(95_000_000), "reserve_picks": [1, 2] if tender_overrides else []}
    assert client.post(url, json=honest, headers=honest_h).status_code == 201
    _, hostile_h = f.supplier(client, session, clock())
    sealed = _sealed(tender, **hostile)
    assert client.post(url, json=sealed, headers=hostile_h).status_code == 201
    clock.advance(days=10, hours=1)
    response = client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h)
    assert response.status_code == 200, response.text
    return response.json()["opening"]


@pytest.mark.parametrize("currency", ["THBX", "TH\x00", None, "€" * 50])
def test_a_currency_no_column_can_hold_makes_that_bid_invalid_not_the_opening_fail(
    client, session, clock, currency
):
    rows = _open_with(client, session, clock, {"currency": currency})
    assert [(b["status"], b["price"], b["rank"]) for b in rows] == [
        ("valid", 95_000_000, 1),
        ("invalid", None, None),
    ]
    assert rows[1]["problem"] == "price in the wrong currency"


def test_a_wrong_currency_that_fits_is_kept_with_its_price_as_before(client, session, clock):
    rows = _open_with(client, session, clock, {"currency": "USD"})
    assert (rows[1]["status"], rows[1]["price"]) == ("invalid", 99_000_000)
    assert rows[1]["problem"] == "price in the wrong currency"


@pytest.mark.parametrize(
    "picks", [[1.5, 2], ["1", "2"], [[1], [2]], None, [{"a": 1}, 2], [2**70, 1], [1, 1.5]]
)
def test_picks_that_are_not_candidate_numbers_make_that_bid_invalid(client, session, clock, picks):
    rows = _open_with(client, session, clock, {"picks": picks}, reserve=RESERVE)
    assert [(b["status"], b["rank"]) for b in rows] == [("valid", 1), ("invalid", None)]
    assert rows[1]["problem"] in (
        "pick exactly 2 different reserve-price numbers",
        "reserve-price numbers run from 1 to 15",
    )
