"""What every browser test shares: Debian's chromium, launched headless as CI can run it, and
the real app served by the CLI on a copy of the demo deployment."""

from __future__ import annotations

from typing import Any

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests run on one worker (`--dist loadgroup`), so the run starts one Chromium
    and one server of each kind, not one per worker."""
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.xdist_group("browser"))


def served_copy(demo_golden, tmp_path_factory):
    """Serve a copy of the demo deployment until the generator is closed; yields its URL and
    its data folder."""
    target = tmp_path_factory.mktemp("served-demo")
    copy = demo_clone(demo_golden, tmp_path_factory, target)
    try:
        with serving(copy, target) as base:
            yield base, target
    finally:
        drop_database(copy)


@pytest.fixture(scope="session")
def server(demo_golden, tmp_path_factory):
    """The demo deployment served once per run, for the tests that only read it: they change
    what a browser holds (cookies, a tampered response), never the records."""
    for base, _ in served_copy(demo_golden, tmp_path_factory):
        yield base


@pytest.fixture(scope="session")
def writable_server(demo_golden, tmp_path_factory):
    """A second served copy, for the tests that change records: (URL, data folder). Each
    changes its own (an officer's application, a bid by its own supplier), never what another
    reads, so they share it."""
    yield from served_copy(demo_golden, tmp_path_factory)


_RUNNING: dict[str, Any] = {}


def _running_browser() -> Any:
    if "browser" not in _RUNNING:
        sync_api = pytest.importorskip("playwright.sync_api")
        playwright = sync_api.sync_playwright().start()
        _RUNNING.update(playwright=playwright, browser=launch(playwright))
    return _RUNNING["browser"]


class _Browser:
    """The Chromium of the run's browser tests, started by the first use and stopped after the
    last browser test of the worker's queue (below): Playwright's event loop stays attached to
    the thread while it runs, and the worker goes on to tests that start loops of their own."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_running_browser(), name)


@pytest.fixture(scope="session")
def browser() -> _Browser:
    return _Browser()


def _stop_browser() -> None:
    if "browser" in _RUNNING:
        _RUNNING.pop("browser").close()
        _RUNNING.pop("playwright").stop()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(nextitem: pytest.Item | None) -> None:
    """After the last browser test of this worker's queue, stop the browser."""
    if nextitem is None or nextitem.get_closest_marker("e2e") is None:
        _stop_browser()
