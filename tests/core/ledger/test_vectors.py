"""Run the transparency-dev/merkle proof vectors through both proof verifiers."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from core.ledger import merkle
from tests.core.ledger import rfc9162

VECTORS = Path(__file__).parents[2] / "data" / "tlog-vectors"
INCLUSION = sorted((VECTORS / "inclusion").glob("**/*.json"))
CONSISTENCY = sorted((VECTORS / "consistency").glob("**/*.json"))


def b64(value: str | None) -> bytes:
    """Decode a standard base64 field, treating null as empty."""
    return base64.b64decode(value or "", validate=True)


def load(path: Path) -> dict[str, Any]:
    """Return one vector file as a dict."""
    return json.loads(path.read_text(encoding="utf-8"))


def vector_id(path: Path) -> str:
    """Return the vector's path relative to the vectors folder, as a test id."""
    return path.relative_to(VECTORS).as_posix()


def test_vectors_are_present() -> None:
    assert (VECTORS / "README.md").is_file()
    # 98 + 98 files were copied from transparency-dev/merkle; fewer means a broken copy.
    assert (len(INCLUSION), len(CONSISTENCY)) == (98, 98)


@pytest.mark.parametrize("path", INCLUSION, ids=vector_id)
def test_inclusion_vector(path: Path) -> None:
    case = load(path)
    args = (
        b64(case["leafHash"]),
        case["leafIdx"],
        case["treeSize"],
        [b64(p) for p in case["proof"] or []],
        b64(case["root"]),
    )
    want = not case["wantErr"]
    assert merkle.verify_inclusion(*args) is want, case["desc"]
    assert rfc9162.verify_inclusion(*args) is want, case["desc"]


@pytest.mark.parametrize("path", CONSISTENCY, ids=vector_id)
def test_consistency_vector(path: Path) -> None:
    case = load(path)
    args = (
        case["size1"],
        case["size2"],
        b64(case["root1"]),
        b64(case["root2"]),
        [b64(p) for p in case["proof"] or []],
    )
    want = not case["wantErr"]
    assert merkle.verify_consistency(*args) is want, case["desc"]
    assert rfc9162.verify_consistency(*args) is want, case["desc"]
