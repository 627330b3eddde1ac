"""Load-or-404 and role checks of permits routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from core.auth.dependencies import require_role
from core.auth.models import Role, User

NumberPath = Annotated[str, Path(min_length=1, max_length=40)]


Officer = Annotated[User, Depends(require_role(Role.PERMIT_OFFICER))]
Applicant = Annotated[User, Depends(require_role(Role.APPLICANT))]
