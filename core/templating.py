"""Jinja2 templates: one shared layout in core, each package's pages under its own folder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape

from core.auth.csrf import csrf_token
from core.settings import Settings


def make_templates(settings: Settings, packages: Sequence[str]) -> Jinja2Templates:
    """Templates looked up in the data folder's overrides first, then package by package."""
    loaders: list = []
    overrides = settings.data_dir / "templates"
    if overrides.is_dir():
        loaders.append(FileSystemLoader(Path(overrides)))
    loaders += [PackageLoader(name, "templates") for name in packages]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Every visible string goes through _() / {% trans %}; the locale's catalogue fills them in.
    env.install_null_translations(newstyle=True)
    env.globals.update(csrf_token=csrf_token, settings=settings)
    env.filters["localtime"] = lambda value, fmt="%Y-%m-%d %H:%M": _localtime(settings, value, fmt)
    return Jinja2Templates(env=env)


def _localtime(settings: Settings, value: datetime | None, fmt: str) -> str:
    if value is None:
        return ""
    return value.astimezone(settings.zone).strftime(fmt)
