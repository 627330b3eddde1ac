"""`prongsai ledger verify` and `checkpoint`, run as an operator or an outside auditor runs them."""

import pytest
from sqlalchemy import text

from core.db import make_engine
from tests.deployment import free_port, invoke, run, serving


@pytest.fixture
def demo_log(demo_deployment):
    return demo_deployment[0]


@pytest.fixture
def data_dir(demo_deployment):
    return demo_deployment[1]


def entry_count(url) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT tree_size FROM ledger_head")).scalar_one()
    engine.dispose()
    return count


def tamper(url, statement, **params):
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(statement), params)
    engine.dispose()


def test_demo_log_is_signed_and_verifies(demo_log, data_dir):
    result = invoke("ledger", "verify", database_url=demo_log, data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert f"log verified: {entry_count(demo_log)} entries, 1 signed checkpoints" in result.stdout


@pytest.mark.parametrize(
    ("statement", "bad_index"),
    [
        ("UPDATE ledger_entry SET entry = replace(entry, 'Siam', 'Sham') WHERE \"index\" = 3", 3),
        ('DELETE FROM ledger_entry WHERE "index" = 6', 6),
        ('UPDATE ledger_entry SET "index" = "index" + 10000000 WHERE "index" IN (7, 8)', 7),
    ],
    ids=["edited", "deleted", "reordered"],
)
def test_tampering_exits_non_zero_naming_the_first_bad_index(
    demo_log, data_dir, statement, bad_index
):
    tamper(demo_log, statement)
    result = invoke("ledger", "verify", database_url=demo_log, data_dir=data_dir)
    assert result.returncode == 1
    assert f"first bad index: {bad_index}" in result.stderr


def test_missing_signing_key_stops_start_up_and_is_not_regenerated(demo_log, data_dir):
    key = data_dir / "log-signing-key.pem"
    key.unlink()
    result = run("serve", "--port", "8998", database_url=demo_log, data_dir=data_dir)
    assert result.returncode == 1
    assert "signing key is missing" in result.stderr
    assert not key.exists()


def test_verify_over_http_against_a_running_server(demo_deployment, tmp_path):
    url, data_dir = demo_deployment
    with serving(url, data_dir) as base:
        result = invoke("ledger", "verify", "--url", base, data_dir=tmp_path / "auditor")
    assert result.returncode == 0, result.stderr
    assert f"log verified: {entry_count(url)} entries" in result.stdout


def test_verify_of_an_unreachable_server_says_so(tmp_path):
    result = invoke(
        "ledger", "verify", "--url", f"http://127.0.0.1:{free_port()}", data_dir=tmp_path
    )
    assert result.returncode == 1
    assert "cannot read the log at" in result.stderr
