"""Errors of accounts a person can act on."""

from __future__ import annotations

from core.errors import DomainError, InvalidInput


class LinkNotUsable(DomainError):
    """A link sent by e-mail is unknown, used already, expired, or for something else."""

    status_code = 400


class WeakPassword(InvalidInput):
    """The new password breaks the password policy."""


class WrongRegistrationNumber(InvalidInput):
    """A juristic-person registration number that cannot be right."""
