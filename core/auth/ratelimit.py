"""Sign-in throttling, on the `limits` library (memory by default, Redis by URL).

Failed attempts slow the address they come from, never the account: an attacker who guesses
one account's password from one address is refused there, while its owner, from any other
address, signs in as usual and is told by e-mail that someone is trying.
"""

from __future__ import annotations

from limits import parse, storage, strategies

from core.errors import RateLimited
from core.i18n import gettext

NOTICE_RATE = "1/hour"  # at most one e-mail an hour to an account's owner about failed sign-ins


class SigninThrottle:
    """Counts failed sign-ins per client address, per address and account, and per account."""

    def __init__(self, rate: str, storage_uri: str = "memory://") -> None:
        self._rate = parse(rate)
        self._notice = parse(NOTICE_RATE)
        self._limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))

    def check(self, *, client: str, email: str) -> None:
        """Refuse an attempt from an address that has failed too often (to any account)."""
        for key in ("signin-client", client), ("signin-pair", client, _account(email)):
            if not self._limiter.test(self._rate, *key):
                reset_at, _ = self._limiter.get_window_stats(self._rate, *key)
                raise RateLimited(
                    gettext(
                        "Too many failed sign-in attempts from your address. "
                        "Wait a minute and try again."
                    ),
                    retry_after_epoch=int(reset_at),
                )

    def failed(self, *, client: str, email: str) -> bool:
        """Count a failed attempt; True when the account's owner should now be told."""
        self._limiter.hit(self._rate, "signin-client", client)
        self._limiter.hit(self._rate, "signin-pair", client, _account(email))
        self._limiter.hit(self._rate, "signin-account", _account(email))
        if self._limiter.test(self._rate, "signin-account", _account(email)):
            return False  # the account's failures are still within the rate: no one to warn
        return self._limiter.hit(self._notice, "signin-notice", _account(email))


def _account(email: str) -> str:
    return email.strip().lower()
