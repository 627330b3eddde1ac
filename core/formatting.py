"""Dates, numbers and money written for the reader's locale (`core.i18n.current_locale`).

English dates stay ISO 8601; Thai readers get Thai month names and the Buddhist-era year.
`install` gives a Jinja environment these as filters.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import DateTimeFormat, get_timezone_location, parse_pattern
from babel.numbers import format_decimal, format_percent, get_currency_precision
from babel.numbers import get_currency_symbol as babel_currency_symbol
from jinja2 import Environment
from typing_extensions import override

from core.i18n import current_locale, gettext, speaking

BUDDHIST_ERA_OFFSET = 543

# Dates in English stay ISO 8601 (unambiguous, and what every page printed before); Thai readers
# get day, Thai month and Buddhist-era year, as Thai official documents write them.
DATE_PATTERNS = {
    "en": {
        "date": "yyyy-MM-dd",
        "datetime": "yyyy-MM-dd HH:mm",
        "seconds": "yyyy-MM-dd HH:mm:ss",
        "long": "d MMMM y",
    },
    "th": {
        "date": "d MMM y",
        "datetime": "d MMM y HH:mm",
        "seconds": "d MMM y HH:mm:ss",
        "long": "d MMMM G y",
    },
}
# The strftime formats templates used before the filters knew about locales.
LEGACY_FORMATS = {"%Y-%m-%d": "date", "%Y-%m-%d %H:%M": "datetime", "%Y-%m-%d %H:%M:%S": "seconds"}
CURRENCY_SIGNS = {"THB": "฿"}  # the sign Thai and English readers alike know the baht by


class _BuddhistEraFormat(DateTimeFormat):
    """Babel's Thai dates are Gregorian; Thai readers count years from the Buddha (+543)."""

    @override
    def format_year(self, char: str, num: int) -> str:
        if not isinstance(self.value, date):
            return super().format_year(char, num)
        year = self.format(self.value.year + BUDDHIST_ERA_OFFSET, num)
        return year[-2:] if num == 2 else year

    @override
    def format_era(self, char: str, num: int) -> str:
        return "พ.ศ." if num <= 3 else "พุทธศักราช"


@lru_cache
def _babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)


def _as_local(value: datetime | date, zone: tzinfo) -> datetime | date:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(zone)
    return value


def format_when(
    value: datetime | date | None, style: str, *, zone: tzinfo, locale: str | None = None
) -> str:
    """A date or date-time in the display time zone, written for the locale."""
    if value is None:
        return ""
    locale = locale or current_locale()
    patterns = DATE_PATTERNS.get(locale, DATE_PATTERNS["en"])
    pattern = parse_pattern(patterns.get(style, style))
    local = _as_local(value, zone)
    if isinstance(local, date) and not isinstance(local, datetime) and style != "date":
        pattern = parse_pattern(patterns["long" if style == "long" else "date"])
    formatter = _BuddhistEraFormat if locale == "th" else DateTimeFormat
    return pattern % formatter(local, _babel_locale(locale))


def localtime(value: datetime | date | None, fmt: str | None = None, *, zone: tzinfo) -> str:
    """The old `localtime` filter, now locale-aware: known formats follow the locale, and a
    machine format (such as a datetime-local input's value) is kept exactly as asked."""
    if value is None:
        return ""
    fmt = fmt or "%Y-%m-%d %H:%M"
    style = LEGACY_FORMATS.get(fmt)
    if style is None:
        return _as_local(value, zone).strftime(fmt)
    return format_when(value, style, zone=zone)


_YEAR_OR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def period_label(label: str, locale: str | None = None) -> str:
    """A chart's year ("2026") or month ("2026-11") in the reader's calendar: Thai readers get
    the Buddhist era ("2569", "พ.ย. 2569"); anything else is returned as it is."""
    locale = locale or current_locale()
    match = _YEAR_OR_MONTH.match(label)
    if locale != "th" or not match:
        return label
    year = int(match.group(1))
    if match.group(2) is None:
        return str(year + BUDDHIST_ERA_OFFSET)
    month = date(year, int(match.group(2)), 1)
    return parse_pattern("MMM y") % _BuddhistEraFormat(month, _babel_locale(locale))


def zone_words(zone: tzinfo, *, at: datetime | None = None, locale: str | None = None) -> str:
    """The display time zone as a reader says it, by its city and its offset from UTC at `at`
    (now): "Bangkok time (UTC+7)", "เวลากรุงเทพ (UTC+7)"; a zone of no city as its offset."""
    moment = (at or datetime.now(UTC)).astimezone(zone)
    delta = moment.utcoffset()
    minutes = int(delta.total_seconds()) // 60 if delta else 0
    hours, rest = divmod(abs(minutes), 60)
    offset = "UTC" + ("" if not minutes else ("+" if minutes > 0 else "\u2212") + str(hours))
    offset += f":{rest:02d}" if rest else ""
    name = str(zone)
    if "/" not in name or name.startswith("Etc/"):
        return offset
    locale = locale or current_locale()
    city = get_timezone_location(name, locale=locale, return_city=True)
    with speaking(locale):
        return gettext("%(city)s time (%(offset)s)") % {"city": city, "offset": offset}


def format_recorded(value: object, *, zone: tzinfo) -> str:
    """A recorded value as a reader wants it: an ISO date-time string (as amendments record the
    old and new deadlines) written for the locale, anything else unchanged."""
    if isinstance(value, str) and len(value) >= 16 and value[4:5] == "-" and "T" in value:
        try:
            return format_when(datetime.fromisoformat(value), "datetime", zone=zone)
        except ValueError:
            return value
    return "" if value is None else str(value)


def format_number(
    value: float | int | Decimal | None, digits: int | None = None, locale: str | None = None
) -> str:
    """A number with the locale's grouping; `digits` fixes the decimals shown."""
    if value is None:
        return ""
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale or current_locale())


def format_share(value: float | Decimal | None, locale: str | None = None) -> str:
    """A share (0.87) as a percentage (87%)."""
    if value is None:
        return ""
    return format_percent(value, locale=locale or current_locale())


def format_money(
    value: int | Decimal | None,
    currency: str,
    *,
    minor: bool = False,
    locale: str | None = None,
    code: bool = False,
) -> str:
    """An amount with its currency (฿3,200,000.50); `minor=True` reads satang/cents;
    `code=True` puts the ISO code after the number (3,200,000.50 THB), as feeds read by
    programs want it."""
    if value is None:
        return ""
    locale = locale or current_locale()
    digits = get_currency_precision(currency)
    amount = Decimal(value).scaleb(-digits) if minor else Decimal(value)
    number = format_decimal(
        amount,
        format="#,##0" + ("." + "0" * digits if digits else ""),
        locale=locale,
        decimal_quantization=True,
    )
    if code:
        return f"{number} {currency}"
    sign = CURRENCY_SIGNS.get(currency) or babel_currency_symbol(currency, locale=locale)
    if number.startswith("-"):
        number, sign = number[1:], "-" + sign
    return f"{sign}{number}" if len(sign.lstrip("-")) == 1 else f"{sign} {number}"


def install(env: Environment, *, zone: tzinfo, default_currency: str) -> None:
    """Give a shared Jinja environment the locale's formatting filters."""
    # Called at render time (a global, never folded): the zone in the reader's language.
    env.globals["time_zone"] = lambda: zone_words(zone)
    env.filters.update(
        localtime=lambda value, fmt=None: localtime(value, fmt, zone=zone),
        date=lambda value, style="date": format_when(value, style, zone=zone),
        datetime=lambda value, seconds=False: format_when(
            value, "seconds" if seconds else "datetime", zone=zone
        ),
        recorded=lambda value: format_recorded(value, zone=zone),
        period=lambda value: period_label(str(value)),
        number=format_number,
        share=format_share,
        money=lambda value, currency=None, minor=False: format_money(
            value, currency or default_currency, minor=minor
        ),
    )
