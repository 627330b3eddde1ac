"""Test harness: the real migrations on a fresh database per run, SQLite or PostgreSQL.

PRONGSAI_DATABASE_URL chooses the database server: unset, each run gets a SQLite file;
set to a PostgreSQL URL, each run (and each xdist worker) creates a database of its own on
that server and drops it at the end. Each test runs inside a transaction whose commits
become savepoints, rolled back afterwards (as warehouse does).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from filelock import FileLock
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session

from core.auth import passwords
from core.clock import FrozenClock
from core.db import get_session, make_engine
from core.settings import Settings
from prongsai import schema
from prongsai.app import create_app

SERVER_URL = os.environ.get("PRONGSAI_DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith("postgresql")
START = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok


def _memoised_route_analysis() -> None:
    """FastAPI analyses every included route again for each new app, on its first request
    (about half a second for this app's 200 routes: signatures, dependencies, response
    models). The tests make an app per test. The analysis depends on the route's path,
    endpoint, methods and dependencies, never on the app, except for the app whose dependency
    overrides apply: so it is done once per run and that one attribute set per app."""
    from fastapi import routing

    populate = routing._populate_api_route_state
    done: dict[tuple, dict] = {}
    per_app = {"original_route", "app", "dependency_overrides_provider"}

    def once(route, path, endpoint, **settings):
        key = (
            path,
            endpoint,
            tuple(id(d) for d in settings.get("dependencies") or ()),
            tuple(sorted(settings.get("methods") or ())),
        )
        if key in done:
            for name, value in done[key].items():
                setattr(route, name, value)
            route.dependency_overrides_provider = settings.get("dependency_overrides_provider")
            return
        populate(route, path, endpoint, **settings)
        done[key] = {k: v for k, v in vars(route).items() if k not in per_app}

    routing._populate_api_route_state = once


_memoised_route_analysis()

# Argon2 at its cheapest, in tests only: the product keeps the library's recommended cost
# (core/auth/passwords.py); a test checks what a hash is for, not what it costs.
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def create_database(tmp_dir: Path, label: str) -> str:
    """A new, empty database on the server under test; its URL."""
    if not ON_POSTGRES:
        return f"sqlite:///{tmp_dir / f'{label}.sqlite3'}"
    name = f"prongsai_test_{label}_{secrets.token_hex(4)}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop a database made by create_database (SQLite files go with their folder)."""
    if not url.startswith("postgresql"):
        return
    name = make_url(url).database
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    url = create_database(tmp_path_factory.mktemp("db"), worker_id)
    schema.upgrade(url)
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database of its own, for migration and multi-process tests."""
    url = create_database(tmp_path, "fresh")
    yield url
    drop_database(url)


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this run sees (the workers' common base)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def golden_folder(root: Path) -> Path:
    return root / "demo-golden"


def build_golden(root: Path) -> str:
    """Build the shared demo deployment under `root` unless it is built; its URL. Whoever
    takes the lock first builds it: the run's controller in the background (see
    pytest_sessionstart), or the first worker that needs it."""
    from tests.deployment import build_demo

    folder = golden_folder(root)
    with FileLock(root / "demo-golden.lock"):
        if not (folder / "url").exists():
            folder.mkdir(exist_ok=True)
            url = create_database(folder, "golden")
            (folder / "url.partial").write_text(url)  # dropped at the end even if cut short
            build_demo(url, folder)
            (folder / "url").write_text(url)
    return (folder / "url").read_text()


@pytest.fixture(scope="session")
def demo_golden(tmp_path_factory: pytest.TempPathFactory):
    """The demo deployment, built once per run (per database) through the CLI and shared by
    every worker. Tests never open it: they read and write clones of it (`demo_clone`)."""
    root = shared_folder(tmp_path_factory)
    return build_golden(root), golden_folder(root)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of the demo deployment run last, so the workers run everything else while it is
    built in the background (the browser tests aside, below); in CI's second pass
    (PRONGSAI_TESTS_DATABASE_ONLY=1), tests that touch no database are left out, as they ran on
    the first, and so are the modules of ONE_DATABASE_MODULES."""
    if os.environ.get("PRONGSAI_TESTS_DATABASE_ONLY") == "1":
        keep, skip = [], []
        for item in items:
            uses_database = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
            once = item.nodeid.split("::")[0] in ONE_DATABASE_MODULES
            wanted = (uses_database and not once) or item.get_closest_marker("postgres_only")
            (keep if wanted else skip).append(item)
        if skip:
            config.hook.pytest_deselected(items=skip)
            items[:] = keep
    # The browser tests, though they need the demo, come first: they are one group (one
    # worker, `--dist loadgroup`) and the longest unit of work, which must not be the last one
    # handed out. Their worker waits for the demo while the other runs the rest.
    items.sort(
        key=lambda item: (
            item.get_closest_marker("e2e") is None,
            "demo_golden" in getattr(item, "fixturenames", ()),
        )
    )


DATABASE_FIXTURES = {"database_url", "fresh_database", "demo_golden"}

# Modules whose subject does not change with the database server, though they need a database
# to stand on: what a page, a form or a PDF shows, who may open which route, what the CLI makes
# of its arguments. CI's PostgreSQL pass leaves them out; the services, queries, jobs and JSON
# routes beneath them run on both databases in their own tests.
ONE_DATABASE_MODULES = {
    "tests/test_template_boundary.py",  # what templates receive
    "tests/core/test_forms.py",  # error summaries, kept values
    "tests/core/test_i18n.py",  # the catalogue and the reader's locale
    "tests/core/test_pdf.py",  # PDF layout
    "tests/permits/test_pdfs.py",
    "tests/procurement/test_pdfs.py",
    "tests/procurement/test_views.py",  # the buyer's and supplier's pages over the JSON routes
    "tests/procurement/test_lots_views.py",
    "tests/permits/test_web.py",  # the applicant's and officer's pages over the services
    "tests/core/auth/test_views.py",  # sign-in, account and admin pages
    "tests/core/auth/test_onboarding_views.py",  # registration and invitation pages
    "tests/prongsai/test_public_address.py",  # links built from the configured address
    "tests/public_site/test_not_found.py",  # the 404 page
    "tests/prongsai/test_authorization_matrix.py",  # route policies
    "tests/prongsai/test_cli.py",  # the command line: arguments, messages, exit codes
    "tests/prongsai/test_cli_ledger.py",
    "tests/core/test_field_labels.py",  # fields named by their labels
    "tests/core/test_problems.py",  # validation problems said in words
    "tests/core/auth/test_emails.py",  # what each e-mail says, in both languages
    "tests/procurement/test_emails.py",
    "tests/permits/test_emails.py",
    "tests/procurement/test_amendment_form.py",  # the amendment form's error summary
    "tests/procurement/test_refusals_in_words.py",  # refusals and zones in words
    # 45 s of kills and restarts: once per run; the 20-kill campaign on both databases is
    # a benchmark (bench/crash_campaign.py, BENCHMARKS.md).
    "tests/prongsai/test_crash_campaign.py",
}


def pytest_sessionstart(session: pytest.Session) -> None:
    """A run of the whole suite starts building the demo at once, beside the workers: the
    tests that need it come last and find it ready instead of waiting for it."""
    config = session.config
    whole_suite = not config.args or config.args == config.getini("testpaths")
    if hasattr(config, "workerinput") or config.option.collectonly or not whole_suite:
        return
    root = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    with (root / "demo-golden.log").open("w") as log:
        config.stash[_BUILDER] = subprocess.Popen(
            [sys.executable, "-m", "tests.conftest", str(root)],
            cwd=Path(__file__).resolve().parents[1],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


_BUILDER = pytest.StashKey[subprocess.Popen]()


def demo_clone(demo_golden, tmp_path_factory: pytest.TempPathFactory, target: Path) -> str:
    """A copy of the demo deployment in `target`; its URL. Copies are made one at a time, as
    PostgreSQL copies a template only while nobody else is connected to it."""
    from tests.deployment import clone

    url, folder = demo_golden
    with FileLock(shared_folder(tmp_path_factory) / "demo-golden.lock"):
        return clone(url, folder, target, SERVER_URL)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The run's controller (not a worker) drops the shared demo database at the end."""
    config = session.config
    if hasattr(config, "workerinput"):
        return
    builder = config.stash.get(_BUILDER, None)
    if builder is not None:
        if builder.poll() is None:
            builder.terminate()
        builder.wait(timeout=30)
    folder = golden_folder(config._tmp_path_factory.getbasetemp())  # type: ignore[attr-defined]
    if (folder / "url.partial").exists():
        drop_database((folder / "url.partial").read_text())


@pytest.fixture
def demo_deployment(demo_golden, tmp_path_factory, tmp_path: Path):
    """A copy of the demo deployment of one's own: (database URL, data folder)."""
    copy = demo_clone(demo_golden, tmp_path_factory, tmp_path / "deployment")
    yield copy, tmp_path / "deployment"
    drop_database(copy)


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        database_url=database_url,
        secret_key="test-secret-key-of-decent-length",
        signin_rate_limit="5/minute",
        run_scheduler=False,  # tests drive jobs themselves, with the clock they choose
    )


@pytest.fixture
def app(settings: Settings, engine: Engine, connection: Connection, clock: FrozenClock):
    app = create_app(settings, clock=clock, engine=engine)

    def session_in_test_transaction() -> Iterator[Session]:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            yield session

    app.dependency_overrides[get_session] = session_in_test_transaction
    app.state.stream_session = app.state.write_session = lambda: Session(
        bind=connection, join_transaction_mode="create_savepoint"
    )
    return app


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    # https, because session cookies are Secure and a client only sends them over https.
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


if __name__ == "__main__":  # the background build started by pytest_sessionstart
    build_golden(Path(sys.argv[1]))
