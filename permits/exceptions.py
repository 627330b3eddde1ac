"""Domain errors of permits; the app factory maps each to its HTTP status."""

from __future__ import annotations

from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class ApplicationNotFound(NotFound):
    """No application has that tracking number (or its check character is wrong)."""


class TransitionNotAllowed(Conflict):
    """The action is not allowed from the application's current stage and state."""

    def __init__(self, message: str, *, allowed: list[str]) -> None:
        super().__init__(message, allowed=allowed)
        self.allowed = allowed


class NotYourDepartment(PermissionDenied):
    """The officer acts on an application handled by another department."""


class InvalidUpload(InvalidInput):
    """An uploaded document is too big, of a refused kind, or has a hostile name."""


class InvalidDefinition(InvalidInput):
    """A permit-type definition file is malformed or clashes with a loaded version."""
