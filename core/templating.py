"""Jinja2 templates: one shared layout in core, each package's pages under its own folder."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    pass_context,
    select_autoescape,
)
from jinja2.bccache import Bucket

from core import formatting, i18n, pdf
from core.auth.csrf import csrf_token
from core.identity import emblem_data_uri
from core.labels import LabelBook, make_book
from core.lang import local_name, marked, other_language
from core.settings import Settings


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per process, kept in memory: Jinja checks each against its
    source's checksum before use, so an edited template is compiled again. Environments share
    one only when the settings its compile-time folding could read are the same (see
    `compiled_for`). A server has one app, so this is a start-up saving; the tests make an
    app per test, and compiling every page again for each was a tenth of the suite's time."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED: dict[tuple[str, str], CompiledTemplates] = {}


def compiled_for(settings: Settings) -> CompiledTemplates:
    """The compiled templates of environments made with these settings: Jinja folds a filter
    applied to a constant at compile time, so what the formatting filters read is in the key."""
    key = (str(settings.zone), settings.default_currency)
    return _COMPILED.setdefault(key, CompiledTemplates())


def make_templates(
    settings: Settings,
    packages: Sequence[str],
    *,
    locale_dir: Path | None = None,
    labels: LabelBook | None = None,
) -> Jinja2Templates:
    """Templates looked up in the data folder's overrides first, then package by package;
    strings and formats in each request's language (catalogues in `locale_dir`); codes
    written as words by the `human` filter (`labels`)."""
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
        bytecode_cache=compiled_for(settings),
    )
    # Every visible string goes through _() / {% trans %}; the request's catalogue fills them in.
    i18n.install(env, locale_dir=locale_dir)
    formatting.install(env, zone=settings.zone, default_currency=settings.default_currency)
    env.globals.update(
        csrf_token=csrf_token,
        settings=settings,
        # What a document's letterhead and its way back to the public record are made of.
        emblem_data_uri=emblem_data_uri,
        qr_data_uri=pdf.qr_data_uri,
        public_url=lambda path: pdf.public_url(settings, path),
        log_entry_url=lambda index: pdf.log_entry_url(settings, index),
    )
    # Locale-dependent: pass_context keeps Jinja from folding `"code" | human` into the
    # language of whichever request compiled the template first.
    book = labels or make_book()
    filters: dict[str, Callable[..., Any]] = {
        "human": book.label,
        "marked": marked,
        "local_name": local_name,
        "other_language": other_language,
    }
    for name, function in filters.items():
        env.filters[name] = per_request(function)
    return Jinja2Templates(env=env)


def per_request(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter Jinja must call at render time, never fold at compile time: it reads the
    request's language."""

    @pass_context
    def filter_at_render(_context: Any, value: Any, *args: Any) -> Any:
        return function(value, *args)

    return filter_at_render


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A page: `template` with `context`, through the app's templates, in the request's language.

    The one place every package renders HTML, so a check on what templates receive
    (tests/test_layout.py) sees every page."""
    return request.app.state.templates.TemplateResponse(
        request, template, dict(context), status_code=status_code, headers=headers
    )
