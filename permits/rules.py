"""Pure decisions of permits: tracking numbers, business time, allowed transitions, figures."""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

from core.i18n import N_, Translatable

# ---------------------------------------------------------------- tracking numbers
# ISO 7064 MOD 37-2: a prime modulus and weights that are distinct powers of 2 mod 37, so
# every single-character substitution and every adjacent transposition changes the check.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
TRACKING = re.compile(r"^([A-Z]{2,8})-(\d{4})-(\d{6})-([0-9A-Z*])$")


class TrackingNumberError(ValueError):
    """The text is not a tracking number, or its check character is wrong."""


class WrongCheckCharacter(TrackingNumberError):
    """Well formed, but the check character does not match: a typo."""


def check_character(payload: str) -> str:
    """The ISO 7064 MOD 37-2 check character of letters and digits."""
    total = 0
    for char in payload:
        total = ((total + ALPHABET.index(char)) * 2) % 37
    return ALPHABET[(38 - total) % 37]


def tracking_number(prefix: str, year: int, sequence: int) -> str:
    """E.g. BLD-2026-004211-K: type prefix, year, sequence, check character."""
    body = f"{prefix}{year:04d}{sequence:06d}"
    return f"{prefix}-{year:04d}-{sequence:06d}-{check_character(body)}"


def normalise_tracking_number(text: str) -> str:
    """Upper case, spaces removed: what a person reads out or types."""
    return re.sub(r"\s+", "", text).upper()


def parse_tracking_number(text: str) -> tuple[str, int, int]:
    """(prefix, year, sequence) of a tracking number; a TrackingNumberError says what is wrong."""
    match = TRACKING.match(normalise_tracking_number(text))
    if match is None:
        raise TrackingNumberError(
            Translatable(
                N_("%(text)s is not a tracking number (they look like BLD-2026-004211-K)."),
                text=repr(text),
            )
        )
    prefix, year, sequence, check = match.groups()
    if check_character(f"{prefix}{year}{sequence}") != check:
        raise WrongCheckCharacter(
            Translatable(
                N_("The check character of %(text)s is wrong: one of its characters is mistyped."),
                text=text,
            )
        )
    return prefix, int(year), int(sequence)


# ---------------------------------------------------------------- business time
OFFICE_OPENS = time(8, 30)
OFFICE_CLOSES = time(16, 30)


class Unit(StrEnum):
    BUSINESS_DAYS = "business_days"
    WORKING_HOURS = "working_hours"


@dataclass(frozen=True)
class Calendar:
    """Business days in a zone: weekdays that are neither holidays nor local closures."""

    zone: ZoneInfo
    closed: frozenset[date]

    def is_business_day(self, day: date) -> bool:
        """Is the office open on that day?"""
        return day.weekday() < 5 and day not in self.closed

    def local_date(self, moment: datetime) -> date:
        """The calendar date of an instant in the display zone."""
        return moment.astimezone(self.zone).date()

    def end_of(self, day: date) -> datetime:
        """The instant a local day ends (the next local midnight), in UTC."""
        return datetime.combine(day + timedelta(days=1), time(), self.zone).astimezone(UTC)

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """The end of the `days`-th business day after the day of `start` (not counted)."""
        day = self.local_date(start)
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_business_day(day):
                counted += 1
        return self.end_of(day)

    @cached_property
    def _closed_weekdays(self) -> tuple[int, ...]:
        """Ordinals of the closed days that fall on a weekday, sorted (for counting)."""
        return tuple(sorted(d.toordinal() for d in self.closed if d.weekday() < 5))

    def business_days_between(self, start: datetime, end: datetime) -> int:
        """Business days d with start's date < d <= end's date (0 if end is not later)."""
        first = self.local_date(start).toordinal()
        last = self.local_date(end).toordinal()
        if last <= first:
            return 0
        # Arithmetic, not a walk: statistics pages count this for every stage on each request.
        closed = self._closed_weekdays
        holidays = bisect_right(closed, last) - bisect_right(closed, first)
        return _weekdays_up_to(last) - _weekdays_up_to(first) - holidays

    def _open_interval(self, day: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, OFFICE_OPENS, self.zone),
            datetime.combine(day, OFFICE_CLOSES, self.zone),
        )

    def add_working_hours(self, start: datetime, hours: int) -> datetime:
        """The instant `hours` office hours (08:30-16:30 on business days) after `start`."""
        remaining = timedelta(hours=hours)
        moment = start.astimezone(self.zone)
        day = moment.date()
        while True:
            if self.is_business_day(day):
                opens, closes = self._open_interval(day)
                begin = max(moment, opens)
                if begin < closes:
                    if begin + remaining <= closes:
                        return (begin + remaining).astimezone(UTC)
                    remaining -= closes - begin
            day += timedelta(days=1)
            moment = datetime.combine(day, time(), self.zone)

    def working_hours_between(self, start: datetime, end: datetime) -> int:
        """Whole office hours between two instants."""
        total = timedelta()
        day, last = self.local_date(start), self.local_date(end)
        while day <= last:
            if self.is_business_day(day):
                opens, closes = self._open_interval(day)
                begin, finish = max(start, opens), min(end, closes)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return int(total.total_seconds() // 3600)

    def due(self, start: datetime, amount: int, unit: Unit) -> datetime:
        """The due instant of a stage of that duration, started at `start`."""
        if unit is Unit.WORKING_HOURS:
            return self.add_working_hours(start, amount)
        return self.add_business_days(start, amount)

    def elapsed(self, start: datetime, end: datetime, unit: Unit) -> int:
        """Business days (or working hours) from `start` to `end`: a pause's length."""
        if unit is Unit.WORKING_HOURS:
            return self.working_hours_between(start, end)
        return self.business_days_between(start, end)


def _weekdays_up_to(ordinal: int) -> int:
    """Weekdays among the days of ordinal 1 (a Monday) to `ordinal`, both included."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


# ---------------------------------------------------------------- transitions
class Action(StrEnum):
    ADVANCE = "advance"
    REQUEST_INFORMATION = "request_information"
    RESUME = "resume"
    EXTEND = "extend"
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"


class Asks(StrEnum):
    """What a request for information asks the applicant for."""

    DOCUMENT = "document"  # a document the officer names, uploaded as a file
    ANSWER = "answer"  # a written answer to the officer's question


@dataclass(frozen=True)
class InformationRequest:
    """What the officer asks for: a named document, or an answer to a question. Without one
    (requests made before they named it), any of the permit type's documents answers."""

    asks: Asks
    asked_for: str  # the document's name, or the question

    def __post_init__(self) -> None:
        if not self.asked_for.strip():
            raise ValueError("name the document or write the question")


NOTE_REQUIRED = frozenset({Action.REJECT, Action.REQUEST_INFORMATION, Action.EXTEND})
APPLICANT_ACTIONS = frozenset({Action.WITHDRAW, Action.RESUME})
# The clock is stopped: the stage waits for the applicant, who may answer or give up.
WHILE_PAUSED = (Action.RESUME, Action.REJECT, Action.WITHDRAW)
ENDING = {Action.APPROVE: "approved", Action.REJECT: "rejected", Action.WITHDRAW: "withdrawn"}


def allowed_actions(
    declared: Sequence[str], *, paused: bool, extended: bool, is_last: bool
) -> list[Action]:
    """The transitions allowed now from a stage that declares `declared`."""
    actions = [Action(name) for name in declared]
    if paused:
        return [a for a in WHILE_PAUSED if a in actions or a is Action.RESUME]
    return [
        a
        for a in actions
        if a is not Action.RESUME
        and not (a is Action.EXTEND and extended)
        and not (a is Action.ADVANCE and is_last)
    ]


def is_late_entry(*, effective_at: datetime, entered_at: datetime, threshold_days: int) -> bool:
    """Was the decision recorded more than `threshold_days` after it was taken?"""
    return entered_at - effective_at > timedelta(days=threshold_days)


# ---------------------------------------------------------------- open data
# BLDS (Building & Land Development Specification) StatusCurrentMapped values.
BLDS_STATUS = {
    "in_progress": "In Review",
    "paused": "On Hold",
    "approved": "Permit Issued",
    "rejected": "Application Denied",
    "withdrawn": "Application Withdrawn",
}


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-quantile (0..1) by linear interpolation; None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def histogram_percentile(counts: Mapping[int, int], q: float) -> float | None:
    """percentile() of the values a histogram (value -> how many) holds, without listing them."""
    total = sum(n for n in counts.values() if n > 0)
    if not total:
        return None
    position = (total - 1) * q
    low, high = math.floor(position), math.ceil(position)
    found: dict[int, int] = {}
    seen = 0
    for value in sorted(v for v, n in counts.items() if n > 0):
        seen += counts[value]
        for index in (low, high):
            if index not in found and index < seen:
                found[index] = value
        if high in found:
            break
    return found[low] + (found[high] - found[low]) * (position - low)
