"""Domain errors. Services raise these; the app factory alone maps them to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can act on; its message is shown to them."""

    status_code = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    """The request is well-formed but its values break a rule."""

    status_code = 422


class NotAuthenticated(DomainError):
    """No valid credentials were presented."""

    status_code = 401


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""

    status_code = 403


class NotFound(DomainError):
    """The record does not exist (or is not visible to the caller)."""

    status_code = 404


class Conflict(DomainError):
    """The request clashes with the current state of the record."""

    status_code = 409


class RateLimited(DomainError):
    """Too many attempts; try again later."""

    status_code = 429
