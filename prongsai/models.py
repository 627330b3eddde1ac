"""Every table of the platform, imported in one place for Alembic and the app."""

from core.auth import models as auth_models
from core.db import metadata

__all__ = ["auth_models", "metadata"]
