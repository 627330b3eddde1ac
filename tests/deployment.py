"""A real deployment for tests: the CLI as a process, a demo database cloned per test, a server.

The demo takes tens of seconds, so each test run (each xdist worker) builds it once and every
test that needs it gets its own copy: a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on
PostgreSQL.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def _environment(env_extra, database_url, data_dir) -> dict[str, str]:
    """This environment without its PRONGSAI_* settings, plus the ones a command is given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRONGSAI_")}
    if database_url:
        env["PRONGSAI_DATABASE_URL"] = database_url
    if data_dir:
        env["PRONGSAI_DATA_DIR"] = str(data_dir)
    env.update(env_extra or {})
    return env


def run(*args, env_extra=None, stdin=None, database_url=None, data_dir=None):
    """Run `prongsai …` as an operator would, with only the given PRONGSAI_* settings."""
    return subprocess.run(
        [sys.executable, "-m", "prongsai.cli", *args],
        env=_environment(env_extra, database_url, data_dir),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def invoke(*args, env_extra=None, stdin=None, database_url=None, data_dir=None):
    """Run `prongsai …` in this process, as `run` does in a new one: the same entry point, the
    same PRONGSAI_* settings from the environment, standard input and output, and the exit
    status (argparse's included). A new interpreter costs about two seconds of start-up, so the
    tests of what a command does use this; `run` is kept for what only a process shows (the
    demo build, `serve`)."""
    from prongsai.cli import main

    env = _environment(env_extra, database_url, data_dir)
    saved_env, saved_stdin = dict(os.environ), sys.stdin
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    sys.stdin = io.StringIO(stdin or "")
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                status = main(list(args))
            except SystemExit as stop:  # argparse's usage errors and --help
                status = stop.code if isinstance(stop.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        sys.stdin = saved_stdin
    return subprocess.CompletedProcess(["prongsai", *args], status, out.getvalue(), err.getvalue())


def build_demo(url: str, data_dir: Path) -> None:
    """Migrate and load the demo, through the CLI."""
    for command in ("migrate", "demo"):
        result = run(command, database_url=url, data_dir=data_dir)
        assert result.returncode == 0, result.stderr


def clone(url: str, data_dir: Path, target_dir: Path, server_url: str) -> str:
    """A copy of a deployment (database and data folder); returns the copy's URL."""
    shutil.copytree(data_dir, target_dir, dirs_exist_ok=True)
    if not url.startswith("postgresql"):
        name = Path(make_url(url).database).name
        return f"sqlite:///{target_dir / name}"
    name = f"prongsai_test_copy_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(url: str, data_dir: Path) -> Iterator[str]:
    """`prongsai serve` on a free port until the block ends; yields the base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRONGSAI_")}
    env.update(PRONGSAI_DATABASE_URL=url, PRONGSAI_DATA_DIR=str(data_dir))
    process = subprocess.Popen(
        [sys.executable, "-m", "prongsai.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"the server did not start: {process.stderr.read1(4000)!r}")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a stream a browser left open holds the shutdown
            process.kill()
            process.wait()
        process.stderr.close()
