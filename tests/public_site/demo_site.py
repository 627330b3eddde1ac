"""A read-only app over the demo deployment, shared by the public-site page tests.

The demo is built once per run (the `demo_golden` fixture, through the CLI); these tests only
read it, so one app and one client serve a whole module.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from core.db import make_engine
from core.settings import Settings
from prongsai.app import create_app
from tests.conftest import demo_clone, drop_database


@pytest.fixture(scope="module")
def demo_site(demo_golden, tmp_path_factory) -> Iterator[TestClient]:
    """A client of the app serving a copy of the demo data (scheduler off)."""
    folder = tmp_path_factory.mktemp("demo-site")
    url = demo_clone(demo_golden, tmp_path_factory, folder)
    settings = Settings(data_dir=folder, database_url=url, secret_key="s" * 32, run_scheduler=False)
    engine = make_engine(url)
    app = create_app(settings, engine=engine)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        client.engine = engine  # tests read the demo's facts straight from the database
        yield client
    engine.dispose()
    drop_database(url)


def scalar_rows(client: TestClient, sql: str, **params) -> list:
    """Rows of a read-only SQL query on the demo database."""
    with client.engine.connect() as connection:
        return list(connection.execute(text(sql), params))


def visible_text(html: str) -> str:
    """The page's words as a reader sees them: tags dropped, whitespace collapsed."""
    without_scripts = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # A span that marks a passage's language (or any inline tag) adds no space of its own.
    without_scripts = re.sub(r"</?(span|strong|em|b|i|abbr)\b[^>]*>", "", without_scripts)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", without_scripts)).split())
