"""Bounded types shared by every request schema and route parameter: what the database holds.

Every integer that reaches a query is a signed 64-bit value (BIGINT on PostgreSQL, INTEGER on
SQLite), and a row's id a signed 32-bit one (the INTEGER primary keys of PostgreSQL); a larger
one fails inside the driver (`OverflowError`, `integer out of range`) long after validation, as
a 500. These types refuse it at the edge, as a 422 naming the field. Money has a
lower, sane cap so that any sum a tender makes (its lots, its bids, its payments) stays far
within BIGINT too. Text never carries NUL (every request model derives from Input): PostgreSQL
refuses it in a string, SQLite would keep it.
"""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import Ge, Gt, Le
from pydantic import BaseModel, field_validator

from core.i18n import N_

MAX_BIGINT = 2**63 - 1
MAX_ID = 2**31 - 1  # INTEGER primary keys on PostgreSQL (SQLite's hold 64 bits)
# 10^15 minor units: ten trillion in a two-decimal currency, far beyond any public contract,
# and 9,000 times below BIGINT, so a tender's lots or a year's payments always add up.
MAX_MONEY = 10**15
MAX_PAGE = 1_000_000
NUL = "\x00"

BigInt = Annotated[int, Ge(-MAX_BIGINT), Le(MAX_BIGINT)]
"""Any integer a BIGINT column holds."""

Id = Annotated[int, Ge(1), Le(MAX_ID)]
"""A row's id in a path or a query (`/api/tenders/{tender_id}`, `?after_id=`)."""

IdCursor = Annotated[int, Ge(0), Le(MAX_ID)]
"""A cursor that is a row's id (OCDS `?since=`): after this row; 0 from the start."""

Index = Annotated[int, Ge(0), Le(MAX_BIGINT)]
"""A position or cursor counted from zero (a log index, a release cursor)."""

Page = Annotated[int, Ge(1), Le(MAX_PAGE)]
"""A page number of a listing."""

Money = Annotated[int, Gt(0), Le(MAX_MONEY)]
"""A positive amount in minor units (satang for THB)."""

MoneyOrZero = Annotated[int, Ge(0), Le(MAX_MONEY)]
"""An amount in minor units that may be zero (an estimate, a lot's value)."""


def bigint_or_none(text: str) -> int | None:
    """A header's decimal digits as a non-negative BIGINT, or None (as if it were absent)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if value <= MAX_BIGINT else None


_CONTAINERS = (list, tuple, set)
_CONTAINER_TYPES = frozenset((dict, list, tuple, set))


def contains_nul(value: Any) -> bool:
    """Whether a value, or any string inside it (lists, tuples, dicts, keys too), holds NUL.

    It runs on the parameters of every query (core.db), so it stays a plain loop."""
    if type(value) is str:
        return NUL in value
    if isinstance(value, dict):
        items: Any = (*value.keys(), *value.values())
    elif isinstance(value, _CONTAINERS):
        items = value
    else:
        return False
    for item in items:
        kind = type(item)
        if kind is str:
            if NUL in item:
                return True
        elif kind in _CONTAINER_TYPES and contains_nul(item):
            return True
    return False


class Input(BaseModel):
    """The base of every request model: no field, however nested, carries a NUL character."""

    @field_validator("*", mode="after")
    @classmethod
    def _text_without_nul(cls, value: Any) -> Any:
        if contains_nul(value):
            raise ValueError(N_("text may not contain NUL (\\x00) characters"))
        return value
