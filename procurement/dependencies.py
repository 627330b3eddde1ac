"""Role checks and shared parameters of procurement routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from core.auth.dependencies import require_role
from core.auth.models import Role, User
from core.settings import Settings

BuyerUser = Annotated[User, Depends(require_role(Role.BUYER))]
SupplierUser = Annotated[User, Depends(require_role(Role.SUPPLIER))]


def get_settings(request: Request) -> Settings:
    """The deployment's settings."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]
