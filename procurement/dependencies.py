"""Role checks and shared parameters of procurement routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from core.auth.csrf import verify_csrf
from core.auth.dependencies import require_role
from core.auth.models import Role, User

BuyerUser = Annotated[User, Depends(require_role(Role.BUYER))]
SupplierUser = Annotated[User, Depends(require_role(Role.SUPPLIER))]
CsrfChecked = Depends(verify_csrf)
