"""The public permit page follows an officer's change live, and reads without JavaScript."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.e2e
sync_api = pytest.importorskip("playwright.sync_api")
OFFICER = "officer@bma-health.example"  # the demo officer of the food-sanitation department


@pytest.fixture(scope="module")
def server(writable_server):
    """An officer advances an application here, not on the read-only copy."""
    return writable_server[0]


def in_progress(server: str) -> dict:
    """A demo food application in progress whose current stage an officer may advance."""
    listing = httpx.get(
        f"{server}/api/permits",
        params={
            "type": "FOD",
            "department": "bma-health",
            "status": "in_progress",
            "per_page": 100,
        },
    ).json()
    for item in listing["items"]:
        permit = httpx.get(f"{server}/api/permits/{item['tracking_number']}").json()
        codes = [s["code"] for s in permit["stages"]]
        if permit["current_stage"] in codes[:-1]:  # the last stage is approved, not advanced
            return permit
    pytest.fail("the demo data has no food application before its last stage")


def test_the_public_page_shows_an_officers_advance_without_a_reload(server, browser):
    permit = in_progress(server)
    number = permit["tracking_number"]
    codes = [s["code"] for s in permit["stages"]]
    now_name = permit["stages"][codes.index(permit["current_stage"])]["name"]
    next_name = permit["stages"][codes.index(permit["current_stage"]) + 1]["name"]

    public = browser.new_context().new_page()
    url = f"{server}/permits/{number}"
    public.goto(url)
    assert public.inner_text("#current-stage") == now_name
    actions = public.locator("#live table").nth(1).locator("tbody td:nth-child(3)")
    before = actions.all_inner_texts()
    public.wait_for_selector("#live[data-live=connected]", timeout=5000)
    navigations = []
    public.on(
        "framenavigated",
        lambda frame: navigations.append(frame.url) if frame == public.main_frame else None,
    )
    public.evaluate("window.__sameDocument = true")

    officer = browser.new_context().new_page()
    officer.goto(f"{server}/signin")
    officer.fill("#email", OFFICER)
    officer.fill("#password", "prongsai-demo")
    # The sign-in form's own button: the header's site search is a submit button too.
    with officer.expect_navigation():
        officer.click("form[action='/signin'] button[type=submit]")
    assert "/signin" not in officer.url, officer.inner_text("main")
    officer.goto(f"{server}/permits/officer/applications/{number}")
    officer.click("form[action$='/claim'] button:has-text('Claim')")
    officer.wait_for_url(f"**/permits/officer/applications/{number}")
    officer.select_option("#action", "advance")
    officer.click("button:has-text('Record')")
    officer.wait_for_url(f"**/permits/officer/applications/{number}")
    assert not officer.is_visible("[role=alert]")
    assert (
        httpx.get(f"{server}/api/permits/{number}").json()["current_stage"]
        == codes[codes.index(permit["current_stage"]) + 1]
    )

    sync_api.expect(public.locator("#current-stage")).to_have_text(next_name, timeout=5000)
    sync_api.expect(public.locator("#live-status")).to_contain_text("Updated at")
    assert actions.all_inner_texts()[: len(before)] == before
    assert "Moved on" in actions.all_inner_texts()[len(before) :]  # the advance, in words
    assert public.url == url
    assert navigations == []
    assert public.evaluate("window.__sameDocument") is True
    officer.context.close()
    public.context.close()


def test_the_public_page_reads_without_javascript(server, browser):
    permit = in_progress(server)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/permits/{permit['tracking_number']}")
    rows = page.locator("#live table").first.locator("tbody tr")
    assert rows.count() == len(permit["stages"])
    for stage in permit["stages"]:
        assert page.locator("#live", has_text=stage["name"]).count() == 1
    # The served demo runs on the real clock: its stages fall due, so the page may say so.
    overdue = " — overdue" if permit["overdue"] else ""
    status = permit["status"].replace("_", " ").capitalize()  # in words: in_progress → In progress
    assert page.inner_text("#status") == status + overdue
    assert page.locator("#live tr", has_text="submitted").count() == 1
    # Without the script nothing updates itself, and the page does not pretend it does.
    assert "Reload" in page.inner_text("#live-status")
    assert page.get_attribute("#live", "data-live") is None
    context.close()
