"""A supplier company joins in a real browser: registers, confirms its address from the e-mail
in the outbox, is approved by an admin, signs in, lands on its dashboard and bids."""

from __future__ import annotations

import re

import pytest

from tests.core.auth.onboarding import STRONG, juristic, last_link

pytestmark = pytest.mark.e2e
EMAIL = "sales@mekong-pumps.example"
COMPANY = "Mekong Pumps Co., Ltd."


@pytest.fixture
def deployment(writable_server):
    """The company joins here (its e-mails are read from the data folder's outbox)."""
    return writable_server


def submit(page) -> None:
    page.click("main button[type=submit]")  # not the site search in the header


def test_a_supplier_registers_is_approved_and_bids(deployment, browser):
    server, data_dir = deployment
    try:
        supplier = browser.new_page()
        supplier.goto(f"{server}/signin")
        supplier.click("text=Register a supplier company")
        supplier.fill("#name", "Khun Niran")
        supplier.fill("#email", EMAIL)
        supplier.fill("#password", STRONG)
        supplier.fill("#org-name", COMPANY)
        supplier.fill("#org-number", juristic())
        supplier.fill("#org-address", "12 Riverside Road, Nong Khai 43000")
        supplier.fill("#org-contact", "Khun Niran")
        supplier.fill("#org-phone", "+66 42 555 010")
        submit(supplier)
        assert supplier.is_visible("h1:has-text('Check your e-mail')")

        token = last_link(data_dir, EMAIL, "/verify")
        supplier.goto(f"{server}/verify?token={token}")
        submit(supplier)
        assert supplier.is_visible("h1:has-text('E-mail confirmed')")

        admin = browser.new_page()
        admin.goto(f"{server}/signin")
        admin.fill("#email", "admin@prongsai.example")
        admin.fill("#password", "prongsai-demo")
        submit(admin)
        admin.wait_for_url(re.compile(r".*/admin$"))
        admin.click(f"button:has-text('Approve {COMPANY}')")
        assert admin.is_visible("p.notice:has-text('Approved')")

        supplier.click("text=Sign in")
        supplier.fill("#email", EMAIL)
        supplier.fill("#password", STRONG)
        submit(supplier)
        supplier.wait_for_url(re.compile(r".*/supplier$"))
        assert supplier.is_visible("h1:has-text('Supplier dashboard')")
        supplier.click("nav.role >> text=Open tenders")
        supplier.click("text=Flood pump maintenance")
        supplier.click("text=Submit a sealed bid")
        supplier.fill("#price", "13,800,000.00")
        supplier.check("input[name=declaration]")
        supplier.click("text=Seal and submit bid")
        supplier.wait_for_selector("h1:has-text('Bid receipt')")
        assert supplier.inner_text("#price") == "฿13,800,000.00"  # the receipt, theirs alone
    finally:
        for context in browser.contexts:
            context.close()
