"""Appends from several processes at once never fork or reorder the tree."""

import json
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, select

from core.db import make_engine
from core.ledger import service
from core.ledger.keys import load_signer
from core.ledger.models import LedgerEntry
from core.ledger.verify import DatabaseSource, verify
from prongsai import schema
from tests.core.ledger.test_merkle import mth

WORKER = Path(__file__).with_name("_append_worker.py")
WRITERS, EACH = 4, 30


def test_concurrent_writers_build_one_consistent_tree(fresh_database, tmp_path):
    schema.upgrade(fresh_database)
    root_dir = Path(__file__).resolve().parents[3]
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), fresh_database, f"w{i}", str(EACH)], cwd=root_dir
        )
        for i in range(WRITERS)
    ]
    assert [w.wait(timeout=180) for w in workers] == [0] * WRITERS
    engine = make_engine(fresh_database)
    try:
        with Session(engine) as session:
            rows = session.exec(select(LedgerEntry).order_by(LedgerEntry.index)).all()
            assert [r.index for r in rows] == list(range(WRITERS * EACH))
            assert service.tree_size(session) == WRITERS * EACH
            # Each writer's entries appear in its own order, all of them, none twice.
            for i in range(WRITERS):
                mine = [json.loads(r.entry)["payload"] for r in rows]
                mine = [p["n"] for p in mine if p["writer"] == f"w{i}"]
                assert mine == list(range(EACH))
            leaves = [r.entry.encode() for r in rows]
            assert service.root_hash(session, size=len(leaves)) == mth(leaves)
            signer = load_signer(tmp_path / "key.pem", name="test/log", may_create=True)
            service.make_checkpoint(session, signer=signer, now=rows[-1].created_at)
            report = verify(DatabaseSource(session, signer.verifier_key))
            assert report.ok, report.problem
    finally:
        engine.dispose()
