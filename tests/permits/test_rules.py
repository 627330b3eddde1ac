import itertools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import holidays
import pytest

from permits.rules import (
    ALPHABET,
    Action,
    Calendar,
    TrackingNumberError,
    Unit,
    WrongCheckCharacter,
    allowed_actions,
    is_late_entry,
    parse_tracking_number,
    percentile,
    tracking_number,
)

BANGKOK = ZoneInfo("Asia/Bangkok")
TH = Calendar(zone=BANGKOK, closed=frozenset(holidays.country_holidays("TH", years=[2026, 2027])))


def bkk(*args) -> datetime:
    return datetime(*args, tzinfo=BANGKOK)


def test_tracking_numbers_read_as_prefix_year_sequence_and_check():
    number = tracking_number("BLD", 2026, 4211)
    assert number[:-1] == "BLD-2026-004211-"
    assert parse_tracking_number(number) == ("BLD", 2026, 4211)
    assert parse_tracking_number(" " + number.lower() + " ") == ("BLD", 2026, 4211)


@pytest.mark.parametrize("sequence", [1, 4211, 999_999, 123_456, 70_707])
def test_every_single_substitution_and_adjacent_transposition_is_caught(sequence):
    number = tracking_number("FOD", 2026, sequence)
    chars = [c for c in number if c != "-"]
    positions = [i for i, c in enumerate(number) if c != "-"]

    def caught(text):
        with pytest.raises(TrackingNumberError):
            parse_tracking_number(text)

    for i in positions:
        for replacement in ALPHABET:
            if replacement != number[i]:
                candidate = number[:i] + replacement + number[i + 1 :]
                try:
                    parsed = parse_tracking_number(candidate)
                except TrackingNumberError:
                    continue
                pytest.fail(f"{candidate} (from {number}) parsed as {parsed}")
    for a, b in itertools.pairwise(positions):
        if number[a] != number[b]:
            swapped = list(number)
            swapped[a], swapped[b] = swapped[b], swapped[a]
            caught("".join(swapped))
    assert len(chars) == 14


def test_a_mistyped_check_character_is_named_as_such():
    number = tracking_number("BLD", 2026, 4211)
    wrong = number[:-1] + ("A" if number[-1] != "A" else "B")
    with pytest.raises(WrongCheckCharacter, match="check character"):
        parse_tracking_number(wrong)
    with pytest.raises(TrackingNumberError, match="not a tracking number"):
        parse_tracking_number("hello")


def test_business_days_skip_weekends_and_thai_holidays():
    # Thursday 26 Nov + 2 business days: Fri 27, Mon 30 -> due at the end of Monday.
    assert TH.add_business_days(bkk(2026, 11, 26, 10), 2) == bkk(2026, 12, 1, 0).astimezone(UTC)
    # Fri 4 Dec + 1: Sat 5 (King Bhumibol's birthday), Sun 6, Mon 7 (in lieu) -> Tue 8.
    assert TH.add_business_days(bkk(2026, 12, 4, 9), 1) == bkk(2026, 12, 9, 0)
    # Wed 9 Dec + 1: Thu 10 is Constitution Day -> Fri 11.
    assert TH.add_business_days(bkk(2026, 12, 9, 23, 59), 1) == bkk(2026, 12, 12, 0)
    # Wed 30 Dec + 1: 31 Dec and 1 Jan are holidays, then the weekend -> Mon 4 Jan 2027.
    assert TH.add_business_days(bkk(2026, 12, 30, 8), 1) == bkk(2027, 1, 5, 0)


def test_local_closures_are_not_business_days():
    closed = Calendar(zone=BANGKOK, closed=TH.closed | {date(2026, 11, 27)})
    assert closed.add_business_days(bkk(2026, 11, 26, 10), 1) == bkk(2026, 12, 1, 0)


def test_working_hours_count_office_hours_of_business_days_only():
    # 10:00 Thu + 8 h: 6.5 h on Thursday, 1.5 h from 08:30 Friday.
    assert TH.add_working_hours(bkk(2026, 11, 26, 10), 8) == bkk(2026, 11, 27, 10)
    # 15:30 Fri 4 Dec + 4 h: 1 h Friday, Mon 7 Dec is a holiday, 3 h Tuesday.
    assert TH.add_working_hours(bkk(2026, 12, 4, 15, 30), 4) == bkk(2026, 12, 8, 11, 30)
    # Before opening counts from 08:30; after closing from the next business day.
    assert TH.add_working_hours(bkk(2026, 11, 26, 6), 1) == bkk(2026, 11, 26, 9, 30)
    assert TH.add_working_hours(bkk(2026, 11, 26, 18), 1) == bkk(2026, 11, 27, 9, 30)
    assert TH.working_hours_between(bkk(2026, 11, 26, 10), bkk(2026, 11, 27, 10)) == 8


def test_pause_length_counts_business_days_up_to_the_resume_day():
    assert TH.elapsed(bkk(2026, 12, 1, 10), bkk(2026, 12, 3, 10), Unit.BUSINESS_DAYS) == 2
    assert TH.elapsed(bkk(2026, 12, 1, 10), bkk(2026, 12, 1, 15), Unit.BUSINESS_DAYS) == 0
    assert TH.elapsed(bkk(2026, 12, 4, 10), bkk(2026, 12, 8, 10), Unit.BUSINESS_DAYS) == 1


def test_allowed_actions_follow_the_stage_its_pause_and_its_extension():
    declared = ("advance", "request_information", "extend", "reject", "withdraw")
    assert allowed_actions(declared, paused=False, extended=False, is_last=False) == [
        Action.ADVANCE,
        Action.REQUEST_INFORMATION,
        Action.EXTEND,
        Action.REJECT,
        Action.WITHDRAW,
    ]
    assert Action.EXTEND not in allowed_actions(
        declared, paused=False, extended=True, is_last=False
    )
    assert allowed_actions(declared, paused=True, extended=False, is_last=False) == [
        Action.RESUME,
        Action.REJECT,
        Action.WITHDRAW,
    ]


def test_late_entry_is_beyond_the_threshold_only():
    entered = datetime(2026, 12, 10, tzinfo=UTC)
    assert not is_late_entry(
        effective_at=datetime(2026, 12, 7, tzinfo=UTC), entered_at=entered, threshold_days=3
    )
    assert is_late_entry(
        effective_at=datetime(2026, 12, 6, 23, tzinfo=UTC), entered_at=entered, threshold_days=3
    )


def test_percentiles_interpolate():
    assert percentile([], 0.5) is None
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile(range(1, 11), 0.9) == pytest.approx(9.1)


def test_a_public_description_reads_in_thai_with_the_definitions_names_and_the_values_typed():
    from permits.catalogue import DEFINITIONS, parse_definition
    from permits.forms import public_description, thai_description

    food = parse_definition((DEFINITIONS / "food.toml").read_text(encoding="utf-8"))
    stored = public_description(food, {"shop_name": "Noodles; Soup & Rice", "seats": "24"})
    assert stored == (
        "Food-sanitation licence; Name of the food shop: Noodles; Soup & Rice; Number of seats: 24"
    )
    assert thai_description(food, stored) == (
        "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร; ชื่อสถานที่จำหน่ายอาหาร: Noodles; Soup & Rice; จำนวนที่นั่ง: 24"
    )
    without_seats = public_description(food, {"shop_name": "Khao Man Gai Corner"})
    assert thai_description(food, without_seats).endswith("ชื่อสถานที่จำหน่ายอาหาร: Khao Man Gai Corner")
    # A text the definition did not make (a type renamed since) is never guessed at.
    assert thai_description(food, "Street stall licence; Number of seats: 4") is None
    assert thai_description(food, "Food-sanitation licence (old); Seats: 4") is None
