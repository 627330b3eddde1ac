"""The keyset cursor: an opaque token holding the last row's sort key, and the rows after it."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from core.db import UTCDateTime
from core.i18n import gettext
from public_site.search.schemas import SearchError


def encode_cursor(sort: str, values: Sequence[Any]) -> str:
    """An opaque cursor: the sort and the last row's sort key."""
    keys = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps({"s": sort, "k": keys}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> list[Any]:
    """The sort key in a cursor made by encode_cursor; SearchError if it is not one."""
    kinds = {
        "newest": ["time", "int"],
        "value": ["int", "int"],
        "relevance": ["int", "time", "int"],
    }[sort]
    try:
        if len(cursor) > 400:
            raise ValueError
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict) or data.get("s") != sort:
            raise SearchError(
                "cursor",
                gettext(
                    "this cursor belongs to a search with another sort; "
                    "start again from the first page."
                ),
            )
        keys = data["k"]
        if not isinstance(keys, list) or len(keys) != len(kinds):
            raise ValueError
        values: list[Any] = []
        for kind, key in zip(kinds, keys, strict=True):
            if kind == "int":
                if not isinstance(key, int) or isinstance(key, bool) or abs(key) > 2**62:
                    raise ValueError
                values.append(key)
            else:
                moment = datetime.fromisoformat(key)
                values.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
        return values
    except SearchError:
        raise
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise SearchError(
            "cursor",
            gettext("this is not a page cursor from this site; start from the first page."),
        ) from None


def after_cursor(keys: list[tuple[Any, str]], values: list[Any]) -> Any:
    """Rows after the cursor in descending order of every key (a row-value comparison)."""
    literals = [
        sa.literal(v, UTCDateTime()) if kind == "time" else sa.literal(v, sa.BigInteger())
        for (_, kind), v in zip(keys, values, strict=True)
    ]
    return sa.tuple_(*(expr for expr, _ in keys)) < sa.tuple_(*literals)
