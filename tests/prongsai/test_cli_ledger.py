"""`prongsai ledger verify` and `checkpoint`, run as an operator or an outside auditor runs them."""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import text

from core.db import make_engine
from tests.prongsai.test_cli import run


@pytest.fixture
def demo_log(fresh_database, tmp_path):
    for command in ("migrate", "demo"):
        result = run(command, database_url=fresh_database, data_dir=tmp_path)
        assert result.returncode == 0, result.stderr
    return fresh_database


def tamper(url, statement, **params):
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(statement), params)
    engine.dispose()


def test_demo_log_is_signed_and_verifies(demo_log, tmp_path):
    result = run("ledger", "verify", database_url=demo_log, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "log verified: 10 entries, 1 signed checkpoints" in result.stdout


@pytest.mark.parametrize(
    ("statement", "bad_index"),
    [
        ("UPDATE ledger_entry SET entry = replace(entry, 'Siam', 'Sham') WHERE \"index\" = 3", 3),
        ('DELETE FROM ledger_entry WHERE "index" = 6', 6),
        ('UPDATE ledger_entry SET "index" = "index" + 100 WHERE "index" IN (7, 8)', 7),
    ],
    ids=["edited", "deleted", "reordered"],
)
def test_tampering_exits_non_zero_naming_the_first_bad_index(
    demo_log, tmp_path, statement, bad_index
):
    tamper(demo_log, statement)
    result = run("ledger", "verify", database_url=demo_log, data_dir=tmp_path)
    assert result.returncode == 1
    assert f"first bad index: {bad_index}" in result.stderr


def test_missing_signing_key_stops_start_up_and_is_not_regenerated(demo_log, tmp_path):
    key = tmp_path / "log-signing-key.pem"
    key.unlink()
    result = run("serve", "--port", "8998", database_url=demo_log, data_dir=tmp_path)
    assert result.returncode == 1
    assert "signing key is missing" in result.stderr
    assert not key.exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_verify_over_http_against_a_running_server(demo_log, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRONGSAI_")}
    env.update(PRONGSAI_DATABASE_URL=demo_log, PRONGSAI_DATA_DIR=str(tmp_path))
    server = subprocess.Popen(
        [sys.executable, "-m", "prongsai.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        result = run("ledger", "verify", "--url", base, data_dir=tmp_path / "auditor")
        assert result.returncode == 0, result.stderr
        assert "log verified: 10 entries" in result.stdout
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_verify_of_an_unreachable_server_says_so(tmp_path):
    result = run("ledger", "verify", "--url", f"http://127.0.0.1:{free_port()}", data_dir=tmp_path)
    assert result.returncode == 1
    assert "cannot read the log at" in result.stderr
