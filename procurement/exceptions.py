"""Errors of procurement, each with the status the app maps it to."""

from __future__ import annotations

from core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied


class TenderNotFound(NotFound):
    """No such tender (or a draft the caller may not see)."""


class TenderClosed(Conflict):
    """The tender is not in a state that allows this now."""


class DeadlinePassed(Conflict):
    """The deadline for this step has passed."""


class NotYetTime(Conflict):
    """This step may not happen before its set time."""


class InvalidTender(InvalidInput):
    """The tender's values break a rule; the message lists every problem."""


class InvalidBid(InvalidInput):
    """The bid is malformed; nothing was stored."""


class NotYourTender(PermissionDenied):
    """Only the buying entity that owns the tender may do this."""


class NotInvited(PermissionDenied):
    """A selective tender takes bids only from the suppliers it invited."""


class NotABidder(PermissionDenied):
    """Only a company that bid on the tender may do this (complain about its award)."""


class SupplierNotRegistered(PermissionDenied):
    """The supplier company has not registered its details yet."""


class SupplierNotApproved(PermissionDenied):
    """The supplier company registered itself and awaits an admin's check (or was refused)."""


class IdempotencyConflict(Conflict):
    """The same Idempotency-Key is still being processed."""


class BidNotRecorded(DomainError):
    """The bid was not confirmed in time (or the database refused it): the supplier sends it
    again with the same Idempotency-Key, which records it at most once."""

    status_code = 503


class IdempotencyMismatch(InvalidInput):
    """The same Idempotency-Key was used with a different request."""


class OpeningFailed(DomainError):
    """The tender's sealed keys could not be released: the deployment's opening key is wrong
    or missing. Nothing was opened; the opening is retried once the key is restored."""

    status_code = 503


class BidsStillSealed(Conflict):
    """What is inside the bids is read only after the opening."""
