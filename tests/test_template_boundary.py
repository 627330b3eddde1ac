"""No template receives a table row (ARCHITECTURE.md, "Table models stay behind the services").

Every page of the demo deployment that a visitor, or each demo role, can reach by following
links is rendered with the template response wrapped, and the context of each render is
searched for SQLModel table instances. The signed-in `User` the layout shows is the one
exception, as it is for route modules.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from fastapi.templating import Jinja2Templates
from fastapi.testclient import TestClient

from core.db import make_engine
from core.settings import Settings
from prongsai.app import create_app
from tests.conftest import demo_clone, drop_database
from tests.test_layout import tables_in_context

DEMO_PASSWORD = "prongsai-demo"
ROLES = {
    "public": None,
    "buyer": "buyer@bma.example",
    "supplier": "bids@siam-civil.example",
    "officer": "officer@bma-works.example",
    "applicant": "applicant@example.com",
    "admin": "admin@prongsai.example",
    "auditor": "auditor@oag.example",
}
MAX_PAGES = 150  # per role: enough to reach every kind of page of the demo, bounded in time
PER_SHAPE = 2  # pages of one shape (/tenders/N, /permits/BKK-…) render the same template
SKIP = re.compile(r"\.(pdf|csv|json|atom|txt|xml|js|css|svg|png|ico)$|^/api/|/stream|/signout")


@pytest.fixture(scope="module")
def demo_app(demo_golden, tmp_path_factory):
    folder = tmp_path_factory.mktemp("boundary-demo")
    url = demo_clone(demo_golden, tmp_path_factory, folder)
    settings = Settings(data_dir=folder, database_url=url, secret_key="s" * 32, run_scheduler=False)
    engine = make_engine(url)
    yield create_app(settings, engine=engine)
    engine.dispose()
    drop_database(url)


@pytest.fixture
def renders(monkeypatch) -> list[tuple[str, str]]:
    """(template, where a table row sits) for every page rendered while the test runs."""
    found: list[tuple[str, str]] = []
    original = Jinja2Templates.TemplateResponse

    def checked(self, request, name, context=None, *args, **kwargs):
        for where in tables_in_context(context or {}):
            found.append((name, re.sub(r"\[\d+\]", "[…]", where)))
        return original(self, request, name, context, *args, **kwargs)

    monkeypatch.setattr(Jinja2Templates, "TemplateResponse", checked)
    return found


def sign_in(client: TestClient, email: str) -> None:
    page = client.get("/signin").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/signin",
        data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token, "next": "/"},
    )
    assert response.status_code == 303, response.text


def crawl(client: TestClient, starts: list[str]) -> int:
    """Follow same-site links breadth first from the start pages; how many pages were read."""
    queue, visited = deque(starts), set(starts)
    shapes: Counter[str] = Counter()
    read = 0
    while queue and read < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        read += 1
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for href in re.findall(r'href="([^"]+)"', response.text):
            target = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if SKIP.search(parts.path) or "lang=" in parts.query:
                continue
            shape = re.sub(r"[A-Z]*-?\d[\w-]*", "N", parts.path) + ("?" if parts.query else "")
            if target not in visited and shapes[shape] < PER_SHAPE:
                visited.add(target)
                shapes[shape] += 1
                queue.append(target)
    return read


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_page_receives_a_table_row(demo_app, renders, role):
    with TestClient(demo_app, base_url="https://testserver", follow_redirects=False) as client:
        if ROLES[role]:
            sign_in(client, ROLES[role])
        homes = [
            "/",
            "/account",
            "/buyer",
            "/supplier",
            "/permits/officer",
            "/permits/mine",
            "/admin",
            "/admin/actions",
            "/admin/permits",
            "/supplier-register",
            "/register",
        ]
        read = crawl(client, homes if ROLES[role] else ["/"])
    assert read > 10
    assert sorted(set(renders)) == []
