"""Passages in another language than the page's are marked with `lang` (WCAG 2.2 SC 3.1.2), and
an organisation is named in the reader's language where it has a name in it."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from core.i18n import current_locale

_THAI = re.compile(r"[\u0E00-\u0E7F]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def language_of(text: str | None) -> str | None:
    """ "th" for Thai text, "en" for text in Latin letters only, None for a mix or no words."""
    if not text:
        return None
    thai, latin = bool(_THAI.search(text)), bool(_LATIN_WORD.search(text))
    if thai and not latin:
        return "th"
    if latin and not thai:
        return "en"
    return None


# A run of Thai text, with the spaces, digits and punctuation inside it.
_THAI_RUN = re.compile(r"[\u0E00-\u0E7F](?:[\u0E00-\u0E7F\s\d.,:;\-–/]*[\u0E00-\u0E7F\d])?")
_EDGES = " \t\n()[]{},.;:–-\"'“”"


def marked(text: object) -> Markup:
    """`text`, with each passage in another language than the page's in a span carrying its
    `lang`: a buyer's English title on a Thai page, the Thai half of a bilingual title on an
    English page."""
    if text is None:
        return Markup("")
    value = str(text)
    page = current_locale()
    language = language_of(value)
    if language is not None:
        if language == page:
            return escape(value)
        return Markup('<span lang="{}">{}</span>').format(language, value)
    if not _THAI.search(value):
        return escape(value)
    out, position = [], 0
    for run in _THAI_RUN.finditer(value):
        out.append(_span(value[position : run.start()], "en", page))
        out.append(_span(run.group(0), "th", page))
        position = run.end()
    out.append(_span(value[position:], "en", page))
    return Markup("").join(out)


def _span(part: str, language: str, page: str) -> Markup:
    if language == page or (not _LATIN_WORD.search(part) and language == "en"):
        return escape(part)
    core = part.strip(_EDGES)
    if not core:
        return escape(part)
    start = part.index(core)
    lead, trail = part[:start], part[start + len(core) :]
    return escape(lead) + Markup('<span lang="{}">{}</span>').format(language, core) + escape(trail)


def other_language(text: str | None) -> str:
    """The `lang` a piece of text needs on this page ("" when it is in the page's language or
    mixed): for attributes and for elements that hold only text, such as an option."""
    language = language_of(text)
    return language if language and language != current_locale() else ""


def local_name(name: str | None, name_th: str | None = None) -> Markup:
    """An organisation's name in the reader's language if it has one, marked if it is not."""
    if current_locale() == "th" and name_th:
        return marked(name_th)
    return marked(name or name_th or "")
