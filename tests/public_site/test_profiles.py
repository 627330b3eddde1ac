"""Buyer and supplier profiles, read as a reporter checks them: counts, totals, downloads."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

import procurement.insights.queries
import public_site.profiles
from core.auth.models import Organisation, OrganisationKind, OrganisationStatus
from tests.public_site.procurement_world import DAY, World, cells

LAST_YEAR = datetime(2025, 3, 3, 3, 0, tzinfo=UTC)
THIS_YEAR = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def world(session, settings, clock):
    return World(session, settings, clock())


@pytest.fixture
def market(world, clock):
    """One buyer; Siam wins twice (2025, 2026) and loses once to Lanna; Andaman always loses."""
    buyer = world.buyer("Department of Roads")
    siam, lanna = world.supplier("Siam Works Co., Ltd."), world.supplier("Lanna Co., Ltd.")
    andaman = world.supplier("Andaman Co., Ltd.")
    first = world.tender(
        buyer, published=LAST_YEAR, bids=[(siam, 400_000), (andaman, 450_000)], contract=400_000
    )
    second = world.tender(
        buyer, published=THIS_YEAR, bids=[(siam, 700_000), (lanna, 650_000), (andaman, 800_000)]
    )
    third = world.tender(buyer, published=THIS_YEAR + 30 * DAY, bids=[(siam, 300_000)])
    pending = world.tender(
        buyer, published=THIS_YEAR + 60 * DAY, bids=[(siam, 200_000), (lanna, 210_000)], award=False
    )
    sealed = world.tender(buyer, published=clock() - 2 * DAY, bids=[])
    return {
        "buyer": buyer,
        "siam": siam,
        "lanna": lanna,
        "andaman": andaman,
        "ids": {
            "first": first,
            "second": second,
            "third": third,
            "pending": pending,
            "sealed": sealed,
        },
    }


def test_supplier_profile_has_win_rate_totals_by_year_and_rivals(client, market):
    siam = market["siam"].organisation_id
    page = client.get(f"/suppliers/{siam}")
    assert page.status_code == 200
    text = page.text
    assert "Siam Works Co., Ltd." in text
    # bids in awarded tenders: first (won), second (lost to Lanna), third (won, alone)
    data = client.get(f"/suppliers/{siam}?format=json").json()
    assert data["wins"] == 2
    assert data["decided_bids"] == 3
    assert data["win_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert "66.7 %" in text
    years = {r["year"]: r for r in data["tables"]["years"]}
    assert years["2025"]["bids"] == 1
    assert years["2025"]["wins"] == 1
    assert years["2025"]["awarded_value"] == "400000.00"
    assert years["2025"]["contracted_value"] == "400000.00"
    assert years["2026"]["bids"] == 3
    assert years["2026"]["wins"] == 1
    assert years["2026"]["awarded_value"] == "300000.00"
    rivals = {r["supplier"]: r for r in data["tables"]["competitors"]}
    assert rivals["Andaman Co., Ltd."]["tenders"] == 2
    assert rivals["Andaman Co., Ltd."]["own_wins"] == 1  # first: Siam beat Andaman
    assert rivals["Lanna Co., Ltd."]["tenders"] == 2
    assert rivals["Lanna Co., Ltd."]["wins"] == 1
    outcomes = {r["tender_id"]: r["outcome"] for r in data["tables"]["bids"]}
    ids = market["ids"]
    assert outcomes == {
        ids["first"]: "won",
        ids["second"]: "lost",
        ids["third"]: "won",
        ids["pending"]: "pending",
    }


def test_a_bid_still_sealed_is_not_on_any_profile(client, world, market, clock):
    siam = market["siam"]
    sealed = world.tender(
        market["buyer"], published=clock() - 2 * DAY, bids=[(siam, 123_456)], opened=False
    )
    data = client.get(f"/suppliers/{siam.organisation_id}?format=json").json()
    assert sealed not in {r["tender_id"] for r in data["tables"]["bids"]}
    assert "123456" not in client.get(f"/suppliers/{siam.organisation_id}").text


def test_supplier_csv_equals_the_pages_table(client, market):
    siam = market["siam"].organisation_id
    page = client.get(f"/suppliers/{siam}").text
    for table in ("bids", "years", "competitors", "awards", "contracts"):
        download = client.get(f"/suppliers/{siam}?format=csv&table={table}")
        assert download.status_code == 200
        assert f"supplier-{siam}-{table}.csv" in download.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(download.text)))[1:]
        shown = cells(page, table)
        assert rows == shown, table


def test_no_contact_details_on_profiles_or_downloads(client, market):
    siam = market["siam"].organisation_id
    slug = client.get(f"/suppliers/{siam}?format=json").json()["tables"]["bids"][0]
    assert slug  # the profile has content to leak from, if it leaked
    pages = [
        f"/suppliers/{siam}",
        f"/suppliers/{siam}?format=json",
        "/suppliers",
        "/suppliers?format=csv",
        f"/suppliers/{siam}?format=csv&table=competitors",
    ]
    for url in pages:
        text = client.get(url).text
        assert "@private.example" not in text, url
        assert "Secret Soi" not in text, url
        assert "Khun Private" not in text, url
        assert "+66 2 555" not in text, url


def test_buyer_profile_totals_by_year_and_competition(client, session, market):
    slug = session.get(Organisation, market["buyer"].organisation_id).slug
    page = client.get(f"/buyers/{slug}")
    assert page.status_code == 200
    data = client.get(f"/buyers/{slug}?format=json").json()
    years = {r["year"]: r for r in data["tables"]["years"]}
    assert years["2025"]["tenders"] == 1
    assert years["2025"]["awards"] == 1
    assert years["2025"]["contracted_value"] == "400000.00"
    assert years["2026"]["tenders"] == 4  # second, third, pending and the one still open
    assert years["2026"]["awards"] == 2
    assert years["2026"]["awarded_value"] == "950000.00"  # 650,000 + 300,000
    assert data["opened_tenders"] == 4
    assert data["average_bidders"] == 2.0  # (2 + 3 + 1 + 2) / 4
    assert data["single_bid_share"] == 0.25
    bidders = {r["supplier"]: r for r in data["tables"]["bidders"]}
    assert bidders["Siam Works Co., Ltd."]["tenders"] == 4
    assert bidders["Siam Works Co., Ltd."]["wins"] == 2
    assert len(data["tables"]["tenders"]) == 5
    assert "25.0 %" in page.text
    download = client.get(f"/buyers/{slug}?format=csv&table=tenders")
    rows = list(csv.reader(io.StringIO(download.text)))[1:]
    assert rows == cells(page.text, "tenders")
    # The reader sees amounts with their currency, Bangkok time and words, not codes.
    assert "฿1,000,000.00" in page.text
    assert "2026-11-24 10:00" in page.text
    assert ">2026-11-24 10:00<" in page.text
    assert "Open for bids" in page.text


@pytest.mark.usefixtures("session")
def test_unknown_profiles_are_404_and_the_buyer_directory_still_works(client, market):
    assert client.get("/buyers/no-such-buyer").status_code == 404
    assert client.get("/suppliers/999999").status_code == 404
    # a buying entity's id is not a supplier
    assert client.get(f"/suppliers/{market['buyer'].organisation_id}").status_code == 404
    assert client.get("/suppliers/abc").status_code == 404  # a page address, not a form field
    directory = client.get("/buyers")
    assert directory.status_code == 200
    listing = client.get("/suppliers?format=json").json()["tables"]["suppliers"]
    assert {"Siam Works Co., Ltd.", "Lanna Co., Ltd."} <= {r["supplier"] for r in listing}
    assert all(r["registration_id"] for r in listing if r["supplier"].endswith("Co., Ltd."))


@pytest.mark.usefixtures("market")
def test_the_supplier_directory_goes_a_page_at_a_time(client, monkeypatch):
    monkeypatch.setattr(public_site.profiles, "SUPPLIERS_PAGE", 2)
    first = client.get("/suppliers?format=json").json()
    second = client.get("/suppliers?page=2&format=json").json()
    assert (first["page"], second["page"], first["pages"]) == (1, 2, first["pages"])
    assert first["pages"] >= 2
    assert first["suppliers"] >= 3
    names = [r["supplier"] for r in first["tables"]["suppliers"]]
    assert names[0] == "Siam Works Co., Ltd."  # the largest awarded value first
    assert len(names) == 2
    assert not set(names) & {r["supplier"] for r in second["tables"]["suppliers"]}
    page = client.get("/suppliers?page=2").text
    assert 'rel="prev"' in page
    assert "page=1" in page
    assert client.get("/suppliers?page=0").status_code in (400, 422)


def test_a_profile_goes_a_page_at_a_time_and_its_downloads_hold_every_row(
    client, session, market, monkeypatch
):
    monkeypatch.setattr(procurement.insights.queries, "PROFILE_PAGE", 2)
    slug = session.get(Organisation, market["buyer"].organisation_id).slug
    siam = market["siam"].organisation_id
    for path, name, count in ((f"/buyers/{slug}", "tenders", 5), (f"/suppliers/{siam}", "bids", 4)):
        first = client.get(f"{path}?format=json").json()
        assert first["counts"][name] == count  # the whole record's, on every page
        assert (first["page"], first["pages"]) == (1, 3 if name == "tenders" else 2)
        pages = [client.get(f"{path}?page={n}&format=json").json() for n in (1, 2, 3)]
        rows = [r for page in pages for r in page["tables"][name]]
        assert len(rows) == count
        assert all(len(page["tables"][name]) <= 2 for page in pages)
        key = "tender_id"
        assert [r[key] for r in rows] == sorted((r[key] for r in rows), reverse=True)  # newest
        # a download, asked for on any page, is the whole list in the page's order
        download = client.get(f"{path}?page=2&format=csv&table={name}")
        assert download.status_code == 200
        listed = list(csv.reader(io.StringIO(download.text)))[1:]
        assert [int(r[0]) for r in listed] == [r[key] for r in rows]
        whole = client.get(f"{path}?page=2&format=json&table={name}").json()
        assert whole["rows"] == rows
        second = client.get(f"{path}?page=2").text
        assert 'rel="prev"' in second
        assert ('rel="next"' in second) == (first["pages"] > 2)
        assert f"Rows 3–4 of {count}, newest first" in second
        if name == "tenders":  # the buyer's one contract, on page 1, is not "nothing to show"
            assert "Listed on the earlier pages (1 in all)" in client.get(f"{path}?page=3").text
        assert client.get(f"{path}?page=0").status_code in (400, 422)


@pytest.mark.usefixtures("market")
def test_companies_that_never_bid_follow_the_ranked_ones_by_name(
    client, session, clock, monkeypatch
):
    for name, status in [
        ("Zeta Never Bid Co., Ltd.", OrganisationStatus.ACTIVE),
        ("Alpha Never Bid Co., Ltd.", OrganisationStatus.ACTIVE),
        ("Beta Never Bid Co., Ltd.", OrganisationStatus.DEACTIVATED),
        ("Awaiting Check Co., Ltd.", OrganisationStatus.PENDING),
    ]:
        session.add(
            Organisation(
                slug=name.split()[0].lower() + "-never",
                name=name,
                kind=OrganisationKind.SUPPLIER,
                status=status,
                created_at=clock(),
            )
        )
    session.commit()
    whole = client.get("/suppliers?format=json").json()["tables"]["suppliers"]
    monkeypatch.setattr(public_site.profiles, "SUPPLIERS_PAGE", 2)
    first = client.get("/suppliers?format=json").json()
    paged = [
        row
        for page in range(1, first["pages"] + 1)
        for row in client.get(f"/suppliers?page={page}&format=json").json()["tables"]["suppliers"]
    ]
    assert paged == whole
    names = [r["supplier"] for r in whole]
    assert names[-3:] == [
        "Alpha Never Bid Co., Ltd.",
        "Beta Never Bid Co., Ltd.",
        "Zeta Never Bid Co., Ltd.",
    ]
    assert all(r["bids"] for r in whole[:-3])  # the ranked ones: every one bid
    assert "Awaiting Check Co., Ltd." not in names
    assert first["suppliers"] == len(whole)
