"""Red flags: the rules at their exact thresholds, and the pages that list flagged tenders."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from procurement.insights import queries, rules
from tests.public_site.procurement_world import CONTACT_EMAIL, DAY, World

T0 = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


# --- the pure rules, at their boundaries -------------------------------------------------


def test_single_bidder_needs_exactly_one_bidder_in_a_competitive_opened_tender():
    assert rules.single_bidder(method="open", opened=True, bidders=1)
    assert rules.single_bidder(method="selective", opened=True, bidders=1)
    assert not rules.single_bidder(method="open", opened=True, bidders=2)
    assert not rules.single_bidder(method="open", opened=True, bidders=0)
    assert not rules.single_bidder(method="open", opened=False, bidders=1)
    assert not rules.single_bidder(method="direct", opened=True, bidders=1)


def test_short_tender_period_is_under_fifteen_days_for_open_tenders():
    assert timedelta(days=15) == rules.SHORT_PERIOD
    just_under = T0 + rules.SHORT_PERIOD - timedelta(microseconds=1)
    assert rules.short_tender_period(method="open", start=T0, deadline=just_under)
    assert not rules.short_tender_period(method="open", start=T0, deadline=T0 + 15 * DAY)
    assert not rules.short_tender_period(method="selective", start=T0, deadline=T0 + DAY)


def test_late_amendment_is_within_seven_days_of_the_deadline_then_in_force():
    deadline = T0 + 30 * DAY
    assert rules.late_amendment(
        made_at=deadline - 7 * DAY + timedelta(seconds=1), deadline=deadline
    )
    assert not rules.late_amendment(made_at=deadline - 7 * DAY, deadline=deadline)


def test_the_deadline_in_force_is_the_one_each_amendment_replaced():
    first, second, final = T0 + 10 * DAY, T0 + 20 * DAY, T0 + 30 * DAY
    amendments = [(T0 + DAY, None), (T0 + 8 * DAY, first), (T0 + 18 * DAY, second)]
    assert rules.deadlines_in_force(final, amendments) == [first, first, second]
    assert rules.deadlines_in_force(final, [(T0, None)]) == [final]


def test_award_not_to_the_lowest_valid_price():
    assert rules.not_lowest_price(winning_price=101, valid_prices=[100, 101])
    assert not rules.not_lowest_price(winning_price=100, valid_prices=[100, 101])
    assert not rules.not_lowest_price(winning_price=100, valid_prices=[])


def test_close_to_estimate_is_within_one_percent_either_side():
    assert rules.close_to_estimate(winning_price=990_000, estimate=1_000_000)
    assert rules.close_to_estimate(winning_price=1_010_000, estimate=1_000_000)
    assert not rules.close_to_estimate(winning_price=989_999, estimate=1_000_000)
    assert not rules.close_to_estimate(winning_price=1_010_001, estimate=1_000_000)
    assert not rules.close_to_estimate(winning_price=0, estimate=0)


def test_supplier_share_needs_half_of_at_least_four_awards():
    assert rules.dominant_suppliers([(1, 7), (1, 7), (1, 8), (1, 9)]) == {(1, 7)}
    assert rules.dominant_suppliers([(1, 7), (1, 8), (1, 8), (1, 9)]) == {(1, 8)}
    assert rules.dominant_suppliers([(1, 7), (1, 7), (1, 8)]) == set()  # only 3 awards
    assert rules.dominant_suppliers([(1, 7), (1, 8), (1, 9), (1, 10)]) == set()  # 25 % each


def test_captive_loser_lost_three_times_to_one_winner_and_never_won():
    three = [(7, {7, 8}), (7, {7, 8}), (7, {7, 8, 9})]
    assert rules.captive_losers(three) == {8: 7}  # 9 lost once only
    assert rules.captive_losers(three[:2]) == {}
    assert rules.captive_losers([*three, (9, {9, 8})]) == {}  # 8 also lost to 9
    assert rules.captive_losers([*three, (8, {8})]) == {}  # 8 won once


def test_contract_increase_is_twenty_percent_or_more():
    assert rules.contract_increase(award_value=1_000, contract_value=1_200)
    assert not rules.contract_increase(award_value=1_000, contract_value=1_199)
    assert not rules.contract_increase(award_value=0, contract_value=10)


def test_every_indicator_states_a_definition_a_threshold_and_its_source():
    assert len(rules.INDICATORS) == 8
    for indicator in rules.INDICATORS:
        assert indicator.definition
        assert indicator.threshold
        assert indicator.why
        assert "OCP" in indicator.follows or "IACRC" in indicator.follows


# --- on the platform's data --------------------------------------------------------------


@pytest.fixture
def world(session, settings, clock):
    return World(session, settings, clock())


def codes_of(session, tender_id):
    return {f.code for f in queries.tender_flags(session, tender_id=tender_id)}


def test_a_single_bid_tender_is_flagged_and_a_two_bid_tender_is_not(client, session, world):
    buyer = world.buyer()
    alone, other = world.supplier("Alone Co., Ltd."), world.supplier("Other Co., Ltd.")
    single = world.tender(buyer, bids=[(alone, 900_000)], title="Single bid tender")
    double = world.tender(buyer, bids=[(alone, 900_000), (other, 950_000)], title="Two bid tender")
    assert "single-bidder" in codes_of(session, single)
    assert "single-bidder" not in codes_of(session, double)

    page = client.get("/red-flags/single-bidder")
    assert page.status_code == 200
    assert f'href="/tenders/{single}"' in page.text
    assert f'href="/tenders/{double}"' not in page.text
    assert "Cardinal R018" in page.text
    assert "Exactly 1 bidder" in page.text
    listing = client.get("/red-flags").text
    assert 'href="/red-flags/single-bidder"' in listing


def test_flags_on_price_amendment_and_contract(session, world):
    buyer = world.buyer()
    low, high = world.supplier("Low Co., Ltd."), world.supplier("High Co., Ltd.")
    # the lowest bid is disqualified: the award goes to a higher valid price, which is not
    # a flag (the lowest *valid* price won); the winner is within 1 % of the estimate.
    near = world.tender(
        buyer,
        bids=[(low, 800_000), (high, 995_000)],
        disqualify=low,
        estimate=1_000_000,
        contract=995_000,
        amended_to=1_193_999,
    )
    codes = codes_of(session, near)
    assert "close-to-estimate" in codes
    assert "not-lowest-price" not in codes
    assert "contract-increase" not in codes  # 1,193,999 is just under 20 % above 995,000
    late = world.tender(
        buyer,
        bids=[(low, 500_000), (high, 600_000)],
        amend_before_deadline=2 * DAY,
        contract=500_000,
        amended_to=600_000,
    )
    codes = codes_of(session, late)
    assert {"late-amendment", "contract-increase"} <= codes  # +20.0 % exactly
    assert "close-to-estimate" not in codes
    short = world.tender(buyer, bids=[(low, 500_000), (high, 600_000)], days=10, award=False)
    assert codes_of(session, short) == {"short-tender-period"}


def test_supplier_share_and_the_bidder_that_always_loses(client, session, world):
    buyer = world.buyer()
    winner, loser = world.supplier("Winner Co., Ltd."), world.supplier("Cover Co., Ltd.")
    other = world.supplier("Other Co., Ltd.")
    ids = [world.tender(buyer, bids=[(winner, 100_000), (loser, 120_000)]) for _ in range(3)]
    ids.append(world.tender(buyer, bids=[(other, 100_000), (winner, 110_000)]))
    for tender_id in ids[:3]:
        assert {"supplier-share", "same-winner"} <= codes_of(session, tender_id)
    assert "same-winner" not in codes_of(session, ids[3])
    flagged = client.get("/red-flags/same-winner?format=json").json()
    assert flagged["code"] == "same-winner"
    assert "3 losses" in flagged["threshold"]
    rows = flagged["tables"]["tenders"]
    assert sorted(r["tender_id"] for r in rows) == sorted(ids[:3])
    assert {r["supplier"] for r in rows} == {"Cover Co., Ltd."}
    share_page = html.unescape(client.get("/red-flags/supplier-share").text)
    assert "3 of the buyer's 4 awards" in share_page


@pytest.mark.usefixtures("session")
def test_the_csv_holds_the_pages_table_and_no_contact_details(client, world):
    buyer = world.buyer()
    alone = world.supplier("Alone Co., Ltd.")
    tender_id = world.tender(buyer, bids=[(alone, 900_000)])
    page = client.get("/red-flags/single-bidder").text
    download = client.get("/red-flags/single-bidder?format=csv&table=tenders")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [r["tender_id"] for r in rows] == [str(tender_id)]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)
    shown = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    assert [v for v in rows[0].values() if v] == [v for v in shown if v != "—"]
    for text in (page, download.text, client.get("/red-flags?format=json").text):
        assert "@private.example" not in text
        assert "Secret Soi" not in text
    assert CONTACT_EMAIL.split("{")[0] not in download.text


def test_an_unknown_flag_is_a_404_and_a_bad_table_names_the_field(client):
    missing = client.get("/red-flags/bribery")
    assert missing.status_code == 404
    assert "bribery" in missing.text
    wrong = client.get("/red-flags?format=csv&table=nope")
    assert wrong.status_code == 422
    assert "table" in wrong.text
    assert client.get("/red-flags?year=twenty").status_code == 422
