"""A reporter on deadline, in a real browser with no account: search for a Thai word, narrow
the results with a filter, open the record, download the results as CSV, and read the record
in Thai."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.e2e
BEDS = "Electric hospital beds for 12 provincial hospitals"


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", accept_downloads=True)
    yield context.new_page()
    context.close()


def test_search_filter_open_download_and_read_in_thai(server, page, tmp_path):
    page.goto(f"{server}/")
    # "ผู้ป่วย" (patient) sits inside an unspaced Thai phrase in the tender's title.
    page.fill("#site-search-q", "ผู้ป่วย")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search?q=*")
    results = page.locator("main ol li")
    assert BEDS in results.first.inner_text()

    # Narrow to tenders: the filter lands in the address, so the search can be cited.
    page.click("details summary")
    page.select_option("#f-kind", "tender")
    page.click("form.filters details button[type=submit]")
    page.wait_for_url("**kind=tender*")
    assert "q=%E0%B8%9C" in page.url  # the Thai query travelled with the filter
    titles = page.locator("main ol li").all_inner_texts()
    assert titles
    assert all(text.startswith("Tender") for text in titles)
    assert any(BEDS in text for text in titles)

    # The results download as CSV with the same filters.
    with page.expect_download() as download_info:
        page.click("main a:text-is('CSV')")
    saved = tmp_path / "results.csv"
    download_info.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows
    assert {row["kind"] for row in rows} == {"tender"}
    assert any(BEDS in row["title"] for row in rows)

    # Open the record from the results.
    page.click(f"main ol li a:has-text('{BEDS}')")
    page.wait_for_url("**/tenders/*")
    tender_path = page.url.removeprefix(server)
    assert BEDS in page.locator("h1").inner_text()

    # Switch to Thai: the same record, in Thai, with Buddhist-era years.
    page.click("a[hreflang=th]")
    page.wait_for_load_state()
    assert page.url.removeprefix(server).split("?")[0] == tender_path.split("?")[0]
    assert page.get_attribute("html", "lang") == "th"
    body = page.locator("main").inner_text()
    assert "ประกาศจัดซื้อจัดจ้าง" in body or "หน่วยงานจัดซื้อ" in body
    assert "2569" in body  # 2026 in the Buddhist era
