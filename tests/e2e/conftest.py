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


def served_copy(demo_golden, tmp_path_factory):
    """Serve a copy of the demo deployment until the generator is closed; yields its URL."""
    target = tmp_path_factory.mktemp("served-demo")
    copy = demo_clone(demo_golden, tmp_path_factory, target)
    try:
        with serving(copy, target) as base:
            yield base
    finally:
        drop_database(copy)


@pytest.fixture(scope="session")
def server(demo_golden, tmp_path_factory):
    """The demo deployment served once per worker, for the tests that only read it: they
    change what a browser holds (cookies, a tampered response), never the records."""
    yield from served_copy(demo_golden, tmp_path_factory)


@pytest.fixture(scope="module")
def own_server(demo_golden, tmp_path_factory):
    """A served copy of the demo for one module, whose tests change the records."""
    yield from served_copy(demo_golden, tmp_path_factory)


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
