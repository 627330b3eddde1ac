"""`ledger verify`: an honest log passes; each kind of tampering is caught at its index."""

import pytest
from sqlalchemy import text

from core.ledger import service, verify
from core.ledger.keys import load_signer


@pytest.fixture
def signer(tmp_path):
    return load_signer(tmp_path / "key.pem", name="test.example/log", may_create=True)


@pytest.fixture
def log(session, clock, signer):
    """40 entries with checkpoints at 10, 25 and 40."""
    for count in (10, 15, 15):
        start = service.tree_size(session)
        service.append_many(
            session,
            items=[("test.thing.happened", {"n": start + i}, None) for i in range(count)],
            now=clock(),
        )
        session.commit()
        service.make_checkpoint(session, signer=signer, now=clock())
    return session


def check(session, signer):
    return verify.verify(verify.DatabaseSource(session, signer.verifier_key))


def test_an_honest_log_verifies(log, signer):
    report = check(log, signer)
    assert report.ok, report.problem
    assert (report.tree_size, report.checkpoints) == (40, 3)


def test_an_honest_log_verifies_over_http(client, session, clock, app):
    service.append_many(
        session, items=[("test.thing.happened", {"n": i}, None) for i in range(30)], now=clock()
    )
    session.commit()
    service.make_checkpoint(session, signer=app.state.log_signer, now=clock())
    report = verify.verify(verify.HttpSource("https://testserver", client=client))
    assert report.ok, report.problem
    assert report.tree_size == 30


def test_an_edited_entry_is_named(log, signer):
    log.exec(
        text('UPDATE ledger_entry SET entry = replace(entry, :old, :new) WHERE "index" = 17'),
        params={"old": '"n":17', "new": '"n":71'},
    )
    report = check(log, signer)
    assert not report.ok
    assert report.bad_index == 17


def test_an_edited_entry_with_its_hashes_recomputed_is_caught_by_the_signed_root(log, signer):
    import hashlib

    row = log.exec(text('SELECT entry FROM ledger_entry WHERE "index" = 12')).one()
    forged = row.entry.replace('"n":12', '"n":21')
    leaf = hashlib.sha256(b"\x00" + forged.encode()).digest()
    log.exec(
        text('UPDATE ledger_entry SET entry = :e, leaf_hash = :h WHERE "index" = 12'),
        params={"e": forged, "h": leaf},
    )
    log.exec(
        text('UPDATE ledger_node SET hash = :h WHERE level = 0 AND "index" = 12'),
        params={"h": leaf},
    )
    report = check(log, signer)
    assert not report.ok
    assert report.bad_index == 10  # the first entry after the last checkpoint that still holds
    assert "signed at size 25" in report.problem


def test_a_deleted_entry_is_named(log, signer):
    log.exec(text('DELETE FROM ledger_entry WHERE "index" = 5'))
    report = check(log, signer)
    assert not report.ok
    assert report.bad_index == 5


def test_reordered_entries_are_named(log, signer):
    for old, new in ((30, -1), (31, 30), (-1, 31)):
        log.exec(
            text('UPDATE ledger_entry SET "index" = :new WHERE "index" = :old'),
            params={"old": old, "new": new},
        )
    report = check(log, signer)
    assert not report.ok
    assert report.bad_index == 30


def test_a_forged_checkpoint_signature_is_refused(log, signer):
    log.exec(text("UPDATE ledger_checkpoint SET note = replace(note, '\n25\n', '\n26\n')"))
    report = check(log, signer)
    assert not report.ok
    assert "checkpoint" in report.problem


def test_a_truncated_log_is_refused(log, signer):
    log.exec(text('DELETE FROM ledger_entry WHERE "index" >= 38'))
    log.exec(text("UPDATE ledger_head SET tree_size = 38"))
    report = check(log, signer)
    assert not report.ok
    assert report.bad_index == 38
