"""Search over the public records: Thai text, facets, keyset pages, downloads, bad input."""

from __future__ import annotations

import csv
import io
import json
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from core.scheduler import JobContext
from core.scheduler import registry as job_registry
from procurement.public.public_index import PublicRecord
from public_site.search import index as search_index
from public_site.search import query as search_module
from public_site.search.models import SearchDocument
from public_site.search.parsing import parse
from public_site.search.query import search_page
from tests.conftest import START
from tests.permits import factories as permit_factories
from tests.procurement import factories as procurement_factories

THAI_TITLE = "การก่อสร้างถนนคอนกรีตเสริมเหล็กซอยสุขุมวิทหนึ่งร้อยหนึ่ง"  # no spaces, like Thai
SECRETS = (
    permit_factories.SECRET_NAME,
    permit_factories.SECRET_PHONE,
    permit_factories.SECRET_EMAIL,
    permit_factories.SECRET_ADDRESS,
)


def refresh(session: Session, clock) -> None:
    search_index.refresh(session, now=clock())


def api(client, **params):
    response = client.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def urls(client, **params) -> list[str]:
    return [
        r["url"].removeprefix("http://127.0.0.1:8000") for r in api(client, **params)["results"]
    ]


def paths(results) -> list[str]:
    return [r["url"].split("://", 1)[-1].split("/", 1)[-1] for r in results]


def record(kind: str, key: str, title: str, **fields) -> PublicRecord:
    fields.setdefault("body", "")
    fields.setdefault("url", f"/{kind}s/{key}")
    fields.setdefault("sort_at", START)
    return PublicRecord(kind=kind, key=key, title=title, **fields)


@pytest.fixture
def buyer(client, session, clock):
    return procurement_factories.buyer(client, session, clock())


# --- Thai, freshness, the scheduled job ---------------------------------------------------


def test_a_thai_word_inside_an_unspaced_title_finds_the_tender(client, session, clock, buyer):
    _, headers = buyer
    tender = procurement_factories.published_tender(
        client,
        session,
        clock,
        headers,
        title=THAI_TITLE,
        description="งานปรับปรุงผิวจราจรและระบบระบายน้ำ",
    )
    refresh(session, clock)

    found = api(client, q="ถนน")  # "road": a word in the middle of the sentence
    assert [r["title"] for r in found["results"]] == [THAI_TITLE]
    assert found["results"][0]["url"].endswith(f"/tenders/{tender['id']}")
    assert api(client, q="ระบายน้ำ")["results"][0]["title"] == THAI_TITLE  # in the description
    assert api(client, q="สะพาน")["results"] == []  # "bridge": not in it

    page = client.get("/search", params={"q": "คอนกรีต"})
    assert page.status_code == 200
    assert THAI_TITLE in page.text
    assert f'href="/tenders/{tender["id"]}"' in page.text


def test_a_tender_published_through_the_service_is_found_after_one_job_run(
    client, session, clock, buyer, settings, connection
):
    _, headers = buyer
    tender = procurement_factories.published_tender(
        client,
        session,
        clock,
        headers,
        title="Supply of hospital oxygen concentrators",
    )
    assert api(client, q="concentrators")["results"] == []  # not yet indexed

    job = job_registry.get(search_index.REFRESH_JOB)
    context = JobContext(engine=connection, settings=settings, clock=clock)
    job(context)
    first = api(client, q="concentrators")["results"]
    assert [(r["kind"], r["status"]) for r in first] == [("tender", "active")]

    clock.advance(seconds=search_index.EVERY_SECONDS)
    cancelled = client.post(
        f"/api/tenders/{tender['id']}/cancel",
        json={"reason": "Budget withdrawn by the council."},
        headers=headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    job(context)
    assert api(client, q="concentrators")["results"][0]["status"] == "cancelled"

    clock.advance(minutes=10)  # long after the cursor's safety lag: still found, once
    job(context)
    assert len(api(client, q="concentrators")["results"]) == 1


def test_the_refresh_job_is_scheduled_every_few_seconds():
    assert search_index.REFRESH_JOB in job_registry
    assert search_index.EVERY_SECONDS <= 10


def test_a_permit_application_is_found_by_number_and_type_and_its_stage_changes_follow(
    client, session, clock, settings
):
    permit_factories.departments(session, now=clock())
    application = permit_factories.food_application(session, now=clock(), settings=settings)
    refresh(session, clock)

    found = api(client, q=application.tracking_number)["results"]
    assert [(r["kind"], r["status"], r["category"]) for r in found] == [
        ("permit", "in_progress", "FOD")
    ]
    assert found[0]["url"].endswith(f"/permits/{application.tracking_number}")
    assert api(client, q="Khao Man Gai", kind="permit")["results"]  # a public field

    from permits import overdue as permits_overdue

    clock.advance(days=30)  # past every due date: the overdue job marks the stage
    permits_overdue.mark_overdue(session, now=clock(), settings=settings)
    refresh(session, clock)
    overdue = api(client, q=application.tracking_number, overdue="true")["results"]
    assert [r["overdue"] for r in overdue] == [True]


# --- personal data ------------------------------------------------------------------------


def test_applicant_personal_data_is_never_indexed_or_returned(client, session, clock, settings):
    permit_factories.departments(session, now=clock())
    application = permit_factories.food_application(session, now=clock(), settings=settings)
    refresh(session, clock)

    for secret in SECRETS:
        assert api(client, q=secret)["results"] == [], secret
    indexed = session.execute(
        select(SearchDocument.title, SearchDocument.body).where(
            SearchDocument.key == application.tracking_number
        )
    ).one()
    for secret in SECRETS:
        assert secret not in indexed.title
        assert secret not in indexed.body
    everything = (
        client.get("/search.csv", params={"kind": "permit"}).text
        + client.get("/search.json", params={"kind": "permit"}).text
        + client.get("/search", params={"q": application.tracking_number}).text
    )
    assert application.tracking_number in everything
    for secret in SECRETS:
        assert secret not in everything


def test_supplier_contact_details_are_never_indexed(client, session, clock):
    procurement_factories.supplier(client, session, clock())
    refresh(session, clock)

    found = api(client, kind="supplier")["results"]
    assert any(r["title"].startswith("Test supplier") for r in found)
    for private in ("private.example", "Rama IV", "Khun Somsak", "555 0199"):
        assert api(client, q=private)["results"] == [], private
    download = client.get("/search.json", params={"kind": "supplier"}).text
    assert "private.example" not in download
    assert "Rama IV" not in download


# --- facets and sorting -------------------------------------------------------------------


@pytest.fixture
def catalogue(session, clock):
    """A mix of public records with every facet set."""
    year = timedelta(days=365)
    records = [
        record(
            "tender",
            "1",
            "Road works alpha",
            status="active",
            buyer="bma",
            category="works",
            value=500_000_00,
            currency="THB",
            sort_at=START - 2 * year,
        ),
        record(
            "tender",
            "2",
            "Road works beta",
            status="cancelled",
            buyer="doh",
            category="works",
            value=90_000_00,
            currency="THB",
            sort_at=START - year,
        ),
        record(
            "award",
            "3",
            "Laptops for schools",
            status="final",
            buyer="bma",
            category="goods",
            value=1_200_000_00,
            currency="THB",
            sort_at=START,
        ),
        record(
            "contract",
            "4",
            "Laptops contract",
            status="signed",
            buyer="bma",
            category="goods",
            value=1_150_000_00,
            currency="THB",
            sort_at=START,
        ),
        record("buyer", "5", "Bangkok procurement office", buyer="bma", sort_at=START - year),
        record("supplier", "6", "Siam Roads Co", sort_at=START - year),
        record(
            "permit",
            "BLD-1",
            "Building permit road side",
            status="in_progress",
            department="works-dept",
            category="BLD",
            overdue=True,
            sort_at=START,
        ),
        record(
            "permit",
            "FOD-2",
            "Food licence",
            status="approved",
            department="health",
            category="FOD",
            sort_at=START - year,
        ),
    ]
    search_index.upsert(session, records, now=clock())
    session.commit()
    return records


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "permit"}, {"BLD-1", "FOD-2"}),
        ({"status": "cancelled"}, {"2"}),
        ({"buyer": "bma"}, {"1", "3", "4", "5"}),
        ({"department": "health"}, {"FOD-2"}),
        ({"category": "goods"}, {"3", "4"}),
        ({"year": str(START.year - 1)}, {"2", "5", "6", "FOD-2"}),
        ({"value_min": "1000000"}, {"3", "4"}),
        ({"value_max": "100000"}, {"2"}),
        ({"value_min": "100000", "value_max": "1190000"}, {"1", "4"}),
        ({"overdue": "true"}, {"BLD-1"}),
        ({"date_from": START.date().isoformat()}, {"3", "4", "BLD-1"}),
        ({"date_to": (START - timedelta(days=400)).date().isoformat()}, {"1"}),
        ({"q": "road"}, {"1", "2", "6", "BLD-1"}),
        ({"q": "road", "buyer": "bma"}, {"1"}),
        ({"q": "laptops", "kind": "award"}, {"3"}),
    ],
)
@pytest.mark.usefixtures("catalogue")
def test_each_facet_filters_the_results(client, params, expected):
    results = api(client, **params)["results"]
    assert {r["url"].rsplit("/", 1)[-1] for r in results} == expected


@pytest.mark.usefixtures("catalogue")
def test_sorting_by_value_and_by_date(client):
    by_value = [r["title"] for r in api(client, sort="value", kind="tender")["results"]]
    assert by_value == ["Road works alpha", "Road works beta"]
    contracts_first = [r["value"] for r in api(client, sort="value")["results"]][:3]
    assert contracts_first == ["1200000.00", "1150000.00", "500000.00"]
    newest = [r["date"][:4] for r in api(client, sort="newest")["results"]]
    assert newest == sorted(newest, reverse=True)


def test_relevance_puts_title_matches_first(client, session, clock):
    search_index.upsert(
        session,
        [
            record("tender", "10", "Drainage pipes", body="near the road", sort_at=START),
            record(
                "tender", "11", "Road lighting", body="lamps", sort_at=START - timedelta(days=9)
            ),
        ],
        now=clock(),
    )
    assert [r["title"] for r in api(client, q="road")["results"]] == [
        "Road lighting",
        "Drainage pipes",
    ]


@pytest.mark.usefixtures("catalogue")
def test_facet_counts_by_kind_link_to_the_filtered_search(client):
    body = api(client, q="road")
    assert body["facets"]["kind"] == {"tender": 2, "supplier": 1, "permit": 1}
    assert body["total"] == 4
    assert body["total_is_lower_bound"] is False
    page = client.get("/search", params={"q": "road"})
    assert "Tenders (2)" in page.text
    assert 'href="/search?q=road&amp;kind=tender"' in page.text


# --- keyset pages -------------------------------------------------------------------------


@pytest.mark.parametrize("common", [False, True], ids=["rare-word", "common-word"])
@pytest.mark.parametrize("sort", ["newest", "value", "relevance"])
def test_keyset_pages_have_no_duplicates_and_no_gaps(
    client, session, clock, monkeypatch, sort, common
):
    if common:  # take the path of a word found in very many records
        monkeypatch.setattr(search_module, "COMMON_MATCHES", 3)
    records = [
        record(
            "tender",
            str(n),
            f"{'Bridge' if n % 3 else 'Tunnel'} repair {n}",
            body="bridge works",
            value=(n % 7) * 1000,
            currency="THB",
            sort_at=START - timedelta(hours=n % 5),
        )  # many ties: the id breaks them
        for n in range(57)
    ]
    records.append(record("tender", "99", "Unrelated", body="nothing here", sort_at=START))
    search_index.upsert(session, records, now=clock())
    seen: list[str] = []
    params = {"q": "bridge", "sort": sort, "per_page": "10"}
    pages = 0
    while True:
        body = api(client, **params)
        seen += [r["url"] for r in body["results"]]
        pages += 1
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert pages == 6
    assert len(seen) == len(set(seen)) == 57
    if sort == "relevance":  # every record with the word in its title comes first
        titled = [u for u in seen if int(u.rsplit("/", 1)[-1]) % 3]
        assert seen[: len(titled)] == titled

    html = client.get("/search", params={"q": "bridge", "sort": sort, "per_page": "10"})
    assert 'rel="next"' in html.text
    assert "cursor=" in html.text


def test_the_html_pages_follow_the_next_link(client, catalogue):
    first = client.get("/search", params={"per_page": "5"})
    assert first.status_code == 200
    start = first.text.index('rel="next"')
    href = first.text[first.text.rindex('href="', 0, start) + 6 : start - 2].replace("&amp;", "&")
    second = client.get(href)
    assert second.status_code == 200
    assert "First page" in second.text
    titles_1 = {r.title for r in catalogue if r.title in first.text}
    titles_2 = {r.title for r in catalogue if r.title in second.text}
    assert titles_1.isdisjoint(titles_2)
    assert titles_1 | titles_2 == {r.title for r in catalogue}


# --- downloads ----------------------------------------------------------------------------


@pytest.mark.usefixtures("catalogue")
def test_csv_and_json_downloads_apply_the_same_filters(client):
    params = {"q": "road", "kind": "tender"}
    expected = {r["url"] for r in api(client, **params)["results"]}

    as_csv = client.get("/search.csv", params=params)
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {r["url"] for r in rows} == expected
    assert {r["kind"] for r in rows} == {"tender"}
    assert rows[0]["value"] in {"500000.00", "90000.00"}

    as_json = client.get("/search.json", params=params)
    assert as_json.headers["content-type"].startswith("application/json")
    body = json.loads(as_json.text)
    assert {r["url"] for r in body["results"]} == expected
    assert body["filters"] == params

    via_format = client.get("/search", params={**params, "format": "csv"})
    assert via_format.text == as_csv.text

    page = client.get("/search", params=params)
    assert 'href="/search.csv?q=road&amp;kind=tender"' in page.text


def test_a_download_holds_every_result_not_one_page(client, session, clock):
    search_index.upsert(
        session,
        [record("permit", f"P-{n}", f"Permit {n}", sort_at=START) for n in range(1203)],
        now=clock(),
    )
    rows = list(csv.DictReader(io.StringIO(client.get("/search.csv").text)))
    assert len(rows) == len({r["url"] for r in rows}) == 1203


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "20x6"}, "year"),
        ({"date_from": "2026-13-45"}, "date_from"),
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_from"),
        ({"per_page": "-5"}, "per_page"),
        ({"per_page": "100000"}, "per_page"),
        ({"colour": "red"}, "colour"),
        ({"kind": "spaceship"}, "kind"),
        ({"sort": "random"}, "sort"),
        ({"cursor": "not-a-cursor!"}, "cursor"),
        ({"value_min": "-1"}, "value_min"),
        ({"value_max": "lots"}, "value_max"),
        ({"value_min": "10", "value_max": "5"}, "value_min"),
        ({"overdue": "maybe"}, "overdue"),
        ({"buyer": "<script>"}, "buyer"),
    ],
)
def test_malformed_filters_answer_400_naming_the_field(client, params, field):
    response = client.get("/api/search", params={"q": "road", **params})
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["detail"].startswith(f"{field}:")

    page = client.get("/search", params={"q": "road", **params})
    assert page.status_code == 400
    # GOV.UK's pattern: a summary at the top naming the field by its label, and the field
    # itself marked invalid with its message beside it; what was typed is kept.
    summary = page.text.split('class="error-summary"')[1].split("</div>")[0]
    assert "There is a problem" in summary
    if field != "colour":  # an unknown parameter has no label but its name
        assert f"{field}:" not in summary  # the label, never the code
    assert 'id="search-q"' in page.text
    assert 'value="road"' in page.text
    if field in {"year", "value_min", "date_from", "kind", "sort"}:
        assert f'aria-invalid="true" aria-describedby="error-{field}"' in page.text
        assert f'id="error-{field}"' in page.text
    if field == "year":
        assert "Year:" in summary
        assert '<a href="#f-year">' in summary
        assert 'value="20x6"' in page.text  # kept

    assert client.get("/search.csv", params={"q": "road", **params}).status_code == 400


@pytest.mark.usefixtures("catalogue")
def test_a_cursor_of_another_sort_is_refused(client):
    cursor = api(client, sort="value", per_page="2")["next_cursor"]
    response = client.get("/api/search", params={"sort": "newest", "cursor": cursor})
    assert response.status_code == 400
    assert response.json()["field"] == "cursor"


@pytest.mark.parametrize(
    "q",
    [
        '"unbalanced quote',
        'road" OR "x',
        "road AND NOT works",
        "NEAR(road works, 2)",
        "title:road",
        "road*",
        "^road -works +x",
        "(((",
        "100% _under_ back\\slash",
        "'; DROP TABLE public_search_document; --",
        "🏗️🚧 ถนน 🛣️",
        "\x00nul\x07bell",
        "a",
        "x" * 10_000,
        "ถนน " * 1_500,  # 6,000 characters, 54 kB once percent-encoded
    ],
)
@pytest.mark.usefixtures("catalogue")
def test_hostile_queries_never_fail(client, q):
    assert client.get("/api/search", params={"q": q}).status_code == 200
    assert client.get("/search", params={"q": q}).status_code == 200
    assert client.get("/search.csv", params={"q": q}).status_code == 200


@pytest.mark.usefixtures("catalogue")
def test_like_wildcards_in_a_query_are_plain_characters(client):
    assert api(client, q="%%")["results"] == []
    assert api(client, q="__")["results"] == []
    assert api(client, q="s w")["results"] == []  # one-letter words find nothing
    assert "at least two characters" in client.get("/search", params={"q": "s w"}).text


@pytest.mark.usefixtures("catalogue")
def test_a_long_query_is_cut_at_200_characters_and_says_so(client):
    body = api(client, q="road " * 100)
    assert body["query_truncated"] is True
    assert len(body["query"]) <= 200
    page = client.get("/search", params={"q": "road " * 100})
    assert "only its first 200 were used" in page.text


# --- the page itself ----------------------------------------------------------------------


def test_every_page_has_a_search_box_in_its_header(client):
    home = client.get("/")
    assert 'role="search"' in home.text
    assert 'action="/search"' in home.text
    assert '<label for="site-search-q"' in home.text


@pytest.mark.usefixtures("catalogue")
def test_the_search_page_links_its_json_twin(client):
    page = client.get("/search", params={"q": "road"})
    assert '<link rel="alternate" type="application/json" href="/api/search?q=road">' in page.text


def test_the_demo_is_searchable_as_soon_as_it_is_loaded(demo_deployment):
    from core.db import make_engine

    url, _ = demo_deployment
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            page = search_page(session, parse({"q": ["Highways"]}))
            assert "buyer" in {h.kind for h in page.hits}
            permits = search_page(session, parse({"kind": ["permit"]}))
            assert permits.total >= 100
            tenders = search_page(session, parse({"kind": ["tender"]}))
            assert tenders.hits
    finally:
        engine.dispose()


@pytest.mark.usefixtures("catalogue")
def test_a_search_past_its_time_budget_still_answers(client, monkeypatch):
    """Counting stops at its budget (the page says "Results"); a slow walk falls back."""

    @contextmanager
    def always_too_slow(_session, _milliseconds, **_options):
        raise search_module.QueryTooSlow
        yield

    monkeypatch.setattr(search_module, "COMMON_MATCHES", 1)  # walk the sort order
    monkeypatch.setattr(search_module, "_time_budget", always_too_slow)
    body = api(client, q="road")
    assert {r["url"].rsplit("/", 1)[-1] for r in body["results"]} == {"1", "2", "6", "BLD-1"}
    assert body["total"] is None
    assert body["facets"] == {}
    page = client.get("/search", params={"q": "road"})
    assert page.status_code == 200
    assert "Road works alpha" in page.text
    assert '<h2 id="results-heading">' in page.text
    assert "Results" in page.text


def test_a_walk_given_up_inside_its_budget_leaves_no_budget_behind(session):
    """A bounded walk that finds too few rows gives up (NotFilled) inside its budget: the
    fallback after it must run without the budget (it answered a 500 on PostgreSQL)."""
    with pytest.raises(search_module.NotFilled), search_module._time_budget(session, 20):
        raise search_module.NotFilled
    if session.get_bind().dialect.name == "postgresql":
        assert session.execute(text("SHOW statement_timeout")).scalar_one() in {"0", "0ms"}
        assert session.execute(text("SELECT count(*) FROM pg_sleep(0.05)")).scalar_one() == 1


def test_the_time_budget_stops_a_long_statement_and_the_session_goes_on(session):
    endless = text(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) "
        "SELECT count(*) FROM c"
    )
    with pytest.raises(search_module.QueryTooSlow), search_module._time_budget(session, 20):
        session.execute(endless).scalar_one()
    assert session.execute(text("SELECT 1")).scalar_one() == 1
    if session.get_bind().dialect.name == "postgresql":
        assert session.execute(text("SHOW statement_timeout")).scalar_one() in {"0", "0ms"}
