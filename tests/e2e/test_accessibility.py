"""Every main public page, in English and in Thai, passes axe-core with no serious or critical
violation; the language switch keeps the reader on the page they were reading."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = pytest.mark.e2e
sync_api = pytest.importorskip("playwright.sync_api")
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
AXE = axe_playwright.Axe()  # the axe-core script the package ships
BLOCKING = {"serious", "critical"}
# WCAG 2.0-2.2 A and AA, plus axe's best practices (landmarks, one h1, skip link targets).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
    # Only the violations come back: a third faster than axe's full report, which lists passes.
    "reporter": "no-passes",
    "ancestry": False,
    "xpath": False,
}

PAGES = [
    "/",
    "/tenders",
    "tender",
    "/buyers",
    "/permits",
    "permit",
    "/departments",
    "/signin",
    "/search?q=pump",
    "/rankings",
    "/red-flags",
    "/charts",
    "/transparency",
    "/data",
    "buyer",
    "supplier",
]


@pytest.fixture(scope="module")
def paths(server) -> dict[str, str | None]:
    """The address of one record of each kind in the demo data, found as a reader would."""

    def first_link(page: str, pattern: str) -> str | None:
        response = httpx.get(f"{server}{page}")
        found = re.search(pattern, response.text) if response.status_code == 200 else None
        return found.group(1) if found else None

    buyers = httpx.get(f"{server}/api/procurement/buyers").json()
    return {
        "tender": first_link("/tenders", r'href="(/tenders/\d+)"'),
        "permit": first_link("/permits?status=in_progress", r'href="(/permits/[A-Z]{3}-[^"/]+)"'),
        "buyer": f"/buyers/{buyers[0]['slug']}" if buyers else None,
        "supplier": first_link("/suppliers", r'href="(/suppliers/\d+)"'),
    }


@pytest.fixture(scope="module")
def tabs(browser):
    """One tab per language, reused for every page check, with axe-core loaded into each page
    as it opens: twice as fast as a fresh context per page and injecting axe after the load."""
    opened = {}
    for locale, accept in (("en", "en-GB"), ("th", "th-TH")):
        context = browser.new_context(locale=accept)
        context.add_init_script(AXE.axe_script)
        opened[locale] = context.new_page()
    yield opened
    for page in opened.values():
        page.context.close()


def blocking_violations(page) -> list[str]:
    violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
        if v["impact"] in BLOCKING
    ]


def check(server, tabs, paths, name: str, locale: str) -> None:
    path = paths.get(name, name)
    if path is None:
        pytest.fail(f"the demo data has no {name} page")
    page = tabs[locale]
    response = page.goto(f"{server}{path}")
    assert response.status == 200, path
    assert page.get_attribute("html", "lang") == locale
    assert page.locator("h1").count() == 1, f"{path} should have exactly one h1"
    assert page.locator("main").count() == 1
    violations = blocking_violations(page)
    assert violations == [], f"{path} ({locale}):\n" + "\n".join(violations)


@pytest.mark.parametrize("locale", ["en", "th"])
@pytest.mark.parametrize("name", PAGES)
def test_main_pages_pass_axe(server, tabs, paths, name, locale):
    check(server, tabs, paths, name, locale)


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/permits")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip"
    assert page.locator(".skip").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()


def test_the_language_switch_is_reached_and_used_from_the_keyboard_with_a_visible_focus(
    server, browser
):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{server}/departments")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('hreflang')") == "th":
            break
    else:
        pytest.fail("Tab never reached the Thai language link")
    ring = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; })()"
    )
    assert ring == ["solid", "3px"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/departments"
    assert page.get_attribute("html", "lang") == "th"
    context.close()


def test_switching_to_thai_keeps_the_page_and_dates_turn_buddhist_era(server, browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{server}/permits?status=in_progress")
    assert page.get_attribute("html", "lang") == "en"
    due = page.locator("tbody tr td:nth-child(5)").first.inner_text()
    year = int(re.match(r"(\d{4})-\d{2}-\d{2}", due).group(1))

    page.click("nav.languages a[lang=th]")
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/permits"
    assert urlsplit(page.url).query == "status=in_progress"
    assert page.get_attribute("html", "lang") == "th"
    assert page.inner_text("h1") == "คำขออนุญาต"
    thai_due = page.locator("tbody tr td:nth-child(5)").first.inner_text()
    assert str(year + 543) in thai_due
    assert str(year) not in thai_due
    assert page.locator("select[name=status] option[selected]").inner_text() == ("อยู่ระหว่างดำเนินการ")

    # The choice sticks: the next page opened is in Thai too, until the reader switches back.
    page.click("nav.main a[href='/departments']")
    assert page.get_attribute("html", "lang") == "th"
    page.click("nav.languages a[lang=en]")
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/departments"
    assert page.get_attribute("html", "lang") == "en"
    context.close()
