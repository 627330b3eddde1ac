"""Sign-in throttling, on the `limits` library (memory by default, Redis by URL)."""

from __future__ import annotations

from limits import parse, storage, strategies

from core.errors import RateLimited


class SigninThrottle:
    """Counts sign-in attempts per client address and per account."""

    def __init__(self, rate: str, storage_uri: str = "memory://") -> None:
        self._rate = parse(rate)
        self._limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))

    def hit(self, *, client: str, email: str) -> None:
        """Record one attempt, refusing it when either key is over its limit."""
        keys = ("signin-client", client), ("signin-account", email.strip().lower())
        for key in keys:
            if not self._limiter.hit(self._rate, *key):
                reset_at, _ = self._limiter.get_window_stats(self._rate, *key)
                raise RateLimited(
                    "Too many sign-in attempts. Wait a minute and try again.",
                    retry_after_epoch=int(reset_at),
                )
