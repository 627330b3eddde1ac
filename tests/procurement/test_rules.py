from datetime import UTC, datetime, timedelta

from procurement import rules

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def schedule(**shift):
    base = {"enquiry_end_at": NOW + 5 * DAY, "tender_start_at": NOW,
            "tender_end_at": NOW + 10 * DAY, "opening_at": NOW + 10 * DAY}
    base.update(shift)
    return rules.Schedule(**base)


def test_a_coherent_schedule_has_no_problems():
    assert rules.schedule_problems(schedule(), now=NOW, min_tender_days=7) == []


def test_incoherent_dates_are_each_named():
    problems = rules.schedule_problems(
        schedule(opening_at=NOW + 9 * DAY, enquiry_end_at=NOW + 11 * DAY), now=NOW,
        min_tender_days=7,
    )
    assert any("opening" in p for p in problems)
    assert any("enquiry period" in p for p in problems)


def test_minimum_tender_period_holds_at_its_exact_boundary():
    exact = schedule(tender_end_at=NOW + 7 * DAY, opening_at=NOW + 7 * DAY)
    assert rules.schedule_problems(exact, now=NOW, min_tender_days=7) == []
    short = schedule(tender_end_at=NOW + 7 * DAY - timedelta(seconds=1),
                     opening_at=NOW + 7 * DAY)
    assert any("at least 7 days" in p for p in rules.schedule_problems(short, now=NOW,
                                                                        min_tender_days=7))


def test_a_bid_at_the_deadline_is_late_and_one_microsecond_before_is_on_time():
    deadline = NOW + DAY
    assert rules.bid_on_time(now=deadline - timedelta(microseconds=1), deadline=deadline)
    assert not rules.bid_on_time(now=deadline, deadline=deadline)


def test_amendment_close_to_the_deadline_needs_an_extension():
    deadline = NOW + 2 * DAY
    assert rules.extension_needed(now=NOW, deadline=deadline, min_days_after_amendment=3) == (
        NOW + 3 * DAY
    )
    assert rules.extension_needed(now=NOW, deadline=NOW + 3 * DAY,
                                  min_days_after_amendment=3) is None


def test_best_value_weights_must_sum_to_100():
    assert rules.criteria_problems([60, 40]) == []
    assert "sum to 100, not 90" in rules.criteria_problems([60, 30])[0]
    assert rules.criteria_problems([])


def test_ranking_is_by_price_then_earliest_submission():
    bids = [rules.RankedBid(1, 500, NOW + DAY), rules.RankedBid(2, 400, NOW + 2 * DAY),
            rules.RankedBid(3, 400, NOW + DAY)]
    assert rules.rank_by_price(bids) == [3, 2, 1]
