"""The main public pages as a phone user and a Thai reader meet them, on one server and one
browser: at 390 × 844 no page is wider than the screen, in English or Thai (wide tables scroll
inside their own box; the navigation folds behind a Menu button that works without JavaScript),
and a Thai page has no English words outside passages marked with their `lang`."""

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


# Words the Thai pages may show in Latin letters: acronyms (all capitals) and anything with a
# digit (codes such as BLD-2026-000042-S) are allowed by the check itself.
LATIN_WORDS = r"""(() => {
  const FORMATS = new Set(['Atom']);  // a file format's name, as CSV and JSON are
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    if (!element || element.closest('script, style, noscript, code, pre, .hash')) continue;
    const marked = element.closest('[lang]');
    if (marked && marked !== document.documentElement && marked.lang !== 'th') continue;
    if (!element.getClientRects().length) continue;
    const text = walker.currentNode.textContent
      .replace(/\b[a-z]+:\/\/\S+/g, ' ').replace(/\S*\d\S*/g, ' ');
    for (const word of text.match(/[A-Za-z][A-Za-z']{2,}/g) || []) {
      if (word !== word.toUpperCase() && !FORMATS.has(word)) {
        found.push(word + ' in ' + element.outerHTML.slice(0, 120));
      }
    }
  }
  return found;
})()"""
# Pages whose subject is a protocol or a file format (the log's proofs, the open-data reference)
# keep their technical terms in English; every other main page is checked.
THAI_PAGES = [p for p in PAGES if p not in {"/transparency", "/data"}]


@pytest.fixture(scope="module")
def thai_reader(browser):
    context = browser.new_context(locale="th-TH")
    yield context.new_page()
    context.close()


def test_a_thai_page_has_no_english_outside_passages_marked_as_english(server, paths, thai_reader):
    unmarked = {}
    for name in THAI_PAGES:
        path = paths.get(name, name)
        thai_reader.goto(f"{server}{path}")
        assert thai_reader.get_attribute("html", "lang") == "th"
        words = thai_reader.evaluate(LATIN_WORDS)
        if words:
            unmarked[path] = sorted(set(words))[:8]
    assert unmarked == {}, f"English without lang on Thai pages: {unmarked}"


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
