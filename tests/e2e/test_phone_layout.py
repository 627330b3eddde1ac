"""At a phone's 390 × 844, no main public page is wider than the screen, in English or Thai:
wide tables scroll inside their own box, and the navigation folds behind a Menu button that
works without JavaScript."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.e2e
pytest.importorskip("playwright.sync_api")

PHONE = {"width": 390, "height": 844}
PAGES = [
    "/",
    "/tenders",
    "tender",
    "/search?q=pump",
    "/buyers",
    "buyer",
    "/suppliers",
    "supplier",
    "/rankings",
    "/red-flags",
    "red flag",
    "/charts",
    "/data",
    "/permits",
    "permit",
    "/departments",
    "department",
    "/transparency",
    "/transparency/log",
    "log entry",
    "/signin",
]


@pytest.fixture(scope="module")
def paths(server) -> dict[str, str | None]:
    """The address of one record of each kind, found by following the site's own links."""

    def first_link(page: str, pattern: str) -> str | None:
        found = re.search(pattern, httpx.get(f"{server}{page}").text)
        return found.group(1) if found else None

    return {
        "tender": first_link("/tenders", r'href="(/tenders/\d+)"'),
        "buyer": first_link("/", r'href="(/buyers/[a-z0-9-]+)"'),
        "supplier": first_link("/suppliers", r'href="(/suppliers/\d+)"'),
        "red flag": first_link("/red-flags", r'href="(/red-flags/[a-z0-9_-]+)"'),
        "permit": first_link("/permits", r'href="(/permits/[A-Z]{3}-[^"/]+)"'),
        "department": first_link("/departments", r'href="(/departments/[a-z0-9-]+)"'),
        "log entry": first_link("/transparency/log", r'href="(/transparency/log/\d+)"'),
    }


@pytest.fixture(scope="module", params=["en", "th"])
def phone(browser, request):
    """One phone-sized page per language, reused for every page check."""
    context = browser.new_context(
        viewport=PHONE, locale={"en": "en-GB", "th": "th-TH"}[request.param]
    )
    page = context.new_page()
    yield page
    assert page.get_attribute("html", "lang") == request.param

    context.close()


def test_no_main_page_is_wider_than_a_phone(server, paths, phone):
    too_wide = []
    for name in PAGES:
        path = paths.get(name, name)
        assert path is not None, f"the demo data has no {name} page"
        response = phone.goto(f"{server}{path}")
        assert response.status == 200, path
        width, screen = phone.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if width > screen:
            too_wide.append(f"{path}: {width} px")
    assert too_wide == [], f"wider than {PHONE['width']} px: {too_wide}"


def test_the_menu_folds_on_a_phone_and_opens_without_javascript(server, browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/tenders")
    assert not page.is_visible("nav.main")
    page.click("label.menu-button")
    assert page.is_visible("nav.main a[href='/permits']")
    assert page.get_attribute("nav.main a[href='/tenders']", "aria-current") == "page"
    context.close()


def test_the_favicon_and_the_identity_stylesheet_are_served(server):
    assert httpx.get(f"{server}/favicon.ico").headers["content-type"].startswith("image/")
    assert "--brand:" in httpx.get(f"{server}/identity.css").text
