"""The directories of buying entities and of approved supplier companies hold a country's tens
of thousands a page at a time: by name, found by a part of either name or the identifier; and
the filters list buying entities and departments only while they are few, a box for the
identifier past that."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

import core.auth.onboarding_views
import core.auth.queries
import procurement.public.views
from core.auth import jobs
from core.auth.models import (
    Organisation,
    OrganisationCount,
    OrganisationKind,
    OrganisationStatus,
)
from core.scheduler import JobContext
from core.scheduler import registry as job_registry


@pytest.fixture
def agencies(session, clock):
    for n in range(7):
        session.add(
            Organisation(
                slug=f"agency-{n}",
                name=f"Agency {n} of Roads",
                name_th=f"สำนักงานทางหลวง {n}",
                kind=OrganisationKind.BUYING_ENTITY,
                created_at=clock(),
            )
        )
    session.add(
        Organisation(
            slug="agency-hidden",
            name="Agency 9 never approved",
            kind=OrganisationKind.BUYING_ENTITY,
            status=OrganisationStatus.PENDING,
            created_at=clock(),
        )
    )
    session.commit()


def names(page: str) -> list[str]:
    return re.findall(r'href="/buyers/agency-[^"]+">([^<]+)</a>', page)


@pytest.mark.usefixtures("agencies")
def test_the_directory_goes_a_page_at_a_time_by_name(client, monkeypatch):
    monkeypatch.setattr(procurement.public.views, "BUYERS_PAGE", 3)
    first = client.get("/buyers").text
    assert "7 buying entities, by name." in first
    assert names(first) == ["Agency 0 of Roads", "Agency 1 of Roads", "Agency 2 of Roads"]
    assert 'rel="next" href="/buyers?page=2"' in first
    assert 'rel="prev"' not in first
    last = client.get("/buyers?page=3").text
    assert names(last) == ["Agency 6 of Roads"]
    assert 'rel="prev" href="/buyers?page=2"' in last
    assert 'rel="next"' not in last
    assert names(client.get("/buyers?page=4").text) == []
    assert "never approved" not in client.get("/buyers?page=1&name=agency").text


@pytest.mark.usefixtures("agencies")
@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("of roads", 7),  # any case
        ("agency-4", 1),  # the identifier
        ("ทางหลวง 5", 1),  # the Thai name
        ("agency%roads", 0),  # a LIKE wildcard is a character
        ("_", 0),
    ],
)
def test_a_part_of_a_name_finds_them(client, monkeypatch, name, found):
    monkeypatch.setattr(procurement.public.views, "BUYERS_PAGE", 3)
    page = client.get("/buyers", params={"name": name}).text
    assert len(names(page)) == min(found, 3)
    if found > 3:
        assert f'href="/buyers?name={name.replace(" ", "+")}&amp;page=2"' in page


@pytest.mark.usefixtures("agencies")
def test_the_filters_list_few_organisations_and_ask_for_an_identifier_past_that(
    client, session, monkeypatch
):
    assert '<select id="buyer" name="buyer">' in client.get("/tenders").text
    monkeypatch.setattr(core.auth.queries, "CHOICES_AT_MOST", 2)
    page = client.get("/tenders", params={"buyer": "agency-3"}).text
    assert '<select id="buyer"' not in page
    assert '<input id="buyer" name="buyer" value="agency-3"' in page
    assert 'href="/buyers"' in page
    search = client.get("/search", params={"buyer": "agency-3"}).text
    assert '<input id="f-buyer" name="buyer" value="agency-3"' in search
    assert '<select id="f-buyer"' not in search
    permits = client.get("/permits").text  # the departments: as many as the test made
    assert ('<select name="department">' in permits) == (
        len(core.auth.queries.list_organisations(session, kind=OrganisationKind.DEPARTMENT)) <= 2
    )


def test_a_name_too_long_or_a_page_too_far_is_refused_plainly(client):
    assert client.get("/buyers", params={"name": "x" * 101}).status_code == 422
    assert client.get("/buyers?page=100001").status_code == 422
    assert client.get("/buyers?page=0").status_code == 422


@pytest.mark.usefixtures("agencies")
def test_the_api_pages_the_directory_with_a_count_and_a_next_link(client):
    first = client.get("/api/procurement/buyers", params={"name": "of roads", "per_page": 4})
    assert [b["slug"] for b in first.json()] == [f"agency-{n}" for n in range(4)]
    assert first.headers["x-total-count"] == "7"
    following = first.headers["link"].split(">")[0].lstrip("<")
    assert following.endswith("page=2")
    second = client.get(following)
    assert [b["slug"] for b in second.json()] == [f"agency-{n}" for n in range(4, 7)]
    assert "link" not in second.headers
    assert client.get("/api/procurement/buyers?per_page=1001").status_code == 422


@pytest.fixture
def companies(session, clock):
    for n, status in enumerate(
        [OrganisationStatus.ACTIVE] * 5
        + [
            OrganisationStatus.PENDING,
            OrganisationStatus.REJECTED,
            OrganisationStatus.DEACTIVATED,
        ]
    ):
        session.add(
            Organisation(
                slug=f"company-{n}",
                name=f"Company {n} Co., Ltd.",
                name_th=f"บริษัท {n} จำกัด",
                kind=OrganisationKind.SUPPLIER,
                status=status,
                registration_id=f"010555{n:07d}",
                created_at=clock(),
            )
        )
    session.commit()


@pytest.mark.usefixtures("companies")
def test_the_supplier_register_goes_a_page_at_a_time_and_holds_only_approved_companies(
    client, monkeypatch
):
    monkeypatch.setattr(core.auth.onboarding_views, "REGISTER_PAGE", 2)
    first = client.get("/supplier-register", params={"name": "company"}).text
    assert "5 approved companies" in first
    assert re.findall(r"Company \d", first) == ["Company 0", "Company 1"]
    assert 'rel="next" href="/supplier-register?name=company&amp;page=2"' in first
    last = client.get("/supplier-register", params={"name": "company", "page": 3}).text
    assert re.findall(r"Company \d", last) == ["Company 4"]
    assert 'rel="next"' not in last
    found = client.get("/supplier-register", params={"name": "บริษัท 3"}).text
    assert re.findall(r"Company \d", found) == ["Company 3"]
    api = client.get("/api/supplier-register", params={"name": "company", "per_page": 3})
    assert [c["slug"] for c in api.json()] == ["company-0", "company-1", "company-2"]
    assert api.headers["x-total-count"] == "5"
    assert "page=2" in api.headers["link"]
    for hidden in ("company-5", "company-6", "company-7"):
        assert hidden not in client.get("/api/supplier-register", params={"name": hidden}).text


@pytest.mark.usefixtures("agencies", "companies")
def test_the_home_page_and_the_supplier_directory_count_from_the_kept_counts(
    client, session, connection, settings, clock
):
    """Counted live until the counting job first runs; then from its rows, a minute behind
    at most; a pending or rejected company never counts."""
    live = client.get("/").text
    assert re.search(r'<span class="n">7</span> <a href="/buyers">', live)
    assert re.search(r'<span class="n">6</span> <a href="/suppliers">', live)  # active + off
    job = job_registry.get(jobs.COUNT_JOB)
    job(JobContext(engine=connection, settings=settings, clock=clock))
    kept = {(r.kind, r.status): r.n for r in session.exec(select(OrganisationCount))}
    assert kept[("supplier", "pending")] == 1
    assert kept[("buying_entity", "active")] == 7
    session.add(
        Organisation(
            slug="agency-late",
            name="Agency 8 of Roads",
            kind=OrganisationKind.BUYING_ENTITY,
            created_at=clock(),
        )
    )
    session.commit()
    assert re.search(r'<span class="n">7</span> <a href="/buyers">', client.get("/").text)
    job(JobContext(engine=connection, settings=settings, clock=clock))
    assert re.search(r'<span class="n">8</span> <a href="/buyers">', client.get("/").text)
    listing = client.get("/suppliers?format=json").json()
    assert listing["suppliers"] == 6
