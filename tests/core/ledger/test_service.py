"""The log in the database: append, proofs and checkpoints, checked by the RFC verifier."""

import hashlib
import json
import stat

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, select

from core.errors import InvalidInput
from core.ledger import keys, merkle, service
from core.ledger.exceptions import LedgerInconsistent, LedgerRangeError
from core.ledger.keys import SigningKeyError
from core.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerNode
from core.settings import Settings
from tests.core.ledger import rfc9162
from tests.core.ledger.test_merkle import mth


@pytest.fixture
def signer(tmp_path):
    return keys.load_signer(tmp_path / "key.pem", name="test.example/log", may_create=True)


def add(session, n, clock, start=0):
    items = [("test.thing.happened", {"n": start + i, "text": "ข้อมูล"}, None) for i in range(n)]
    entries = service.append_many(session, items=items, now=clock())
    session.commit()
    return entries


def stored_leaves(session):
    rows = session.exec(select(LedgerEntry).order_by(LedgerEntry.index))
    return [row.entry.encode() for row in rows]


def test_entry_is_canonical_json_of_type_time_and_payload(session, clock):
    entry = service.append(
        session,
        entry_type="core.organisation.registered",
        payload={"z": 1, "a": "ไทย", "nested": {"b": [1, 2]}},
        now=clock(),
    )
    session.commit()
    assert entry.entry == (
        '{"payload":{"a":"ไทย","nested":{"b":[1,2]},"z":1},'
        '"time":"2026-11-26T03:00:00.000000Z","type":"core.organisation.registered"}'
    )
    assert entry.leaf_hash == hashlib.sha256(b"\x00" + entry.entry.encode("utf-8")).digest()
    assert json.loads(entry.entry)["payload"]["a"] == "ไทย"


@pytest.mark.parametrize("payload", [{"price": 1.5}, {"list": [0.1]}])
def test_floats_are_refused_as_they_have_no_canonical_text(session, clock, payload):
    with pytest.raises(ValueError, match="no floats"):
        service.append(session, entry_type="test.thing.happened", payload=payload, now=clock())


def test_entry_type_must_be_domain_subject_action(session, clock):
    with pytest.raises(ValueError, match=r"domain\.subject\.action"):
        service.append(session, entry_type="Tender Published", payload={}, now=clock())


def test_root_and_every_proof_match_the_rfc_for_every_size(session, clock):
    roots = {0: service.root_hash(session, size=0)}
    for size in range(1, 34):
        add(session, 1, clock, start=size)
        roots[size] = service.root_hash(session, size=size)
    leaves = stored_leaves(session)
    for size, root in roots.items():
        assert root == mth(leaves[:size])
        for index in range(size):
            path = service.inclusion_proof(session, index=index, size=size)
            leaf = hashlib.sha256(b"\x00" + leaves[index]).digest()
            assert rfc9162.verify_inclusion(leaf, index, size, path, root)
        for first in range(1, size + 1):
            path = service.consistency_proof(session, first=first, second=size)
            assert rfc9162.verify_consistency(first, size, roots[first], root, path)


def test_a_batch_stores_the_rows_single_appends_store(session, clock):
    """append_many writes its rows through the driver (COPY on PostgreSQL): the entries, their
    times and every node must be what one append at a time stores, read back through the ORM."""
    add(session, 5, clock)
    batch = add(session, 40, clock, start=5)
    add(session, 1, clock, start=45)
    rows = session.exec(select(LedgerEntry).order_by(LedgerEntry.index)).all()
    assert [row.index for row in rows] == list(range(46))
    assert [e.index for e in batch] == list(range(5, 45))
    assert all(row.created_at == clock() for row in rows)
    for entry, row in zip(batch, rows[5:45], strict=True):
        assert (entry.entry, entry.leaf_hash, entry.entry_type) == (
            row.entry,
            row.leaf_hash,
            row.entry_type,
        )
        assert row.leaf_hash == hashlib.sha256(b"\x00" + row.entry.encode()).digest()
    nodes = {(n.level, n.index): n.hash for n in session.exec(select(LedgerNode))}
    assert nodes == merkle.MemoryTree(stored_leaves(session)).nodes


def test_a_subject_with_nul_is_refused_on_both_databases(session, clock):
    with pytest.raises(InvalidInput):
        service.append(
            session, entry_type="test.thing.happened", payload={}, now=clock(), subject="a\x00b"
        )


def test_a_rolled_back_change_leaves_no_entry(session, clock):
    add(session, 3, clock)
    service.append(session, entry_type="test.thing.happened", payload={"n": 99}, now=clock())
    session.rollback()
    assert service.tree_size(session) == 3
    assert service.root_hash(session, size=3) == mth(stored_leaves(session))


def test_appends_after_a_rollback_or_another_writer_still_build_the_rfc_tree(
    session, clock, connection
):
    """A session keeps the tree's right edge between appends; neither a rolled-back append nor
    another writer's append may leave it building on an edge that is no longer the tree's."""
    add(session, 5, clock)
    with session.begin_nested():
        service.append(session, entry_type="test.thing.happened", payload={"n": -1}, now=clock())
        session.flush()
        session.rollback()
    with Session(bind=connection, join_transaction_mode="create_savepoint") as other:
        add(other, 1, clock, start=5)  # the tree is back to the size the rolled-back append made
    add(session, 4, clock, start=6)
    with Session(bind=connection, join_transaction_mode="create_savepoint") as other:
        add(other, 3, clock, start=10)
    add(session, 1, clock, start=13)
    leaves = stored_leaves(session)
    assert [json.loads(leaf)["payload"]["n"] for leaf in leaves] == list(range(14))
    assert service.root_hash(session, size=14) == mth(leaves)
    for index in range(14):
        path = service.inclusion_proof(session, index=index, size=14)
        leaf = hashlib.sha256(b"\x00" + leaves[index]).digest()
        assert rfc9162.verify_inclusion(leaf, index, 14, path, mth(leaves))


def test_append_and_proofs_read_a_bounded_number_of_rows(session, clock, connection):
    add(session, 1500, clock)
    statements = []

    def note(_conn, _cursor, statement, _parameters, _context, _executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", note)
    try:
        statements.clear()
        service.inclusion_proof(session, index=700, size=1500)
        proof_statements = len(statements)
        statements.clear()
        service.consistency_proof(session, first=777, second=1500)
        consistency_statements = len(statements)
        statements.clear()
        service.append(session, entry_type="test.thing.happened", payload={}, now=clock())
        session.flush()
        append_reads = list(statements)
    finally:
        event.remove(connection, "before_cursor_execute", note)
    # One read of the tree size and one batched read of O(log n) nodes, whatever the size.
    assert proof_statements <= 2
    assert consistency_statements <= 2
    assert len(append_reads) <= 2


def test_out_of_range_requests_name_the_valid_range(session, clock):
    add(session, 5, clock)
    with pytest.raises(LedgerRangeError, match="between 0 and 4"):
        service.inclusion_proof(session, index=5, size=5)
    with pytest.raises(LedgerRangeError, match="between 0 and 5"):
        service.inclusion_proof(session, index=0, size=6)
    with pytest.raises(LedgerRangeError, match="first must be between 0 and second"):
        service.consistency_proof(session, first=4, second=3)
    with pytest.raises(LedgerRangeError, match="between 0 and 5"):
        service.root_hash(session, size=-1)


def test_checkpoint_is_a_signed_note_of_the_current_root(session, clock, signer):
    add(session, 10, clock)
    checkpoint = service.make_checkpoint(session, signer=signer, now=clock())
    lines = checkpoint.note.split("\n")
    assert lines[0] == "test.example/log"
    assert lines[1] == "10"
    assert lines[2] == __import__("base64").b64encode(mth(stored_leaves(session))).decode()
    assert lines[3] == ""
    assert lines[4].startswith("— test.example/log ")
    # Independent check of the Ed25519 signature and the 4-byte key ID prefix.
    raw = __import__("base64").b64decode(lines[4].split(" ")[2])
    public = signer.private_key.public_key()
    public.verify(raw[4:], "\n".join(lines[:3]).encode() + b"\n")
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key_bytes = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert raw[:4] == hashlib.sha256(b"test.example/log\n\x01" + key_bytes).digest()[:4]


def test_no_new_checkpoint_until_the_log_grows(session, clock, signer):
    add(session, 2, clock)
    first = service.make_checkpoint(session, signer=signer, now=clock())
    assert service.make_checkpoint(session, signer=signer, now=clock()).id == first.id
    add(session, 1, clock)
    assert service.make_checkpoint(session, signer=signer, now=clock()).tree_size == 3


def test_never_signs_a_tree_inconsistent_with_an_earlier_checkpoint(session, clock, signer):
    add(session, 4, clock)
    service.make_checkpoint(session, signer=signer, now=clock())
    # Someone rewrites history: the stored hash of the subtree of leaves 0..3 changes.
    session.exec(
        text('UPDATE ledger_node SET hash = :h WHERE level = 2 AND "index" = 0'),
        params={"h": b"\x07" * 32},
    )
    add(session, 1, clock)
    with pytest.raises(LedgerInconsistent, match="not consistent"):
        service.make_checkpoint(session, signer=signer, now=clock())
    sizes = session.exec(select(LedgerCheckpoint.tree_size)).all()
    assert sizes == [4]


def test_signing_key_is_made_for_an_empty_log_with_owner_only_mode(session, tmp_path):
    settings = Settings(data_dir=tmp_path / "var", secret_key="x" * 32)
    signer = service.open_signer(session, settings=settings)
    assert stat.S_IMODE(settings.signing_key_path.stat().st_mode) == 0o600
    assert service.open_signer(session, settings=settings).key_id == signer.key_id


def test_missing_key_over_an_existing_log_stops_with_a_clear_message(session, clock, tmp_path):
    add(session, 1, clock)
    settings = Settings(data_dir=tmp_path / "var", secret_key="x" * 32)
    with pytest.raises(SigningKeyError, match=r"missing .* never made over an existing log"):
        service.open_signer(session, settings=settings)
    assert not settings.signing_key_path.exists()


def test_a_different_key_than_the_one_that_signed_is_refused(session, clock, tmp_path, signer):
    add(session, 1, clock)
    settings = Settings(data_dir=tmp_path / "var", secret_key="x" * 32, log_origin=signer.name)
    service.make_checkpoint(session, signer=signer, now=clock())
    keys.load_signer(settings.signing_key_path, name=signer.name, may_create=True)  # another key
    with pytest.raises(SigningKeyError, match="not the key that signed"):
        service.open_signer(session, settings=settings)


def test_unreadable_key_file_is_reported(tmp_path):
    path = tmp_path / "key.pem"
    path.write_text("not a key")
    with pytest.raises(SigningKeyError, match="cannot be read"):
        keys.load_signer(path, name="x", may_create=False)
