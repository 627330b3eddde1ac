"""Errors of the transparency log."""

from __future__ import annotations

from core.errors import DomainError


class LedgerRangeError(DomainError):
    """Indices outside the tree, or in the wrong order; the message gives the valid range."""

    status_code = 400


class LedgerInconsistent(Exception):
    """The stored tree disagrees with a signed checkpoint: never sign over it."""
