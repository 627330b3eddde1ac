"""Throttling of registration, verification and password resets, per client and per e-mail.

Beside the sign-in throttle (ratelimit.py), on the same `limits` library and storage, with its
own keys and rate (PRONGSAI_ACCOUNT_RATE_LIMIT), so a burst of sign-ins does not lock anyone
out of resetting a password, nor the other way round."""

from __future__ import annotations

from limits import parse, storage, strategies

from core.errors import RateLimited
from core.i18n import gettext


class AccountThrottle:
    """Counts account requests (register, verify, reset) per client address and per e-mail."""

    def __init__(self, rate: str, storage_uri: str = "memory://") -> None:
        self._rate = parse(rate)
        self._limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))

    def hit(self, action: str, *, client: str, email: str | None = None) -> None:
        """Record one request, refusing it when the client or the e-mail is over the limit."""
        keys = [(f"account-{action}-client", client)]
        if email:
            keys.append((f"account-{action}-email", email.strip().lower()))
        for key in keys:
            if not self._limiter.hit(self._rate, *key):
                reset_at, _ = self._limiter.get_window_stats(self._rate, *key)
                raise RateLimited(
                    gettext(
                        "Too many requests from here or for this e-mail address. "
                        "Wait a while and try again."
                    ),
                    retry_after_epoch=int(reset_at),
                )
