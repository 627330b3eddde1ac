"""Languages: each request's locale, the message catalogues, and the language switch (dates,
numbers and money written for the locale are in `core.formatting`).

The Jinja environment is shared by every request, so it never holds one language's
translations: its gettext callables look up the current request's locale in a context
variable that `LocaleMiddleware` sets. Each request runs in its own task (and sync routes
in a thread with a copy of its context), so two readers in two languages never mix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from jinja2 import Environment
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOCALES = ("en", "th")
LANGUAGE_NAMES = {"en": "English", "th": "ไทย"}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
DOMAIN = "messages"
_locale: ContextVar[str] = ContextVar("prongsai_locale", default="en")
# One catalogue folder per process (the application's), loaded when the templates are made.
_catalogues: dict[str, NullTranslations] = {}


def current_locale() -> str:
    """The locale of the request being served ("en" outside a request)."""
    return _locale.get()


def set_locale(locale: str) -> None:
    """Make `locale` the current one for this task or thread (and for what it starts)."""
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    _locale.set(locale)


@lru_cache
def load_catalogues(locale_dir: Path) -> Mapping[str, NullTranslations]:
    """Each locale's translations, read from its .po file (no compile step on a fresh clone)."""
    catalogues: dict[str, NullTranslations] = {"en": NullTranslations()}
    for locale in LOCALES:
        po = locale_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po.is_file():
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=locale, domain=DOMAIN)
        compiled = BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy guess is never shown to readers
        compiled.seek(0)
        catalogues[locale] = Translations(compiled, domain=DOMAIN)
    return catalogues


def _translations() -> NullTranslations:
    return _catalogues.get(current_locale()) or _catalogues.get("en") or NullTranslations()


def N_(message: str) -> str:  # the name gettext tools look for
    """Mark a string for the catalogue where it is defined; `_()` translates it where shown."""
    return message


def gettext(message: str) -> str:
    """`message` in the current request's language."""
    return _translations().gettext(message)


class Translatable(str):
    """A message that is English as a string (what a rule returns, a record stores, a test or a
    log reads) and keeps its catalogue id and values, so the error that shows it to a person
    says it again in their language: `localized(text)`. Pure rules return these; the id is
    marked where it is written: `Translatable(N_("item %(position)s has no lot"), position=2)`."""

    message: str
    values: dict[str, object]

    def __new__(cls, message: str, /, **values: object) -> Translatable:
        text = super().__new__(cls, message % values if values else message)
        text.message = message
        text.values = values
        return text


def joined(separator: str, parts: Iterable[str]) -> Translatable:
    """Parts (each a Translatable or plain text) joined by `separator`, joined again in the
    reader's language by `localized`."""
    parts = list(parts)
    template = separator.replace("%", "%%").join(f"%(part{n})s" for n in range(len(parts)))
    return Translatable(template, **{f"part{n}": part for n, part in enumerate(parts)})


def localized(text: str) -> str:
    """`text` in the current request's language: a Translatable's message translated with its
    values (each said in that language too); any other text as it is."""
    if not isinstance(text, Translatable):
        return text
    said = gettext(text.message) if text.message else ""  # gettext("") is the header
    if not text.values:
        return said
    return said % {
        name: localized(value) if isinstance(value, str) else value
        for name, value in text.values.items()
    }


@contextmanager
def speaking(locale: str) -> Iterator[None]:
    """Make `locale` the current one for the block, then restore the one before."""
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}")
    token = _locale.set(locale)
    try:
        yield
    finally:
        _locale.reset(token)


# The line between an e-mail's two languages, named in the language that follows it.
LANGUAGE_DIVIDERS = {"en": "— English —", "th": "— ภาษาไทย —"}


def bilingual(default_locale: str, render: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """An e-mail's (subject, body) in both languages, the deployment's default first: mail is
    sent outside any reader's request and nobody's language is stored. `render` builds one
    language's subject and body with gettext; it is called once in each language."""
    first = default_locale if default_locale in LOCALES else "en"
    second = next(locale for locale in LOCALES if locale != first)
    with speaking(first):
        first_subject, first_body = render()
    with speaking(second):
        second_subject, second_body = render()
    subject = f"{first_subject} / {second_subject}"
    body = f"{first_body.rstrip()}\n\n{LANGUAGE_DIVIDERS[second]}\n\n{second_body.rstrip()}\n"
    return subject, body


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message, for `n`, in the current request's language."""
    return _translations().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, disambiguated by `context`."""
    return _translations().pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """The plural form of a message with a context, in the current language."""
    return _translations().npgettext(context, singular, plural, n)


# ---- choosing the locale -------------------------------------------------------------------

_LANGUAGE_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$"
)


def from_accept_language(header: str | None) -> str | None:
    """The first supported locale in an Accept-Language header, by quality."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:1000].split(",")):
        match = _LANGUAGE_RANGE.match(part)
        if not match:
            continue
        try:
            quality = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        if quality > 0:
            ranked.append((-quality, position, match.group(1).lower()))
    for _, _, tag in sorted(ranked):
        language = tag.split("-")[0]
        if language in LOCALES:
            return language
    return None


def negotiate(
    *, query: str | None, cookie: str | None, accept_language: str | None, default: str
) -> str:
    """An explicit choice (?lang=, then the switch's cookie), then the browser's, then ours."""
    for choice in (query, cookie):
        if choice in LOCALES:
            return choice
    return from_accept_language(accept_language) or default


class LocaleMiddleware:
    """Chooses each request's locale and says which it used (Content-Language, Vary)."""

    def __init__(self, app: ASGIApp, *, default_locale: str) -> None:
        self.app = app
        self.default_locale = default_locale

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        locale = negotiate(
            query=request.query_params.get("lang"),
            cookie=request.cookies.get(COOKIE),
            accept_language=request.headers.get("accept-language"),
            default=self.default_locale,
        )
        # Not reset afterwards on purpose: the value dies with this request's task, and the
        # outermost error handler (which runs after us) should still speak the reader's language.
        set_locale(locale)
        scope.setdefault("state", {})["locale"] = locale

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("content-language", locale)
                    headers.add_vary_header("Accept-Language")
                    headers.add_vary_header("Cookie")
            await send(message)

        await self.app(scope, receive, send_with_language)


# ---- the language switch -------------------------------------------------------------------

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else the home page (no open redirect)."""
    if not target or len(target) > 2000 or not target.startswith("/"):
        return "/"
    if target.startswith(("//", "/\\")) or any(ord(c) < 0x21 or c == "\\" for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def switch_url(request: Request, to: str) -> str:
    """The link that switches to locale `to` and comes back to this very page."""
    query = [(k, v) for k, v in parse_qsl(request.url.query, keep_blank_values=True) if k != "lang"]
    here = request.url.path + (f"?{urlencode(query)}" if query else "")
    return f"/lang?to={to}&next={quote(here, safe='')}"


@router.get("/lang")
def switch_language(
    request: Request, to: str = "", next_page: Annotated[str, Query(alias="next")] = "/"
) -> RedirectResponse:
    """Remember the reader's language in a cookie and go back to the page they were on."""
    response = RedirectResponse(safe_next(next_page), status_code=303)
    if to in LOCALES:
        response.set_cookie(
            COOKIE,
            to,
            max_age=COOKIE_MAX_AGE,
            path="/",
            samesite="lax",
            secure=request.app.state.settings.cookie_secure,
            httponly=False,
        )
    return response


def use_catalogues(locale_dir: Path) -> None:
    """Read the catalogues in `locale_dir` for this process: the app does at its start, and so
    must any other entry point that writes for people (the CLI's invitations and demo mail)."""
    _catalogues.update(load_catalogues(locale_dir))


def install(env: Environment, *, locale_dir: Path | None) -> None:
    """Give a shared Jinja environment per-request gettext and the language switch."""
    if locale_dir is not None:
        use_catalogues(locale_dir)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )
    env.globals.update(
        current_locale=current_locale,
        switch_url=switch_url,
        language_names=LANGUAGE_NAMES,
        locales=LOCALES,
    )
