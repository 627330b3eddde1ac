"""Unknown records: a helpful HTML 404 with a search box on pages, JSON on the API."""

from __future__ import annotations

import re

import pytest

from tests.public_site.demo_site import demo_site, visible_text  # noqa: F401


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        ("/tenders/987654", ""),
        ("/permits/FOD-2026-999999-X", "FOD-2026-999999-X"),
        ("/buyers/no-such-buyer", "no-such-buyer"),
        ("/transparency/log/987654321", ""),
        ("/no/such/page", "page"),
    ],
)
def test_an_unknown_page_offers_a_search_and_ways_in(demo_site, path, hint):  # noqa: F811
    response = demo_site.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    form = re.search(
        r'<form role="search" method="get" action="/search" '
        r'class="filters not-found-search">(.*?)</form>',
        html,
        re.S,
    )
    assert form, "the 404 page has its own search form"
    assert f'name="q" maxlength="200" value="{hint}"' in form.group(1)
    for link in ("/tenders", "/permits", "/transparency/log", "/data", "/"):
        assert f'href="{link}"' in html
    assert "Not found" in visible_text(html)


@pytest.mark.parametrize(
    "path", ["/api/tenders/987654", "/api/permits/FOD-2026-999999-X", "/api/no-such-endpoint"]
)
def test_api_404s_stay_json(demo_site, path):  # noqa: F811
    response = demo_site.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"]


def test_the_search_box_of_a_404_leads_to_results(demo_site):  # noqa: F811
    # What the form submits: GET /search?q=<the mistyped part of the address>.
    response = demo_site.get("/search", params={"q": "bma-procurement"})
    assert response.status_code == 200
