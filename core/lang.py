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


def marked(text: object) -> Markup:
    """`text`, wrapped in a span with its `lang` when that differs from the page's language."""
    if text is None:
        return Markup("")
    value = str(text)
    language = language_of(value)
    if language is None or language == current_locale():
        return escape(value)
    return Markup('<span lang="{}">{}</span>').format(language, value)


def local_name(name: str | None, name_th: str | None = None) -> Markup:
    """An organisation's name in the reader's language if it has one, marked if it is not."""
    if current_locale() == "th" and name_th:
        return marked(name_th)
    return marked(name or name_th or "")
