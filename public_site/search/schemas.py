"""What a search is (the parsed URL) and what it answers (hits and pages)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel

from core.errors import DomainError

FILTERS = (
    "q",
    "kind",
    "status",
    "buyer",
    "department",
    "category",
    "year",
    "value_min",
    "value_max",
    "overdue",
    "date_from",
    "date_to",
    "sort",
)
PER_PAGE = 20


class SearchError(DomainError):
    """A malformed search parameter; the message names the field."""

    status_code = 400

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}", field=name)
        self.field = name


@dataclass(frozen=True)
class SearchParams:
    """A validated search: what the URL asked for."""

    q: str = ""
    kind: str | None = None
    status: str | None = None
    buyer: str | None = None
    department: str | None = None
    category: str | None = None
    year: int | None = None
    value_min: Decimal | None = None
    value_max: Decimal | None = None
    overdue: bool | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str | None = None
    cursor: str | None = None
    per_page: int = PER_PAGE
    query_truncated: bool = False
    terms: tuple[str, ...] = field(default=())

    @property
    def effective_sort(self) -> str:
        """The sort in force: relevance needs words; without them the newest come first."""
        sort = self.sort or ("relevance" if self.terms else "newest")
        return "newest" if sort == "relevance" and not self.terms else sort

    def filters(self) -> list[tuple[str, str]]:
        """The filters as URL parameters (without cursor or page size), for links."""
        pairs = []
        for name in FILTERS:
            value = getattr(self, name)
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                value = "true" if value else "false"
            pairs.append((name, str(value)))
        return pairs

    def with_cursor(self, cursor: str | None) -> SearchParams:
        """The same search at another page."""
        return replace(self, cursor=cursor)


class SearchHit(BaseModel):
    """One search result, with only public fields."""

    kind: str
    title: str
    url: str
    status: str | None
    buyer: str | None
    buyer_name: str | None
    department: str | None
    department_name: str | None
    category: str | None
    year: int | None
    value: int | None
    currency: str | None
    overdue: bool
    date: datetime
    snippet: str


class SearchPage(BaseModel):
    """One page of results, the cursor of the next, and (bounded) counts."""

    hits: list[SearchHit]
    next_cursor: str | None
    total: int | None  # None: more than could be counted within the time budget
    total_is_lower_bound: bool
    facets: dict[str, dict[str, int]]
