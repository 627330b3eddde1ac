"""Hostile input anywhere in the app: a 4xx a person can act on, never a 5xx."""

import types
import typing

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from core.types import MAX_BIGINT, bigint_or_none
from tests.procurement import factories as f

BIG = 2**63


def routes(app):
    """Every API route of the app, through the routers it includes."""

    def walk(items):
        for route in items:
            if isinstance(route, APIRoute):
                yield route
            elif hasattr(route, "original_router"):
                yield from walk(route.original_router.routes)

    return list(walk(app.routes))


def parameters(dependant):
    found = [*dependant.path_params, *dependant.query_params, *dependant.header_params]
    for sub in dependant.dependencies:
        found += parameters(sub)
    return found


def _is_int(annotation) -> bool:
    if annotation is int:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_int(typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_int(a) for a in typing.get_args(annotation))
    return False


def _bounds(param) -> tuple[int | None, int | None]:
    low = high = None
    metadata = list(param.field_info.metadata)
    annotation = param.field_info.annotation
    while annotation is not None:
        if typing.get_origin(annotation) is typing.Annotated:
            metadata += typing.get_args(annotation)[1:]
            annotation = typing.get_args(annotation)[0]
        elif isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is (
            typing.Union
        ):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            break
    for item in metadata:
        for name in ("ge", "gt"):
            if getattr(item, name, None) is not None:
                low = getattr(item, name)
        for name in ("le", "lt"):
            if getattr(item, name, None) is not None:
                high = getattr(item, name)
    return low, high


def test_every_integer_parameter_of_every_route_is_bounded_within_bigint(app):
    unbounded = []
    for route in routes(app):
        for param in parameters(route.dependant):
            if not _is_int(param.field_info.annotation):
                continue
            low, high = _bounds(param)
            if low is None or high is None or low < -MAX_BIGINT or high > MAX_BIGINT:
                unbounded.append(f"{sorted(route.methods)} {route.path} {param.name}")
    assert unbounded == [], "use core.types (Id, Index, Page, BigInt) for these parameters"


@pytest.fixture
def raw_client(app):
    """A client that answers as a browser would see it: a server error is a 500, not raised."""
    with TestClient(
        app, base_url="https://testserver", follow_redirects=False, raise_server_exceptions=False
    ) as client:
        yield client


@pytest.mark.parametrize(
    "url",
    [
        f"/api/tenders/{BIG}",
        f"/tenders/{BIG}",
        f"/api/tenders/{2**31}",  # past PostgreSQL's INTEGER ids, within 64 bits
        f"/tenders/{2**31}",
        f"/api/ocds/releases?since={2**31}",
        f"/api/tenders?after_id={2**31}",
        f"/api/tenders?after_id={BIG}",
        "/api/tenders?after_id=1e20",
        f"/tenders?after_id={BIG}",
        f"/api/permits?page={BIG}",
        "/api/permits?page=1000000000000000000",
        f"/permits?page={BIG}",
        "/api/permits?since=2026-01-01T00:00:00",
        f"/api/ocds/releases?since={BIG}",
        f"/api/ledger/checkpoints?after={BIG}",
        f"/api/ledger/entries?start={BIG}",
        f"/suppliers/{BIG}/feed.atom",
        f"/transparency/log/{BIG}",
        f"/transparency/log?before={BIG}",
        f"/tenders/1/documents/{BIG}",
        "/api/tenders/changes?cursor=2026-01-01T00:00:00_5",
        f"/api/tenders/changes?cursor=2026-01-01T00:00:00%2B00:00_{BIG}",
        f"/api/permits/BLD-2026-000001-K/stream?after={BIG}",
    ],
)
def test_an_integer_past_64_bits_or_a_time_without_zone_is_a_4xx_never_a_500(raw_client, url):
    response = raw_client.get(url)
    # The API answers 422 naming the parameter; a page whose address holds no such record is,
    # for the person reading it, a page that is not there (404).
    page_address = not url.startswith("/api/") and "?" not in url
    expected = 404 if page_address else 422
    assert response.status_code == expected, (url, response.status_code, response.text[:300])


def test_text_with_nul_is_refused_naming_the_field_and_stores_nothing(raw_client, session, clock):
    _, buyer_h = f.buyer(raw_client, session, clock())
    body = {**f.draft_body(clock()), "title": "Road\x00works"}
    response = raw_client.post("/api/tenders", json=body, headers=buyer_h)
    assert response.status_code == 422
    assert "Title: Text may not contain NUL" in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "title"
    nested = {**f.draft_body(clock())}
    nested["items"] = [{"description": "Asphalt\x00", "quantity": "1", "unit": "m2"}]
    response = raw_client.post("/api/tenders", json=nested, headers=buyer_h)
    assert response.status_code == 422
    assert "Items, row 1: Description: Text may not contain NUL" in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "items.0.description"
    assert raw_client.get("/api/tenders").json() == []


def test_a_last_event_id_that_is_no_bigint_is_ignored():
    assert bigint_or_none("42") == 42
    assert bigint_or_none(str(MAX_BIGINT)) == MAX_BIGINT
    for hostile in (str(BIG), "9" * 400, "²", "١٢", "-1", "", "1e3"):
        assert bigint_or_none(hostile) is None


def test_nul_in_a_query_string_is_a_422_on_both_databases(raw_client):
    response = raw_client.get("/api/tenders?buyer=a%00b")
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]


def test_the_sqlite_database_file_is_created_readable_by_its_owner_only(tmp_path):
    from core.db import make_engine

    path = tmp_path / "data" / "prongsai.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.commit()
    engine.dispose()
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_json_body_over_the_limit_is_a_413_naming_it_before_it_is_read(
    raw_client, session, clock
):
    _, buyer_h = f.buyer(raw_client, session, clock())
    body = {**f.draft_body(clock()), "description": "x" * 1_100_000}
    response = raw_client.post("/api/tenders", json=body, headers=buyer_h)
    assert response.status_code == 413
    assert "at most 1,000,000 bytes" in response.json()["detail"]
    assert raw_client.get("/api/tenders").json() == []


def test_a_streamed_body_without_length_is_counted_and_cut_at_the_limit(raw_client, session, clock):
    _, buyer_h = f.buyer(raw_client, session, clock())
    sent = []

    def chunks():
        for _ in range(40):  # 40 × 64 KiB: past 1 MB, with no Content-Length
            sent.append(1)
            yield b" " * 65536

    response = raw_client.post(
        "/api/tenders",
        content=chunks(),
        headers={**buyer_h, "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "at most 1,000,000 bytes" in response.json()["detail"]


def test_an_oversized_anonymous_form_post_is_refused_with_a_page_before_it_is_read(raw_client):
    files = {"documents": ("big.pdf", b"%PDF-" + b"0" * 3_000_000, "application/pdf")}
    response = raw_client.post("/signin", files=files, data={"email": "a@b.c"})
    assert response.status_code == 413
    assert "text/html" in response.headers["content-type"]
    assert "at most 1,000,000 bytes" in response.text


def test_routes_that_take_documents_have_limits_sized_to_them(app):
    from core.web import BodyLimitMiddleware

    settings = app.state.settings
    middleware = next(m for m in app.user_middleware if m.cls is BodyLimitMiddleware)
    limiter = BodyLimitMiddleware(None, **middleware.kwargs)
    document = settings.procurement_max_document_bytes
    assert limiter.limit_for("POST", "/api/tenders") == settings.request_max_bytes
    assert limiter.limit_for("POST", "/api/tenders/7/documents") > document
    assert limiter.limit_for("POST", "/api/tenders/7/bids") > 10 * document * 4 // 3
    assert limiter.limit_for("POST", "/permits/apply/BLD") > settings.permits_upload_max_bytes
    assert limiter.limit_for("GET", "/api/tenders/7/bids") == settings.request_max_bytes
