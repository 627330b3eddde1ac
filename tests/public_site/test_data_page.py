"""The open data page: every download, feed and API linked and documented, with the licence."""

from __future__ import annotations

import re

from tests.public_site.demo_site import demo_site, visible_text  # noqa: F401


def test_every_download_linked_from_the_data_page_answers(demo_site):  # noqa: F811
    page = demo_site.get("/data")
    assert page.status_code == 200
    links = set(re.findall(r'href="(/[^"#]*)"', page.text))
    downloads = {link for link in links if link.startswith(("/api/", "/feeds/"))}
    assert {
        "/api/ocds/releases",
        "/api/ocds/bulk/releases.jsonl.gz",
        "/api/tenders/changes",
        "/api/permits",
        "/api/permits/export.csv",
        "/api/permits/export.json",
        "/feeds/tenders.atom",
        "/feeds/awards.atom",
    } <= downloads
    for link in sorted(downloads):
        response = demo_site.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link


def test_the_data_page_documents_fields_licence_and_citation(demo_site):  # noqa: F811
    words = visible_text(demo_site.get("/data").text)
    assert "ODC-By 1.0" in words
    assert "opendatacommons.org/licenses/by/1-0" in (demo_site.get("/data").text)
    assert "Cite a record by its stable URL" in words
    for field in (
        "PermitNum",
        "AppliedDate",
        "StatusCurrent",
        "StageHistory",
        "ocid",
        "estimated_value",
        "tender_end_at",
        "updated_at",
        "leaf_hash",
    ):
        assert field in words, field
    for endpoint in (
        "/api/ocds/records/{ocid}",
        "/api/permits/{number}/stream",
        "/api/search",
        "/search.csv",
        "/search.json",
        "/buyers/{slug}/feed.atom",
        "/suppliers/{id}/feed.atom",
        "/departments/{slug}/feed.atom",
        "/permits/{number}/feed.atom",
        "/api/ledger/entries",
        "/transparency/log/{index}",
    ):
        assert endpoint in words, endpoint


def test_the_site_navigation_leads_to_transparency_and_data(demo_site):  # noqa: F811
    home = demo_site.get("/").text
    nav = re.search(
        r'<nav class="main" id="site-nav" aria-label="Main">(.*?)</nav>', home, re.S
    ).group(1)
    assert '<a href="/transparency">Transparency</a>' in nav
    assert '<a href="/data">Data</a>' in nav
