"""Pure decisions about a tender's schedule, criteria and lots; no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.i18n import N_, Translatable


@dataclass(frozen=True)
class Schedule:
    enquiry_end_at: datetime
    tender_start_at: datetime
    tender_end_at: datetime
    opening_at: datetime


def schedule_problems(schedule: Schedule, *, now: datetime, min_tender_days: int) -> list[str]:
    """Why a tender's dates cannot be published as they are (empty when they can)."""
    return [problem for _, problem in schedule_faults(schedule, now=now, days=min_tender_days)]


def schedule_faults(schedule: Schedule, *, now: datetime, days: int) -> list[tuple[str, str]]:
    """Each of schedule_problems with the date it concerns (a Schedule field's name), as a form
    shows it at that field."""
    problems: list[tuple[str, str]] = []
    if schedule.tender_end_at <= now:
        problems.append(
            ("tender_end_at", Translatable(N_("the bid deadline must be in the future")))
        )
    if schedule.tender_start_at >= schedule.tender_end_at:
        problems.append(
            (
                "tender_end_at",
                Translatable(N_("the tender period must start before the bid deadline")),
            )
        )
    if not schedule.tender_start_at <= schedule.enquiry_end_at <= schedule.tender_end_at:
        problems.append(
            (
                "enquiry_end_at",
                Translatable(N_("the enquiry period must end within the tender period")),
            )
        )
    if schedule.opening_at < schedule.tender_end_at:
        problems.append(
            ("opening_at", Translatable(N_("the opening must be at or after the bid deadline")))
        )
    start = max(schedule.tender_start_at, now)
    if schedule.tender_end_at - start < timedelta(days=days):
        problems.append(
            (
                "tender_end_at",
                Translatable(
                    N_("bidders must have at least %(days)s days from publication to the deadline"),
                    days=days,
                ),
            )
        )
    return problems


def bid_on_time(*, now: datetime, deadline: datetime) -> bool:
    """A bid counts while server time is before the deadline; from the deadline on, it does not."""
    return now < deadline


def question_on_time(*, now: datetime, enquiry_end_at: datetime) -> bool:
    """Questions are taken until the end of the enquiry period."""
    return now < enquiry_end_at


def extension_needed(
    *, now: datetime, deadline: datetime, min_days_after_amendment: int
) -> datetime | None:
    """The earliest deadline an amendment made now must set, or None when none is needed."""
    earliest = now + timedelta(days=min_days_after_amendment)
    return earliest if deadline < earliest else None


def criteria_problems(weights: Sequence[int]) -> list[str]:
    """Best-value criteria need positive weights that sum to 100."""
    if not weights:
        return [Translatable(N_("best value needs at least one weighted criterion"))]
    if any(w <= 0 for w in weights):
        return [Translatable(N_("every criterion needs a positive weight"))]
    if sum(weights) != 100:
        return [
            Translatable(N_("criterion weights must sum to 100, not %(sum)s"), sum=sum(weights))
        ]
    return []


def lots_problems(*, lot_count: int, item_lots: Sequence[int | None]) -> list[str]:
    """Items of a lotted tender each name an existing lot; without lots, none may."""
    problems: list[str] = []
    for position, lot in enumerate(item_lots, start=1):
        if lot_count == 0 and lot is not None:
            problems.append(
                Translatable(
                    N_("item %(position)s names lot %(lot)s, but the tender has no lots"),
                    position=position,
                    lot=lot,
                )
            )
        elif lot_count and lot is None:
            problems.append(
                Translatable(
                    N_("item %(position)s must belong to a lot (1 to %(count)s)"),
                    position=position,
                    count=lot_count,
                )
            )
        elif lot is not None and not 1 <= lot <= lot_count:
            problems.append(
                Translatable(
                    N_("item %(position)s names lot %(lot)s; the lots are 1 to %(count)s"),
                    position=position,
                    lot=lot,
                    count=lot_count,
                )
            )
    return problems
