"""Every way a search can be answered gives the same records in the same order.

A word is looked for through the full-text index's list of matches or by walking the sort order
(a common word; on PostgreSQL a walk bounded to the first records the filters select, and the
list when that is not enough, which may change from one page to the next); a year filter is
also read as a range of dates. Each query shape of bench/search_bench.py, in English and in
Thai, is checked on every path against a plain-Python reading of the same documents, through
every keyset page, with its counts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from procurement.public.public_index import PublicRecord
from public_site.search import index as search_index
from public_site.search import query as search_module
from public_site.search.backends import DOC
from public_site.search.parsing import parse
from public_site.search.query import search_page

NEVER = 10**9
# name -> (COMMON_MATCHES, WALK_ROWS): which path a search with words takes
PATHS = {
    "match-list": (NEVER, 0),
    "walk": (1, NEVER),  # PostgreSQL: a walk bounded by the whole index
    "short-walks": (1, 7),  # PostgreSQL: the bound cuts most pages short, which the list serves
}
SHAPES = {
    "common word": {"q": "road"},
    "common word, newest first": {"q": "road", "sort": "newest"},
    "common word, by value": {"q": "ROAD", "sort": "value"},
    "rare word": {"q": "zeppelin"},
    "Thai word inside unspaced text": {"q": "สะพาน"},
    "Thai word, newest first, works": {"q": "สะพาน", "sort": "newest", "category": "works"},
    "two words": {"q": "road hospital"},
    "English and Thai words": {"q": "road สะพาน"},
    "permits in progress, one department, overdue": {
        "kind": "permit",
        "status": "in_progress",
        "department": "health",
        "overdue": "true",
    },
    "one buyer's tenders in 2025 by value": {
        "kind": "tender",
        "buyer": "buyer-1",
        "year": "2025",
        "sort": "value",
    },
    "word + category + value range": {
        "q": "bridge",
        "category": "works",
        "value_min": "1000000",
        "value_max": "2000000",
    },
    "common word + status + year + category": {
        "q": "road",
        "status": "cancelled",
        "year": "2024",
        "category": "goods",
    },
    "Thai word + status + year": {"q": "สะพาน", "status": "active", "year": "2025"},
    "year at its edges": {"year": "2025", "sort": "newest"},
    "no words": {},
    "date range": {"date_from": "2024-06-01", "date_to": "2025-06-30", "sort": "value"},
}
ENGLISH = ["supply", "repair", "bridge", "hospital", "school", "canal", "pumps"]
THAI = ["ก่อสร้าง", "ซ่อมแซม", "โรงเรียน", "คลอง", "อาคาร"]


def _records() -> list[PublicRecord]:
    """Tenders and permits over four years, with ties in time and value, words in titles or
    only in bodies, Thai unspaced, and records at a year's first and last instants."""
    start = datetime(2023, 1, 1, tzinfo=UTC)
    records = []
    for n in range(150):
        words = [ENGLISH[n % 7], ENGLISH[(n * 3) % 7]]
        if n % 3 == 0:
            words.insert(1, "Road")
        if n == 77:
            words.append("zeppelin")
        thai = THAI[n % 5] + ("สะพาน" if n % 4 == 1 else "") + THAI[(n + 2) % 5]
        body = f"{ENGLISH[(n + 1) % 7]} works; {THAI[(n + 3) % 5]}"
        if n % 10 == 5:
            body += " road side, hospital"  # the words in the body only
        if n % 8 == 3:
            body += " ริมสะพานใหม่"
        permit = n % 5 == 4
        records.append(
            PublicRecord(
                kind="permit" if permit else "tender",
                key=str(n),
                title=f"{' '.join(words).capitalize()} ({thai}) no. {n}",
                body=body,
                url=f"/records/{n}",
                status=(
                    ["in_progress", "approved"][n % 2]
                    if permit
                    else ["active", "active", "opened", "cancelled"][n % 4]
                ),
                buyer=None if permit else f"buyer-{n % 3}",
                department=["health", "works-dept"][n % 2] if permit else None,
                category=f"P{n % 2}" if permit else ["goods", "works", "services"][n % 3],
                value=None if permit or n % 11 == 0 else (n % 6) * 500_000_00,
                currency=None if permit else "THB",
                overdue=permit and n % 3 == 0,
                sort_at=start + timedelta(days=(n * 37) % (4 * 365), hours=n % 2),
            )
        )
    edges = [
        datetime(2024, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2025, 1, 1, tzinfo=UTC),
        datetime(2025, 1, 1, 3, tzinfo=timezone(timedelta(hours=7))),  # 2024 in UTC
        datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    ]
    for i, moment in enumerate(edges):
        records.append(
            PublicRecord(
                kind="tender",
                key=f"edge-{i}",
                title=f"Road สะพาน edge {i}",
                body="",
                url=f"/records/edge-{i}",
                status="active",
                buyer="buyer-1",
                category="goods",
                value=1_500_000_00,
                currency="THB",
                sort_at=moment,
            )
        )
    return records


def _expected(session: Session, params: dict[str, str]) -> tuple[list[str], dict]:
    """The search done in Python over every document: urls in order, and the counts."""
    search = parse({k: [v] for k, v in params.items()})
    rows = session.execute(sa.select(DOC)).mappings().all()

    def has(text: str, term: str) -> bool:
        return term.lower() in text.lower()

    def keep(row) -> bool:
        for name in ("kind", "status", "buyer", "department", "category", "year", "overdue"):
            if getattr(search, name) is not None and row[name] != getattr(search, name):
                return False
        if search.value_min is not None and row["sort_value"] < search.value_min * 100:
            return False
        if search.value_max is not None and row["sort_value"] > search.value_max * 100:
            return False
        at = row["sort_at"].date()
        if (search.date_from and at < search.date_from) or (search.date_to and at > search.date_to):
            return False
        return all(has(row["title"], t) or has(row["body"], t) for t in search.terms)

    found = [r for r in rows if keep(r)]
    sort = search.effective_sort
    if sort == "value":
        found.sort(key=lambda r: (r["sort_value"], r["id"]), reverse=True)
    else:
        found.sort(key=lambda r: (r["sort_at"], r["id"]), reverse=True)
        if sort == "relevance":  # stable: newest first within each level
            found.sort(key=lambda r: not all(has(r["title"], t) for t in search.terms))
    facets = {
        name: {
            value: sum(1 for r in found if r[name] == value)
            for value in {r[name] for r in found if r[name] is not None}
        }
        for name in ("kind", "status")
    }
    return [r["url"] for r in found], facets


def _every_page(session: Session, params: dict[str, str]) -> tuple[list[str], object]:
    urls: list[str] = []
    cursor: str | None = None
    first = None
    while True:
        query = {k: [v] for k, v in {**params, "per_page": "4"}.items()}
        if cursor:
            query["cursor"] = [cursor]
        page = search_page(session, parse(query))
        first = first or page
        urls += [hit.url for hit in page.hits]
        if page.next_cursor is None:
            return urls, first
        cursor = page.next_cursor


@pytest.fixture
def world(session, clock):
    search_index.upsert(session, _records(), now=clock())
    session.commit()


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("shape", SHAPES)
def test_every_path_gives_the_same_records_in_the_same_order(session, monkeypatch, shape, path):
    common, bound = PATHS[path]
    monkeypatch.setattr(search_module, "COMMON_MATCHES", common)
    monkeypatch.setattr(search_module, "WALK_ROWS", bound)
    params = SHAPES[shape]
    expected, facets = _expected(session, params)
    urls, first = _every_page(session, params)
    assert urls == expected
    assert expected  # every shape finds something here
    assert first.total == len(expected)
    assert first.total_is_lower_bound is False
    assert {k: dict(v) for k, v in first.facets.items()} == facets


@pytest.mark.usefixtures("world")
def test_a_year_is_the_utc_year_of_the_record_date(session):
    page = search_page(session, parse({"year": ["2025"], "q": ["edge"], "sort": ["newest"]}))
    assert [h.url for h in page.hits] == ["/records/edge-3", "/records/edge-1"]
    page = search_page(session, parse({"year": ["2024"], "q": ["edge"], "sort": ["newest"]}))
    assert [h.url for h in page.hits] == ["/records/edge-0", "/records/edge-2"]


@pytest.mark.usefixtures("world")
def test_a_search_leaves_the_session_settings_as_they_were(session, monkeypatch):
    monkeypatch.setattr(search_module, "COMMON_MATCHES", 1)
    page = search_page(session, parse({"q": ["สะพาน"]}))
    assert page.hits
    assert page.total
    if session.get_bind().dialect.name == "postgresql":
        assert session.execute(sa.text("SHOW enable_seqscan")).scalar_one() == "on"
        assert session.execute(sa.text("SHOW statement_timeout")).scalar_one() in {"0", "0ms"}
