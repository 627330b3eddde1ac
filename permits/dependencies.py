"""Load-or-404 and role checks of permits routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from core.auth.dependencies import require_role
from core.auth.models import Role, User
from core.db import SessionDep
from permits import service
from permits.models import Application

NumberPath = Annotated[str, Path(min_length=1, max_length=40)]


def application(number: NumberPath, session: SessionDep) -> Application:
    """The application named in the path; a 404 that says whether it was mistyped."""
    return service.get_application(session, number=number)


ApplicationDep = Annotated[Application, Depends(application)]
Officer = Annotated[User, Depends(require_role(Role.PERMIT_OFFICER))]
Applicant = Annotated[User, Depends(require_role(Role.APPLICANT))]
