"""Lots: a tender in parts, bid on lot by lot, opened and ranked per lot, awarded per lot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from core.auth.models import Organisation
from procurement.awards.models import Award
from procurement.bids import rules as bid_rules
from procurement.bids.models import Bid, BidLot
from procurement.tenders import rules as tender_rules
from procurement.tenders.models import Lot
from tests.procurement import factories as f
from tests.procurement.test_ocds import codes, errors, validators  # noqa: F401 (fixture)

LOTS = [
    {
        "title": "Ultrasound systems",
        "description": "Four cart-based systems.",
        "estimated_value": 1_400_000_000,
    },
    {"title": "Patient monitors", "description": "", "estimated_value": 1_800_000_000},
]
ITEMS = [
    {"description": "Ultrasound system", "quantity": "4", "unit": "unit", "lot": 1},
    {"description": "Bedside monitor", "quantity": "60", "unit": "unit", "lot": 2},
]


def lotted(client, session, clock, buyer_h, **overrides):
    return f.published_tender(client, session, clock, buyer_h, lots=LOTS, items=ITEMS, **overrides)


def lot_bid(**prices) -> dict:
    """lot_bid(lot1=..., lot2=...) with the total as the sum."""
    lot_prices = [{"lot": int(k.removeprefix("lot")), "amount": v} for k, v in prices.items()]
    body = f.bid_body(sum(prices.values()))
    body["lot_prices"] = lot_prices
    return body


def slug(session, user) -> str:
    return session.get(Organisation, user.organisation_id).slug


@pytest.mark.parametrize(
    ("prices", "lots", "total", "problem"),
    [
        ([(1, 10), (2, 20)], 2, 30, None),
        ([(2, 20)], 2, 20, None),
        ([], 2, 20, "give a price for at least one lot"),
        ([(1, 10), (1, 20)], 2, 30, "at most one price"),
        ([(3, 10)], 2, 10, "there is no lot 3"),
        ([(1, 10), (2, 20)], 2, 31, "the sum of the lot prices"),
        ([(1, 10)], 0, 10, "has no lots"),
        ([], 0, 10, None),
    ],
)
def test_lot_prices_fit_the_tenders_lots(prices, lots, total, problem):
    found = bid_rules.lot_prices_problem(prices, lot_count=lots, total=total)
    assert (found is None) if problem is None else (problem in found)


def test_items_of_a_lotted_tender_each_name_a_lot():
    assert tender_rules.lots_problems(lot_count=2, item_lots=[1, 2, 2]) == []
    assert tender_rules.lots_problems(lot_count=0, item_lots=[None]) == []
    assert "must belong to a lot" in tender_rules.lots_problems(lot_count=2, item_lots=[1, None])[0]
    assert "the lots are 1 to 2" in tender_rules.lots_problems(lot_count=2, item_lots=[3])[0]
    assert "has no lots" in tender_rules.lots_problems(lot_count=0, item_lots=[1])[0]


def test_a_draft_with_lots_that_do_not_hold_is_refused_and_names_the_problem(
    client, session, clock
):
    _, buyer_h = f.buyer(client, session, clock())
    cases = [
        ({"lots": LOTS, "items": [{**ITEMS[0], "lot": None}]}, "item 1 must belong to a lot"),
        ({"items": ITEMS}, "item 1 names lot 1, but the tender has no lots"),
        (
            {"lots": LOTS, "items": ITEMS, "reserve": {"base_amount": 100_000}},
            "multiple reserve prices apply to tenders without lots",
        ),
    ]
    for overrides, message in cases:
        response = client.post(
            "/api/tenders", json=f.draft_body(clock(), **overrides), headers=buyer_h
        )
        assert response.status_code == 422, overrides
        assert message in response.json()["detail"]
    assert session.exec(select(func.count()).select_from(Lot)).one() == 0


def test_bids_on_a_lotted_tender_must_price_lots_and_bad_ones_store_nothing(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    _, supplier_h = f.supplier(client, session, clock())
    tender = lotted(client, session, clock, buyer_h)
    plain = f.published_tender(client, session, clock, buyer_h, title="A tender without lots")
    url = f"/api/tenders/{tender['id']}/bids"
    cases = [
        (url, f.bid_body(1000), "give a price for at least one lot"),
        (
            url,
            {**lot_bid(lot1=500, lot2=500), "price": {"amount": 999, "currency": "THB"}},
            "the sum of the lot prices",
        ),
        (url, lot_bid(lot3=500), "there is no lot 3"),
        (f"/api/tenders/{plain['id']}/bids", lot_bid(lot1=500), "has no lots"),
    ]
    for target, body, message in cases:
        response = client.post(target, json=body, headers=supplier_h)
        assert response.status_code == 422, body
        assert message in response.json()["detail"]
    assert session.exec(select(func.count()).select_from(Bid)).one() == 0
    assert client.post(url, json=lot_bid(lot2=700), headers=supplier_h).status_code == 201


def test_a_lotted_tender_from_bids_to_contracts_lot_by_lot(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    both, both_h = f.supplier(client, session, clock())
    second_only, second_h = f.supplier(client, session, clock())
    tender = lotted(client, session, clock, buyer_h)
    tid = tender["id"]
    assert [lot["number"] for lot in tender["lots"]] == [1, 2]
    assert [item["lot"] for item in tender["items"]] == [1, 2]
    assert (
        client.post(
            f"/api/tenders/{tid}/bids",
            json=lot_bid(lot1=1_300_000_000, lot2=1_750_000_000),
            headers=both_h,
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/tenders/{tid}/bids", json=lot_bid(lot2=1_690_000_000), headers=second_h
        ).status_code
        == 201
    )
    before = client.get(f"/api/tenders/{tid}").json()
    assert before["opening"] is None
    assert before["bids_received"] == 2
    assert session.exec(select(func.count()).select_from(BidLot)).one() == 0  # sealed only

    clock.advance(days=10, hours=1)
    opened = client.post(f"/api/tenders/{tid}/open", headers=buyer_h).json()
    record = {b["supplier"]["slug"]: b for b in opened["opening"]}
    assert record[slug(session, both)]["lots"] == [
        {"lot": 1, "price": 1_300_000_000, "rank": 1},
        {"lot": 2, "price": 1_750_000_000, "rank": 2},
    ]
    assert record[slug(session, second_only)]["lots"] == [
        {"lot": 2, "price": 1_690_000_000, "rank": 1}
    ]
    entry_types = [e["entry_type"] for e in opened["log_entries"]]
    assert "procurement.bids.opened" in entry_types

    whole = client.post(f"/api/tenders/{tid}/award", json={}, headers=buyer_h)
    assert whole.status_code == 422
    assert "say which lot" in whole.json()["detail"]
    first = client.post(f"/api/tenders/{tid}/award", json={"lot": 2}, headers=buyer_h).json()
    assert first["status"] == "opened"  # lot 1 still to award
    award_2 = first["awards"][0]
    assert (award_2["lot"], award_2["supplier"]["slug"], award_2["value"]) == (
        2,
        slug(session, second_only),
        1_690_000_000,
    )
    again = client.post(f"/api/tenders/{tid}/award", json={"lot": 2}, headers=buyer_h)
    assert again.status_code == 409
    assert "already been awarded" in again.json()["detail"]
    winner_bid = record[slug(session, second_only)]["id"]
    refused = client.post(
        f"/api/bids/{winner_bid}/disqualify", json={"reason": "Late bid bond."}, headers=buyer_h
    )
    assert refused.status_code == 409
    assert "already won an award" in refused.json()["detail"]
    done = client.post(f"/api/tenders/{tid}/award", json={"lot": 1}, headers=buyer_h).json()
    assert done["status"] == "awarded"
    award_1 = next(a for a in done["awards"] if a["lot"] == 1)
    assert award_1["supplier"]["slug"] == slug(session, both)
    assert award_1["value"] == 1_300_000_000

    clock.advance(days=11)
    today = clock().date()
    contract = {
        "value": 1_300_000_000,
        "start_date": str(today),
        "signed_date": str(today),
        "end_date": str(today + timedelta(days=90)),
    }
    for award in (award_1, award_2):
        assert (
            client.post(f"/api/awards/{award['id']}/finalise", headers=buyer_h).status_code == 200
        )
    assert (
        client.post(
            f"/api/awards/{award_1['id']}/contract", json=contract, headers=buyer_h
        ).status_code
        == 201
    )
    assert client.get(f"/api/tenders/{tid}").json()["status"] == "awarded"  # lot 2 unsigned
    assert (
        client.post(
            f"/api/awards/{award_2['id']}/contract",
            json={**contract, "value": 1_690_000_000},
            headers=buyer_h,
        ).status_code
        == 201
    )
    final = client.get(f"/api/tenders/{tid}").json()
    assert final["status"] == "contracted"
    assert sorted(c["award_id"] for c in final["contracts"]) == sorted(
        [award_1["id"], award_2["id"]]
    )


def test_a_disqualification_reranks_every_lot(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    low, low_h = f.supplier(client, session, clock())
    high, high_h = f.supplier(client, session, clock())
    tender = lotted(client, session, clock, buyer_h)
    tid = tender["id"]
    client.post(f"/api/tenders/{tid}/bids", json=lot_bid(lot1=100, lot2=100), headers=low_h)
    client.post(f"/api/tenders/{tid}/bids", json=lot_bid(lot1=200, lot2=200), headers=high_h)
    clock.advance(days=10, hours=1)
    opened = client.post(f"/api/tenders/{tid}/open", headers=buyer_h).json()
    low_bid = next(b for b in opened["opening"] if b["supplier"]["slug"] == slug(session, low))
    assert (
        client.post(
            f"/api/bids/{low_bid['id']}/disqualify",
            json={"reason": "Bond missing."},
            headers=buyer_h,
        ).status_code
        == 200
    )
    after = client.get(f"/api/tenders/{tid}").json()
    high_bid = next(b for b in after["opening"] if b["supplier"]["slug"] == slug(session, high))
    assert [p["rank"] for p in high_bid["lots"]] == [1, 1]
    award = client.post(f"/api/tenders/{tid}/award", json={"lot": 1}, headers=buyer_h).json()
    assert award["awards"][0]["supplier"]["slug"] == slug(session, high)


def test_best_value_is_decided_per_lot_with_published_scores(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    cheap, cheap_h = f.supplier(client, session, clock())
    good, good_h = f.supplier(client, session, clock())
    tender = lotted(
        client,
        session,
        clock,
        buyer_h,
        award_criteria="best_value",
        criteria=[{"name": "Price", "weight": 40}, {"name": "Quality", "weight": 60}],
    )
    tid = tender["id"]
    client.post(f"/api/tenders/{tid}/bids", json=lot_bid(lot1=100, lot2=100), headers=cheap_h)
    client.post(f"/api/tenders/{tid}/bids", json=lot_bid(lot1=150), headers=good_h)
    clock.advance(days=10, hours=1)
    opened = client.post(f"/api/tenders/{tid}/open", headers=buyer_h).json()
    ids = {b["supplier"]["slug"]: b["id"] for b in opened["opening"]}
    cheap_id, good_id = ids[slug(session, cheap)], ids[slug(session, good)]
    incomplete = client.post(
        f"/api/tenders/{tid}/award",
        headers=buyer_h,
        json={
            "lot": 1,
            "justification": "Scored by the committee.",
            "scores": {str(cheap_id): [90, 50]},
        },
    )
    assert incomplete.status_code == 422
    assert str(good_id) in incomplete.json()["detail"]
    decided = client.post(
        f"/api/tenders/{tid}/award",
        headers=buyer_h,
        json={
            "lot": 1,
            "justification": "Quality decides on lot 1.",
            "scores": {str(cheap_id): [100, 50], str(good_id): [70, 90]},
            "notes": {
                str(cheap_id): ["Lowest price.", "Basic probes only."],
                str(good_id): ["Half again the price.", "Three probes and training."],
            },
        },
    )
    assert decided.status_code == 201, decided.text
    award = decided.json()["awards"][0]
    assert award["supplier"]["slug"] == slug(session, good)
    assert award["value"] == 150
    assert [(row["supplier"], row["total"], row["rank"]) for row in award["evaluation"]] == [
        (slug(session, good), "82.00", 1),
        (slug(session, cheap), "70.00", 2),
    ]
    assert award["evaluation"][0]["scores"][1]["note"] == "Three probes and training."
    assert session.exec(select(Award.lot_id)).one() is not None


def test_lotted_releases_validate_and_carry_the_lots(client, session, clock, validators):  # noqa: F811
    _, buyer_h = f.buyer(client, session, clock())
    _, one_h = f.supplier(client, session, clock())
    _, two_h = f.supplier(client, session, clock())
    tender = lotted(client, session, clock, buyer_h)
    tid = tender["id"]
    client.post(f"/api/tenders/{tid}/bids", json=lot_bid(lot1=100_00, lot2=200_00), headers=one_h)
    client.post(f"/api/tenders/{tid}/bids", json=lot_bid(lot2=150_00), headers=two_h)
    clock.advance(days=10, hours=1)
    client.post(f"/api/tenders/{tid}/open", headers=buyer_h)
    client.post(f"/api/tenders/{tid}/award", json={"lot": 1}, headers=buyer_h)
    package = client.get("/api/ocds/releases", params={"limit": 1000}).json()
    assert errors(validators["release_package"], package) == []
    assert any("ocds_lots_extension" in url for url in package["extensions"])
    statuses = codes("1.1.5/codelists/tenderStatus.csv")
    for release in package["releases"]:
        assert errors(validators["release"], release) == []
        lot_ids = {lot["id"] for lot in release["tender"]["lots"]}
        assert lot_ids == {"1", "2"}
        assert {lot["status"] for lot in release["tender"]["lots"]} <= statuses
        assert [i["relatedLot"] for i in release["tender"]["items"]] == ["1", "2"]
        for detail in release.get("bids", {}).get("details", []):
            assert set(detail["relatedLots"]) <= lot_ids
        for award in release.get("awards", []):
            assert set(award["relatedLots"]) <= lot_ids
    last = package["releases"][-1]
    priced = {(d["relatedLots"][0], d["value"]["amount"]) for d in last["bids"]["details"]}
    assert priced == {("1", 100), ("2", 200), ("2", 150)}
    assert last["awards"][0]["relatedLots"] == ["1"]
    assert {lot["id"]: lot["status"] for lot in last["tender"]["lots"]} == {
        "1": "complete",
        "2": "active",
    }
    by_lot = {(s.get("relatedLot"), s["measure"]): s["value"] for s in last["bids"]["statistics"]}
    assert by_lot[("2", "bids")] == 2
    assert by_lot[("1", "bids")] == 1
    record = client.get(f"/api/ocds/records/{tender['ocid']}").json()
    assert errors(validators["record_package"], record) == []
    compiled = record["records"][0]["compiledRelease"]
    assert [lot["title"] for lot in compiled["tender"]["lots"]] == [
        "Ultrasound systems",
        "Patient monitors",
    ]
