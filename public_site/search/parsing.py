"""The search URL read into a SearchParams: each filter checked, each mistake a 400 naming it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from core.i18n import gettext
from public_site.search.cursor import decode_cursor
from public_site.search.schemas import FILTERS, PER_PAGE, SearchError, SearchParams

KINDS = ("tender", "award", "contract", "buyer", "supplier", "permit")
SORTS = ("relevance", "newest", "value")
PARAMETERS = frozenset({*FILTERS, "cursor", "per_page", "format", "lang"})
MAX_QUERY = 200
MAX_TERMS = 8
MAX_PER_PAGE = 100
MAX_VALUE = Decimal(10) ** 13  # major units: ten trillion
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name) or []
    if len(values) > 1:
        raise SearchError(name, gettext("give it once."))
    value = values[0].strip() if values else ""
    return value or None


def _clean_query(raw: str) -> tuple[str, bool]:
    text = "".join(" " if unicodedata.category(c) in {"Cc", "Cs", "Zl", "Zp"} else c for c in raw)
    text = " ".join(text.split())
    if len(text) > MAX_QUERY:
        return text[:MAX_QUERY].rstrip(), True
    return text, False


def _slug(params, name: str) -> str | None:
    value = _one(params, name)
    if value is not None and not _SLUG.match(value):
        raise SearchError(
            name, gettext("use the identifier shown in the list (letters, digits, '-').")
        )
    return value


def _money(params, name: str) -> Decimal | None:
    value = _one(params, name)
    if value is None:
        return None
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise SearchError(
            name,
            gettext("%(value)s is not an amount (e.g. 1500000).") % {"value": repr(value[:40])},
        ) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_VALUE:
        raise SearchError(
            name, gettext("give an amount between 0 and %(most)s.") % {"most": f"{MAX_VALUE:,}"}
        )
    return amount


def _date(params, name: str) -> date | None:
    value = _one(params, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SearchError(
            name, gettext("%(value)s is not a date (YYYY-MM-DD).") % {"value": repr(value[:40])}
        ) from None


def parse(params: Mapping[str, Sequence[str]]) -> SearchParams:
    """Validate a search's URL parameters; SearchError names the first wrong one."""
    for name in params:
        if name not in PARAMETERS:
            raise SearchError(
                name[:40],
                gettext("unknown filter; use %(filters)s.")
                % {"filters": ", ".join(sorted(PARAMETERS - {"lang"}))},
            )
    q, truncated = _clean_query(_one(params, "q") or "")
    terms = tuple(dict.fromkeys(t for t in q.split() if len(t) >= 2))[:MAX_TERMS]
    kind = _one(params, "kind")
    if kind is not None and kind not in KINDS:
        raise SearchError(
            "kind",
            gettext("%(value)s is not one of %(choices)s.")
            % {"value": repr(kind[:40]), "choices": ", ".join(KINDS)},
        )
    sort = _one(params, "sort")
    if sort is not None and sort not in SORTS:
        raise SearchError(
            "sort",
            gettext("%(value)s is not one of %(choices)s.")
            % {"value": repr(sort[:40]), "choices": ", ".join(SORTS)},
        )
    year: int | None = None
    if (year_text := _one(params, "year")) is not None:
        if not year_text.isdigit() or not 1900 <= int(year_text) <= 2200:
            raise SearchError(
                "year",
                gettext("%(value)s is not a year (e.g. 2026).") % {"value": repr(year_text[:40])},
            )
        year = int(year_text)
    overdue: bool | None = None
    if (overdue_text := _one(params, "overdue")) is not None:
        if overdue_text.lower() not in _TRUE | _FALSE:
            raise SearchError("overdue", gettext("use true or false."))
        overdue = overdue_text.lower() in _TRUE
    per_page: int | None = None
    if (per_page_text := _one(params, "per_page")) is not None:
        if not per_page_text.isdigit() or not 1 <= int(per_page_text) <= MAX_PER_PAGE:
            raise SearchError(
                "per_page", gettext("give a number from 1 to %(most)s.") % {"most": MAX_PER_PAGE}
            )
        per_page = int(per_page_text)
    value_min, value_max = _money(params, "value_min"), _money(params, "value_max")
    if value_min is not None and value_max is not None and value_min > value_max:
        raise SearchError("value_min", gettext("the minimum is above the maximum."))
    date_from, date_to = _date(params, "date_from"), _date(params, "date_to")
    if date_from and date_to and date_from > date_to:
        raise SearchError("date_from", gettext("the start date is after the end date."))
    search = SearchParams(
        q=q,
        kind=kind,
        status=_slug(params, "status"),
        buyer=_slug(params, "buyer"),
        department=_slug(params, "department"),
        category=_slug(params, "category"),
        year=year,
        value_min=value_min,
        value_max=value_max,
        overdue=overdue,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        cursor=_one(params, "cursor"),
        per_page=per_page or PER_PAGE,
        query_truncated=truncated,
        terms=terms,
    )
    if search.cursor is not None:
        decode_cursor(search.cursor, search.effective_sort)  # reject a bad one now, as a 400
    return search
