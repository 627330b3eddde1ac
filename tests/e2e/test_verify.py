"""The verify control recomputes a record's inclusion proof in a real browser (Web Crypto)."""

from __future__ import annotations

import json
import re

import httpx
import pytest

pytestmark = pytest.mark.e2e
DONE = ".verify[data-state=ok], .verify[data-state=bad], .verify[data-state=error]"


# The demo is served once per worker (tests/e2e/conftest.py): these tests only read it, and the
# tampering ones alter what the browser receives, never the database.


def verify(page) -> tuple[str, str, str]:
    """Click the control; return its final state, its announcement and its details."""
    page.click("text=Verify in my browser")
    page.wait_for_selector(DONE, timeout=30_000)
    box = page.locator("section.verify")
    return (
        box.get_attribute("data-state"),
        page.inner_text(".verify-result"),
        page.inner_text(".verify-details"),
    )


def test_a_log_entry_verifies_against_the_signed_checkpoint(server, browser):
    checkpoint = httpx.get(f"{server}/api/ledger/checkpoint").json()
    index = checkpoint["tree_size"] - 1
    page = browser.new_page()
    page.goto(f"{server}/transparency/log/{index}")
    state, said, details = verify(page)
    assert state == "ok", said
    assert said == (
        f"This record is in the log at index {index}, and the log’s signed "
        f"checkpoint of size {checkpoint['tree_size']} includes it."
    )
    assert "Ed25519 signature is valid" in details  # Debian's chromium has Ed25519
    assert page.get_attribute(".verify-result", "aria-live") == "polite"


def test_a_tender_page_verifies_all_its_entries(server, browser):
    tender = httpx.get(f"{server}/api/tenders/2").json()
    indices = [e["index"] for e in tender["log_entries"]]
    page = browser.new_page()
    page.goto(f"{server}/tenders/2")
    state, said, _ = verify(page)
    assert state == "ok", said
    assert said.startswith(
        f"All {len(indices)} log entries of this record (indices "
        f"{', '.join(map(str, indices))}) are in the log"
    )


def test_a_permit_page_verifies_and_streams_from_the_shown_change(server, browser):
    number = httpx.get(f"{server}/api/permits?per_page=1").json()["items"][0]["tracking_number"]
    page = browser.new_page()
    with page.expect_request(re.compile(r".*/stream\?after_index=\d+$")):
        page.goto(f"{server}/permits/{number}")
    state, said, _ = verify(page)
    assert state == "ok", said


def test_a_tampered_proof_is_reported_as_not_holding(server, browser):
    index = 5
    page = browser.new_page()

    def alter_one_hash(route):
        response = route.fetch()
        proof = response.json()
        first = proof["audit_path"][0]
        proof["audit_path"][0] = ("0" if first[0] != "0" else "1") + first[1:]
        route.fulfill(
            response=response,
            body=json.dumps(proof),
            headers={**response.headers, "content-type": "application/json"},
        )

    page.route(re.compile(r".*/api/ledger/proof/inclusion\?.*"), alter_one_hash)
    page.goto(f"{server}/transparency/log/{index}")
    state, said, details = verify(page)
    assert state == "bad"
    assert said.startswith(
        f"Does not hold: the log entry at index {index} does not lead to "
        "the root of the signed checkpoint"
    )
    assert f"Index {index}: the audit path does NOT lead to the signed root." in details


def test_a_tampered_entry_is_reported_as_not_holding(server, browser):
    index = 7
    page = browser.new_page()

    def alter_the_entry(route):
        response = route.fetch()
        page_of_entries = response.json()
        page_of_entries["entries"][0]["entry"] = page_of_entries["entries"][0]["entry"].replace(
            '"time":"2', '"time":"1', 1
        )
        route.fulfill(
            response=response,
            body=json.dumps(page_of_entries),
            headers={**response.headers, "content-type": "application/json"},
        )

    page.route(re.compile(r".*/api/ledger/entries\?.*"), alter_the_entry)
    page.goto(f"{server}/transparency/log/{index}")
    state, said, _ = verify(page)
    assert state == "bad", said
    assert said.startswith("Does not hold")
