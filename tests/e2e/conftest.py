"""What every browser test shares: Debian's chromium, launched headless as CI can run it, and
the real app served by the CLI on a copy of the demo deployment."""

from __future__ import annotations

import pytest

from tests.conftest import demo_clone, drop_database
from tests.deployment import serving

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(playwright):
    """Debian's chromium; never a browser Playwright would download."""
    return playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)


@pytest.fixture(scope="module")
def server(demo_golden, tmp_path_factory):
    """The demo deployment, copied once per test module and served; its base URL."""
    target = tmp_path_factory.mktemp("served-demo")
    copy = demo_clone(demo_golden, tmp_path_factory, target)
    try:
        with serving(copy, target) as base:
            yield base
    finally:
        drop_database(copy)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
