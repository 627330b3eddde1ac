"""`prongsai backup` and `prongsai restore` as an operator runs them, on the database under test."""

from __future__ import annotations

import json
import stat

import pytest
from sqlmodel import Session

from core.clock import system_clock
from core.db import make_engine
from core.ledger import service as ledger
from core.settings import load_settings
from prongsai import cli
from tests.conftest import create_database, drop_database

DOCUMENT = b"%PDF-1.4 a title deed\n"


@pytest.fixture
def deployment(fresh_database, tmp_path, monkeypatch):
    """A migrated deployment: three log entries, a signed checkpoint, an upload, the opening key."""
    data = tmp_path / "source"
    use(monkeypatch, fresh_database, data)
    assert cli.main(["migrate"]) == 0
    append(fresh_database, 3)
    assert cli.main(["ledger", "checkpoint"]) == 0
    (data / "uploads" / "ab").mkdir(parents=True)
    (data / "uploads" / "ab" / "deed").write_bytes(DOCUMENT)
    (data / "opening-key").write_bytes(b"k" * 32)  # as the first published tender makes it
    (data / "opening-key").chmod(0o600)
    return fresh_database, data


@pytest.fixture
def target(tmp_path):
    url = create_database(tmp_path, "target")
    yield url, tmp_path / "target"
    drop_database(url)


def use(monkeypatch, url, data):
    monkeypatch.setenv("PRONGSAI_DATABASE_URL", url)
    monkeypatch.setenv("PRONGSAI_DATA_DIR", str(data))


def append(url, count):
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            for n in range(count):
                ledger.append(
                    session, entry_type="test.thing.happened", payload={"n": n}, now=system_clock()
                )
            session.commit()
    finally:
        engine.dispose()


def tree_size(url):
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return ledger.tree_size(session)
    finally:
        engine.dispose()


def test_a_backup_restores_into_a_new_deployment_whose_log_goes_on(
    deployment, target, tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "backup"
    assert cli.main(["backup", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert "log signed up to 3 entries" in out
    assert "opening key beside the database" in err  # the warning an operator must read
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(k.stat().st_mode) == 0o600 for k in (folder / "keys").iterdir())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["checkpoint"]["tree_size"] == 3
    assert "files/uploads/ab/deed" in manifest["files"]

    append(deployment[0], 2)  # the original goes on after the backup; the restore does not see it
    url, data = target
    use(monkeypatch, url, data)
    assert cli.main(["restore", str(folder)]) == 0
    assert "log verified: 3 entries, 1 signed checkpoints" in capsys.readouterr().out
    assert (data / "uploads" / "ab" / "deed").read_bytes() == DOCUMENT
    source_key = (deployment[1] / "log-signing-key.pem").read_bytes()
    assert (data / "log-signing-key.pem").read_bytes() == source_key

    # The restored deployment signs on, consistently with the checkpoint signed before.
    append(url, 1)
    assert cli.main(["ledger", "checkpoint"]) == 0
    assert cli.main(["ledger", "verify"]) == 0
    assert "4 entries, 2 signed checkpoints" in capsys.readouterr().out


def test_a_live_database_is_replaced_only_with_force_and_never_from_a_changed_backup(
    deployment, tmp_path, capsys
):
    url, _ = deployment
    folder = tmp_path / "backup"
    assert cli.main(["backup", str(folder)]) == 0
    append(url, 2)
    capsys.readouterr()

    assert cli.main(["restore", str(folder)]) == 1
    assert "holds a deployment (5 log entries)" in capsys.readouterr().err
    assert tree_size(url) == 5  # nothing changed

    database = next(p for p in folder.iterdir() if p.name.startswith("database."))
    original = database.read_bytes()
    changed = bytearray(original)
    changed[len(changed) // 2] ^= 1
    database.write_bytes(bytes(changed))
    assert cli.main(["restore", str(folder), "--force"]) == 1
    assert "changed since it was made; nothing was restored" in capsys.readouterr().err
    assert tree_size(url) == 5

    database.write_bytes(original)
    assert cli.main(["restore", str(folder), "--force"]) == 0
    assert tree_size(url) == 3


@pytest.mark.usefixtures("deployment")
def test_backups_go_to_an_empty_folder_and_an_opening_key_left_out_must_be_put_back(
    target, tmp_path, monkeypatch, capsys
):
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "something").write_text("x")
    assert cli.main(["backup", str(occupied)]) == 1
    assert "is not an empty folder" in capsys.readouterr().err

    folder = tmp_path / "backup"
    assert cli.main(["backup", str(folder), "--without-opening-key"]) == 0
    assert not (folder / "keys" / "opening-key").exists()
    url, target_data = target
    use(monkeypatch, url, target_data)
    capsys.readouterr()
    assert cli.main(["restore", str(folder)]) == 1
    assert f"put it at {target_data / 'opening-key'}" in capsys.readouterr().err
    assert load_settings().opening_key_path == target_data / "opening-key"
    (target_data / "opening-key").write_bytes(b"k" * 32)
    assert cli.main(["restore", str(folder)]) == 0
