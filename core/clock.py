"""Time as an input: services take a clock, so tests set the hour exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class FrozenClock:
    """A clock that moves only when told to; for tests and replays."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self.now = now.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward by a timedelta's keyword arguments."""
        self.now += timedelta(**delta)
        return self.now

    def set(self, now: datetime) -> None:
        """Jump to a given instant."""
        self.now = now.astimezone(UTC)


def get_clock(request: Request) -> Clock:
    """The app's clock (the system clock unless a test injected another)."""
    return request.app.state.clock


ClockDep = Annotated[Clock, Depends(get_clock)]
