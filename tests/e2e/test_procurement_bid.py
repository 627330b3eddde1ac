"""A supplier bids through a real browser against the real app, and keeps the receipt."""

from __future__ import annotations

import json
import re
import subprocess

import httpx
import pytest

from tests.deployment import serving

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(demo_deployment):
    with serving(*demo_deployment) as base:
        yield base


def test_a_supplier_bids_in_a_browser_and_downloads_the_receipt(server, browser, tmp_path):
    try:
        page = browser.new_page(accept_downloads=True)
        page.goto(f"{server}/signin")
        page.fill("#email", "bids@chaophraya-it.example")
        page.fill("#password", "prongsai-demo")
        page.click("main button[type=submit]")  # not the site search in the header
        page.goto(f"{server}/tenders?status=active")
        page.click("text=Flood pump maintenance")
        page.click("text=Submit a sealed bid")
        page.fill("#price", "13,950,000.00")
        page.check("input[name=declaration]")
        page.click("text=Seal and submit bid")
        page.wait_for_url(re.compile(r".*/tenders/\d+/bids/\d+$"))
        assert page.is_visible("h1:has-text('Bid receipt')")
        commitment = page.inner_text("#commitment").strip()
        assert re.fullmatch(r"[0-9a-f]{64}", commitment)
        with page.expect_download() as download_info:
            page.click("text=Download receipt (JSON)")
        saved = tmp_path / "receipt.json"
        download_info.value.save_as(saved)
        assert json.loads(saved.read_text())["commitment"] == commitment
        with page.expect_download() as pdf_info:
            page.click("text=Download receipt (PDF)")
        pdf = tmp_path / "receipt.pdf"
        pdf_info.value.save_as(pdf)
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert commitment[:32] in text.replace("\n", "")
        # The public page shows one more sealed bid, and not the price.
        public = httpx.get(page.url.rsplit("/bids/", 1)[0]).text
        assert "13,950,000" not in public
    finally:
        for context in browser.contexts:
            context.close()
