from datetime import UTC, datetime, timedelta

from procurement.bids import rules as bid_rules
from procurement.tenders import rules as tender_rules

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def schedule(**shift):
    base = {
        "enquiry_end_at": NOW + 5 * DAY,
        "tender_start_at": NOW,
        "tender_end_at": NOW + 10 * DAY,
        "opening_at": NOW + 10 * DAY,
    }
    base.update(shift)
    return tender_rules.Schedule(**base)


def test_a_coherent_schedule_has_no_problems():
    assert tender_rules.schedule_problems(schedule(), now=NOW, min_tender_days=7) == []


def test_incoherent_dates_are_each_named():
    problems = tender_rules.schedule_problems(
        schedule(opening_at=NOW + 9 * DAY, enquiry_end_at=NOW + 11 * DAY),
        now=NOW,
        min_tender_days=7,
    )
    assert any("opening" in p for p in problems)
    assert any("enquiry period" in p for p in problems)


def test_minimum_tender_period_holds_at_its_exact_boundary():
    exact = schedule(tender_end_at=NOW + 7 * DAY, opening_at=NOW + 7 * DAY)
    assert tender_rules.schedule_problems(exact, now=NOW, min_tender_days=7) == []
    short = schedule(tender_end_at=NOW + 7 * DAY - timedelta(seconds=1), opening_at=NOW + 7 * DAY)
    assert any(
        "at least 7 days" in p
        for p in tender_rules.schedule_problems(short, now=NOW, min_tender_days=7)
    )


def test_a_bid_at_the_deadline_is_late_and_one_microsecond_before_is_on_time():
    deadline = NOW + DAY
    assert tender_rules.bid_on_time(now=deadline - timedelta(microseconds=1), deadline=deadline)
    assert not tender_rules.bid_on_time(now=deadline, deadline=deadline)


def test_amendment_close_to_the_deadline_needs_an_extension():
    deadline = NOW + 2 * DAY
    assert tender_rules.extension_needed(
        now=NOW, deadline=deadline, min_days_after_amendment=3
    ) == (NOW + 3 * DAY)
    assert (
        tender_rules.extension_needed(now=NOW, deadline=NOW + 3 * DAY, min_days_after_amendment=3)
        is None
    )


def test_best_value_weights_must_sum_to_100():
    assert tender_rules.criteria_problems([60, 40]) == []
    assert "sum to 100, not 90" in tender_rules.criteria_problems([60, 30])[0]
    assert tender_rules.criteria_problems([])


def test_ranking_is_by_price_then_earliest_submission():
    bids = [
        bid_rules.RankedBid(1, 500, NOW + DAY),
        bid_rules.RankedBid(2, 400, NOW + 2 * DAY),
        bid_rules.RankedBid(3, 400, NOW + DAY),
    ]
    assert bid_rules.rank_by_price(bids) == [3, 2, 1]


def test_reserve_candidates_fall_one_in_each_of_15_intervals_and_are_reproducible():
    seed = bytes(range(32))
    candidates = bid_rules.reserve_candidates(seed, base=100_000_000, range_bp=300)
    assert candidates == bid_rules.reserve_candidates(seed, base=100_000_000, range_bp=300)
    low, span = 97_000_000, 6_000_000
    for i, candidate in enumerate(candidates):
        assert low + span * i // 15 <= candidate < low + span * (i + 1) // 15
    assert candidates != bid_rules.reserve_candidates(bytes(32), base=100_000_000, range_bp=300)


def test_the_four_most_picked_candidates_make_the_reserve():
    picks = [(1, 2), (2, 3), (2, 3), (4, 15), (15, 14), (5, 6)]
    chosen = bid_rules.chosen_candidates(picks)
    assert chosen == [1, 2, 3, 15]  # 2 and 3 twice, 15 twice, then the lowest-numbered single
    candidates = list(range(100, 1600, 100))
    assert bid_rules.reserve_price(candidates, chosen) == 525  # (100 + 200 + 300 + 1500) / 4


def test_reserve_price_rounds_half_up():
    assert bid_rules.reserve_price([1, 2, 3, 5], [1, 2, 3, 4]) == 3  # 11 / 4 = 2.75
    assert bid_rules.reserve_price([1, 1, 1, 3], [1, 2, 3, 4]) == 2  # 6 / 4 = 1.5


def test_picks_and_the_window_below_the_reserve():
    assert bid_rules.picks_problem([3, 9]) is None
    assert "2 different" in bid_rules.picks_problem([3, 3])
    assert "from 1 to 15" in bid_rules.picks_problem([0, 16])
    assert bid_rules.within_reserve(95, reserve=100, floor_rate_bp=8775) is None
    assert (
        bid_rules.within_reserve(101, reserve=100, floor_rate_bp=8775) == "above the reserve price"
    )
    assert "87.75%" in bid_rules.within_reserve(87, reserve=100, floor_rate_bp=8775)
