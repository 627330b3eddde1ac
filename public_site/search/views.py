"""The search page, its JSON twin and its downloads: one search, the same filters everywhere."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlmodel import Session

from core import spreadsheet
from core.auth.dependencies import OptionalUser
from core.db import SessionDep
from core.i18n import gettext
from core.templating import render
from public_site.search import index  # noqa: F401 -- registers the index's refresh job
from public_site.search.parsing import KINDS, SORTS, parse
from public_site.search.query import filter_options, iterate, major_units, search_page
from public_site.search.schemas import FILTERS, SearchError, SearchHit, SearchParams

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["search"])

CSV_COLUMNS = [
    "kind",
    "title",
    "url",
    "status",
    "buyer",
    "buyer_name",
    "department",
    "department_name",
    "category",
    "year",
    "value",
    "currency",
    "overdue",
    "date",
]


def _params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    return params


def _url(path: str, search: SearchParams, **extra: str | None) -> str:
    pairs = search.filters() + [(k, v) for k, v in extra.items() if v is not None]
    return path + (f"?{urlencode(pairs)}" if pairs else "")


def _absolute(request: Request, url: str) -> str:
    return str(request.app.state.settings.public_base_url).rstrip("/") + url


def _public(request: Request, hit: SearchHit) -> dict:
    return {
        "kind": hit.kind,
        "title": hit.title,
        "url": _absolute(request, hit.url),
        "status": hit.status,
        "buyer": hit.buyer,
        "buyer_name": hit.buyer_name,
        "department": hit.department,
        "department_name": hit.department_name,
        "category": hit.category,
        "year": hit.year,
        "value": major_units(hit.value) or None,
        "currency": hit.currency,
        "overdue": hit.overdue,
        "date": hit.date.isoformat(),
    }


def _search_page(request: Request, session: Session, user, context: dict, status_code: int = 200):
    # The form shows what the reader typed, even a wrong value, so that it can be corrected.
    values = {name: request.query_params.get(name, "")[:200] for name in FILTERS}
    return render(
        request,
        "public_site/search.html",
        {
            "user": user,
            "kinds": KINDS,
            "sorts": SORTS,
            "options": filter_options(session),
            "values": values,
            **context,
        },
        status_code=status_code,
    )


@router.get("/search")
def search_html(request: Request, session: SessionDep, user: OptionalUser):
    """The search page: one box, facets, sorting, keyset pages; the query is in the URL."""
    raw = _params(request)
    try:
        search = parse(raw)
    except SearchError as error:
        typed = (raw.get("q") or [""])[0][:200]
        return _search_page(
            request,
            session,
            user,
            {"error": error, "search": None, "typed": typed},
            status_code=400,
        )
    fmt = request.query_params.get("format")
    if fmt in {"csv", "json"}:
        return _download(request, search, fmt)
    if fmt is not None:
        return _search_page(
            request,
            session,
            user,
            {
                "error": SearchError(
                    "format", gettext("use csv or json (or leave it out for this page).")
                ),
                "search": None,
                "typed": search.q,
            },
            status_code=400,
        )
    page = search_page(session, search)
    kind_links = {k: _url("/search", replace(search, kind=k, cursor=None)) for k in KINDS}
    return _search_page(
        request,
        session,
        user,
        {
            "search": search,
            "kind_links": kind_links,
            "typed": search.q,
            "page": page,
            "next_url": _url(
                "/search",
                search,
                cursor=page.next_cursor,
                per_page=str(search.per_page) if search.per_page != 20 else None,
            )
            if page.next_cursor
            else None,
            "first_url": _url("/search", search) if search.cursor else None,
            "csv_url": _url("/search.csv", search),
            "json_url": _url("/search.json", search),
            "api_url": _url("/api/search", search),
        },
    )


@api_router.get("/search")
def search_api(request: Request, session: SessionDep):
    """Search every public record: the same filters as /search, a keyset page of results."""
    try:
        search = parse(_params(request))
    except SearchError as error:
        return JSONResponse({"detail": error.message, "field": error.field}, status_code=400)
    page = search_page(session, search)
    return {
        "query": search.q,
        "query_truncated": search.query_truncated,
        "filters": dict(search.filters()),
        "sort": search.effective_sort,
        "results": [{**_public(request, h), "snippet": h.snippet} for h in page.hits],
        "total": page.total,
        "total_is_lower_bound": page.total_is_lower_bound,
        "facets": page.facets,
        "next_cursor": page.next_cursor,
        "next": _url("/api/search", search, cursor=page.next_cursor, per_page=str(search.per_page))
        if page.next_cursor
        else None,
        "downloads": {"csv": _url("/search.csv", search), "json": _url("/search.json", search)},
    }


def _download(request: Request, search: SearchParams, fmt: str) -> Response:
    open_session = request.app.state.stream_session
    everything = search.with_cursor(None)

    def csv_lines() -> Iterator[str]:
        out = io.StringIO()
        writer = spreadsheet.dict_writer(out, CSV_COLUMNS)
        writer.writeheader()
        with open_session() as session:
            for hit in iterate(session, everything):
                writer.writerow(_public(request, hit))
                if out.tell() > 64_000:
                    yield out.getvalue()
                    out.seek(0)
                    out.truncate()
        yield out.getvalue()

    def json_lines() -> Iterator[str]:
        head = {"query": search.q, "filters": dict(search.filters()), "sort": search.effective_sort}
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "results": ['
        first = True
        with open_session() as session:
            for hit in iterate(session, everything):
                yield ("" if first else ",\n") + json.dumps(
                    _public(request, hit), ensure_ascii=False
                )
                first = False
        yield "]}\n"

    if fmt == "csv":
        return StreamingResponse(
            csv_lines(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="search.csv"'},
        )
    return StreamingResponse(
        json_lines(),
        media_type="application/json",
        headers={"content-disposition": 'attachment; filename="search.json"'},
    )


def _download_route(request: Request, fmt: str) -> Response:
    try:
        search = parse(_params(request))
    except SearchError as error:
        return JSONResponse({"detail": error.message, "field": error.field}, status_code=400)
    return _download(request, search, fmt)


@router.get("/search.csv")
def search_csv(request: Request):
    """Every result of a search as CSV, streamed (the same filters as /search)."""
    return _download_route(request, "csv")


@router.get("/search.json")
def search_json(request: Request):
    """Every result of a search as JSON, streamed (the same filters as /search)."""
    return _download_route(request, "json")
