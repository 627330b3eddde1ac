"""Red flags of procurement integrity: pure decisions on plain values, no I/O, no clock.

Each indicator follows the Open Contracting Partnership's guide "Red flags for integrity:
giving the green light to open data solutions" (2016) and, where it has one, the indicator of
OCP's Cardinal library with the same intent. The guide leaves thresholds to local context; ours
are the named constants below, and every page that shows a flag states them.

A red flag is a reason to look closer, never a finding of wrongdoing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

COMPETITIVE_METHODS = frozenset({"open", "selective"})
# Cardinal R003: a tender period under 15 days is short notice.
SHORT_PERIOD = timedelta(days=15)
# An amendment less than 7 days before the deadline then in force is close to it.
LATE_AMENDMENT_WINDOW = timedelta(days=7)
# A winning price within 1 % of the published estimate (above or below) is very close to it.
ESTIMATE_PROXIMITY = Fraction(1, 100)
# A supplier with at least half of one buyer's awards, once that buyer has made 4 or more.
SUPPLIER_SHARE = Fraction(1, 2)
SUPPLIER_SHARE_MIN_AWARDS = 4
# A bidder that lost at least 3 awarded tenders, never won one, and lost every time to one winner.
SAME_WINNER_MIN_LOSSES = 3
# A contract whose value is at least 20 % above its award value.
CONTRACT_INCREASE = Fraction(1, 5)


def N_(message: str) -> str:  # the marker Babel extracts; pages translate when they show it
    """Mark an indicator's text for the catalogue."""
    return message


@dataclass(frozen=True)
class Indicator:
    """One red flag, its words in English (each a catalogue message, shown translated)."""

    code: str
    title: str
    definition: str
    threshold_message: str  # with %(name)s placeholders for `values`
    follows: str
    why: str
    values: tuple[tuple[str, str], ...] = ()

    @property
    def threshold(self) -> str:
        """The threshold in English, its numbers filled in."""
        return self.threshold_message % dict(self.values)


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "single-bidder",
        N_("Single bidder"),
        N_(
            "A tender under a competitive method (open or selective) whose bids were opened and "
            "came from exactly one bidder."
        ),
        N_("Exactly 1 bidder at the opening."),
        N_('OCP Cardinal R018 "Single bid received".'),
        N_("A lack of competition can mean competition was suppressed for a chosen supplier."),
        (),
    ),
    Indicator(
        "short-tender-period",
        N_("Short tender period"),
        N_(
            "An open tender whose bid period (from the start of the tender period to the bid "
            "deadline) is shorter than the threshold."
        ),
        N_("Fewer than %(days)s days."),
        N_(
            'OCP Cardinal R003 "Short notice to bidders to submit expressions of interest or '
            'bids"; OCP Red flags for integrity (2016), "Short notice to bidders".'
        ),
        N_("Short notice favours bidders who knew in advance."),
        (("days", str(SHORT_PERIOD.days)),),
    ),
    Indicator(
        "late-amendment",
        N_("Amendment close to the deadline"),
        N_(
            "A tender amended less than the threshold before the bid deadline in force when the "
            "amendment was published."
        ),
        N_("Less than %(days)s days before the deadline."),
        N_(
            "A tender-phase flag in the spirit of OCP Red flags for integrity (2016); Cardinal has "
            "no such indicator, so the threshold is ours."
        ),
        N_(
            "Late changes leave outside bidders little time to react; insiders may know them early."
        ),
        (("days", str(LATE_AMENDMENT_WINDOW.days)),),
    ),
    Indicator(
        "not-lowest-price",
        N_("Award not to the lowest-priced qualified bid"),
        N_(
            "A tender with one award whose winning price is higher than the lowest price among the "
            "bids that were valid (qualified) at the award. Under best-value criteria this can be "
            "legitimate; the award justification says why."
        ),
        N_("Any winning price above the lowest valid price."),
        N_(
            'IACRC red flag "Award to other than lowest qualified bidder"; related to OCP '
            'Cardinal R036 "Lowest bid disqualified".'
        ),
        N_("Evaluations can be bent to favour a chosen bidder over a cheaper qualified one."),
        (),
    ),
    Indicator(
        "close-to-estimate",
        N_("Winning price very close to the estimate"),
        N_(
            "A tender with one award whose winning price differs from the published estimated "
            "value by no more than the threshold."
        ),
        N_("Within %(percent)s %% of the estimate, above or below."),
        N_(
            'IACRC red flag "Winning bid very close to budget or cost estimates"; Cardinal has '
            "no such indicator, so the threshold is ours."
        ),
        N_("A price that lands on the estimate can mean the estimate or other bids were leaked."),
        (("percent", f"{float(ESTIMATE_PROXIMITY) * 100:g}"),),
    ),
    Indicator(
        "supplier-share",
        N_("Supplier wins a large share of one buyer's contracts"),
        N_(
            "Every award of a buyer to a supplier that holds at least the threshold share of that "
            "buyer's awards, counted once the buyer has made the minimum number of awards."
        ),
        N_(
            "At least %(percent)s %% of the buyer's awards, with at least %(awards)s awards "
            "by the buyer."
        ),
        N_(
            'OCP Red flags for integrity (2016), "High number of contract awards to one '
            'bidder"; the thresholds are ours.'
        ),
        N_("A buyer that keeps choosing one supplier may have a hidden tie to it."),
        (
            ("percent", f"{float(SUPPLIER_SHARE) * 100:g}"),
            ("awards", str(SUPPLIER_SHARE_MIN_AWARDS)),
        ),
    ),
    Indicator(
        "same-winner",
        N_("Bidder always loses to the same winner"),
        N_(
            "Every tender in which a bidder that never won lost to the one supplier that won "
            "every tender it lost, once it has lost the minimum number of awarded tenders."
        ),
        N_("At least %(losses)s losses, all to the same winner, and no win."),
        N_(
            'In the spirit of OCP Cardinal R025 "Excessive unsuccessful bids" (cover bids), '
            "with fixed thresholds in place of Cardinal's quartile fences."
        ),
        N_("Cover bids mimic competition for a colluding partner who is meant to win."),
        (("losses", str(SAME_WINNER_MIN_LOSSES)),),
    ),
    Indicator(
        "contract-increase",
        N_("Contract amended well above its award value"),
        N_(
            "A contract whose current value, after its amendments, is above its award value by "
            "at least the threshold."
        ),
        N_("At least %(percent)s %% above the award value."),
        N_(
            'OCP Red flags for integrity (2016), "Large difference between contract award and '
            'final contract amount"; the threshold is ours.'
        ),
        N_("A low award price can win the tender and be raised once competitors are gone."),
        (("percent", f"{float(CONTRACT_INCREASE) * 100:g}"),),
    ),
)
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}


def single_bidder(*, method: str, opened: bool, bidders: int) -> bool:
    """Cardinal R018: a competitive tender opened with exactly one bidder."""
    return opened and method in COMPETITIVE_METHODS and bidders == 1


def short_tender_period(*, method: str, start: datetime, deadline: datetime) -> bool:
    """Cardinal R003: an open tender whose bid period is shorter than SHORT_PERIOD."""
    return method == "open" and deadline - start < SHORT_PERIOD


def deadlines_in_force(
    final_deadline: datetime, amendments: Sequence[tuple[datetime, datetime | None]]
) -> list[datetime]:
    """The deadline in force when each amendment (made_at, deadline it replaced) was made."""
    result, deadline = [], final_deadline
    for _made_at, replaced in reversed(amendments):
        if replaced is not None:
            deadline = replaced
        result.append(deadline)
    return list(reversed(result))


def late_amendment(*, made_at: datetime, deadline: datetime) -> bool:
    """An amendment made less than LATE_AMENDMENT_WINDOW before the deadline then in force."""
    return deadline - made_at < LATE_AMENDMENT_WINDOW


def not_lowest_price(*, winning_price: int, valid_prices: Iterable[int]) -> bool:
    """The winning price is above the lowest valid (qualified) price."""
    prices = list(valid_prices)
    return bool(prices) and winning_price > min(prices)


def close_to_estimate(*, winning_price: int, estimate: int) -> bool:
    """The winning price is within ESTIMATE_PROXIMITY of a positive estimate."""
    if estimate <= 0:
        return False
    return Fraction(abs(winning_price - estimate), estimate) <= ESTIMATE_PROXIMITY


def dominant_suppliers(awards: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """(buyer, supplier) pairs where the supplier holds SUPPLIER_SHARE of the buyer's awards."""
    per_buyer: dict[int, Counter] = defaultdict(Counter)
    for buyer, supplier in awards:
        per_buyer[buyer][supplier] += 1
    return {
        (buyer, supplier) for buyer, counts in per_buyer.items() for supplier in dominant_in(counts)
    }


def dominant_in(awards_by_supplier: Mapping[int, int]) -> set[int]:
    """Suppliers holding SUPPLIER_SHARE of one buyer's awards, given its awards per supplier."""
    total = sum(awards_by_supplier.values())
    return {supplier for supplier, won in awards_by_supplier.items() if dominant(won, total)}


def dominant(won: int, total: int) -> bool:
    """A supplier that won `won` of a buyer's `total` awards holds SUPPLIER_SHARE of them."""
    return total >= SUPPLIER_SHARE_MIN_AWARDS and Fraction(won, total) >= SUPPLIER_SHARE


def captive_losers(outcomes: Iterable[tuple[int, Iterable[int]]]) -> dict[int, int]:
    """Loser -> the one winner it always lost to, from (winner, bidders) of awarded tenders."""
    winners_over: dict[int, list[int]] = defaultdict(list)
    won: set[int] = set()
    for winner, bidders in outcomes:
        won.add(winner)
        for bidder in set(bidders) - {winner}:
            winners_over[bidder].append(winner)
    return {
        loser: winners[0]
        for loser, winners in winners_over.items()
        if always_loses_to_one(
            ever_won=loser in won, losses=len(winners), winners=len(set(winners))
        )
    }


def always_loses_to_one(*, ever_won: bool, losses: int, winners: int) -> bool:
    """A bidder that never won and lost SAME_WINNER_MIN_LOSSES or more times, to one winner.

    `losses` counts the awarded tenders it bid in and lost; `winners`, their distinct winners.
    """
    return not ever_won and losses >= SAME_WINNER_MIN_LOSSES and winners == 1


def contract_increase(*, award_value: int, contract_value: int) -> bool:
    """The contract is worth at least CONTRACT_INCREASE more than its award."""
    if award_value <= 0:
        return False
    return Fraction(contract_value - award_value, award_value) >= CONTRACT_INCREASE
