"""A supplier bids through a real browser against the real app, and keeps the receipt."""

from __future__ import annotations

import json
import re
import subprocess

import httpx
import pytest

from tests.deployment import invoke

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(writable_server):
    """The bid is recorded here, not on the read-only copy."""
    return writable_server[0]


def test_a_supplier_bids_in_a_browser_and_verifies_the_downloaded_receipt(
    server, browser, tmp_path
):
    """The receipt is checked from the downloaded file alone: by the command (offline, then
    against the live log) and by the in-browser check; the saved copy is the only one."""
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
        page.wait_for_selector("h1:has-text('Bid receipt')")
        assert page.inner_text("#price") == "฿13,950,000.00"
        commitment = page.inner_text("#commitment").strip()
        assert re.fullmatch(r"[0-9a-f]{64}", commitment)
        with page.expect_download() as download_info:
            page.click("text=Download the full receipt (JSON)")
        saved = tmp_path / "receipt.json"
        download_info.value.save_as(saved)
        receipt = json.loads(saved.read_text())
        assert receipt["commitment"] == commitment
        assert receipt["private"]["price"] == {"amount": 1_395_000_000, "currency": "THB"}
        with page.expect_download() as pdf_info:
            page.click("text=Download the full receipt (PDF)")
        pdf = tmp_path / "receipt.pdf"
        pdf_info.value.save_as(pdf)
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert commitment[:32] in text.replace("\n", "")
        assert "฿13,950,000.00" in text
        assert receipt["private"]["salt"][:32] in text.replace("\n", "")

        # The command, from the file alone and then against the live log.
        offline = invoke("verify-receipt", str(saved), data_dir=tmp_path / "outsider")
        assert offline.returncode == 0, offline.stdout + offline.stderr
        assert "ok: the commitment is SHA-256(salt ‖ canonical bid)" in offline.stdout
        live = invoke("verify-receipt", str(saved), "--server", server, data_dir=tmp_path / "o")
        assert live.returncode == 0, live.stdout + live.stderr
        assert "extends the receipt's checkpoint" in live.stdout
        assert "not checked: the bids are not opened yet" in live.stdout

        # The in-browser check, signed out: the file is read by the page, never uploaded.
        page.context.clear_cookies()
        page.goto(f"{server}/receipts/verify")
        page.set_input_files("#receipt-file", str(saved))
        page.wait_for_selector("#receipt-check[data-state=ok], #receipt-check[data-state=bad]")
        said = page.inner_text(".verify-details")
        assert page.get_attribute("#receipt-check", "data-state") == "ok", said
        assert "the price ฿13,950,000.00" in said
        assert "extends the receipt’s checkpoint" in said
        tampered = tmp_path / "tampered.json"
        receipt["private"]["price"]["amount"] = 1_295_000_000
        tampered.write_text(json.dumps(receipt))
        page.set_input_files("#receipt-file", str(tampered))
        page.wait_for_selector("#receipt-check[data-state=bad]")
        assert "Does not hold: the price shown" in page.inner_text(".verify-details")

        # Later, the stored receipt has no price; the public page neither.
        bid_url = f"{server}/tenders/{receipt['tender_id']}/bids/{receipt['bid_id']}"
        assert "13,950,000" not in httpx.get(bid_url.rsplit("/bids/", 1)[0]).text
    finally:
        for context in browser.contexts:
            context.close()
