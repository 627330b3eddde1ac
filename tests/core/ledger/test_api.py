"""The log's public endpoints, checked as a mirror or witness would check them."""

import base64
import hashlib

import pytest

from core.auth.models import Role
from core.ledger import service
from tests import factories
from tests.core.ledger import rfc9162


@pytest.fixture
def grown(client, session, clock, app):  # noqa: ARG001 -- requested for its effect; marks do not apply to fixtures
    items = [("test.thing.happened", {"n": i}, None) for i in range(1005)]
    service.append_many(session, items=items, now=clock())
    session.commit()
    service.make_checkpoint(session, signer=app.state.log_signer, now=clock())
    return 1005


def test_checkpoint_json_and_note_agree(client, grown):
    body = client.get("/api/ledger/checkpoint").json()
    assert body["tree_size"] == grown
    assert len(body["root_hash"]) == 64
    assert body["root_hash"] == body["root_hash"].lower()
    note = client.get("/api/ledger/checkpoint.txt")
    assert note.headers["content-type"].startswith("text/plain")
    assert note.text == body["note"]
    _origin, size, root_b64 = note.text.split("\n")[:3]
    assert int(size) == grown
    assert base64.b64decode(root_b64).hex() == body["root_hash"]


@pytest.mark.usefixtures("grown")
def test_public_key_verifies_the_checkpoint_signature(client):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = client.get("/api/ledger/public-key").json()["verifier_key"]
    name, key_id, encoded = key.split("+", 2)
    raw = base64.b64decode(encoded)
    assert raw[0] == 1
    assert len(raw) == 33
    assert hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex() == key_id
    note = client.get("/api/ledger/checkpoint.txt").text
    body, signature_line = note[: note.index("\n\n") + 1], note.split("\n")[4]
    assert signature_line.startswith(f"— {name} ")
    signature = base64.b64decode(signature_line.split(" ")[2])
    assert signature[:4].hex() == key_id
    Ed25519PublicKey.from_public_bytes(raw[1:]).verify(signature[4:], body.encode())


def test_entries_come_in_pages_of_at_most_1000(client, grown):
    page = client.get("/api/ledger/entries", params={"start": 0, "end": 5000}).json()
    assert len(page["entries"]) == 1000
    assert page["tree_size"] == grown
    tail = client.get("/api/ledger/entries", params={"start": 1000, "end": 5000}).json()
    assert [e["index"] for e in tail["entries"]] == [1000, 1001, 1002, 1003, 1004]
    for item in tail["entries"]:
        leaf = hashlib.sha256(b"\x00" + item["entry"].encode()).hexdigest()
        assert item["leaf_hash"] == leaf


def test_inclusion_proofs_verify_against_the_signed_root(client, grown):
    root = bytes.fromhex(client.get("/api/ledger/checkpoint").json()["root_hash"])
    for index in (0, 1, 511, 512, 1000, 1004):
        proof = client.get(
            "/api/ledger/proof/inclusion", params={"index": index, "tree_size": grown}
        ).json()
        entry = client.get("/api/ledger/entries", params={"start": index, "end": index + 1})
        leaf = hashlib.sha256(b"\x00" + entry.json()["entries"][0]["entry"].encode()).digest()
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        assert rfc9162.verify_inclusion(leaf, index, grown, path, root)
        assert not rfc9162.verify_inclusion(leaf, index ^ 1, grown, path, root)


def test_consistency_proofs_verify_between_checkpoints(client, session, clock, app, grown):
    old = client.get("/api/ledger/checkpoint").json()
    service.append(session, entry_type="test.thing.happened", payload={"n": "more"}, now=clock())
    session.commit()
    service.make_checkpoint(session, signer=app.state.log_signer, now=clock())
    new = client.get("/api/ledger/checkpoint").json()
    proof = client.get(
        "/api/ledger/proof/consistency",
        params={"first": old["tree_size"], "second": new["tree_size"]},
    ).json()
    path = [bytes.fromhex(h) for h in proof["consistency_path"]]
    assert rfc9162.verify_consistency(
        old["tree_size"],
        new["tree_size"],
        bytes.fromhex(old["root_hash"]),
        bytes.fromhex(new["root_hash"]),
        path,
    )
    history = client.get("/api/ledger/checkpoints").json()["checkpoints"]
    assert [c["tree_size"] for c in history] == [grown, grown + 1]


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("proof/inclusion", {"index": 1005, "tree_size": 1005}, "between 0 and 1004"),
        ("proof/inclusion", {"index": 0, "tree_size": 2000}, "between 0 and 1005"),
        ("proof/inclusion", {"index": 0, "tree_size": -1}, "between 0 and 1005"),
        ("proof/consistency", {"first": 10, "second": 5}, "first must be between 0 and second"),
        ("proof/consistency", {"first": 1, "second": 9999}, "between 0 and 1005"),
        ("entries", {"start": 2000, "end": 3000}, "start must be between 0 and 1005"),
        ("entries", {"start": -1, "end": 3}, "0 <= start <= end"),
    ],
)
@pytest.mark.usefixtures("grown")
def test_bad_indices_answer_400_with_the_valid_range(client, path, params, message):
    response = client.get(f"/api/ledger/{path}", params=params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_no_checkpoint_yet_is_a_helpful_404(client):
    response = client.get("/api/ledger/checkpoint")
    assert response.status_code == 404
    assert "No checkpoint has been signed yet" in response.json()["detail"]


def test_only_admins_and_auditors_may_sign_on_demand(client, session, clock, grown):
    supplier = factories.user(session, role=Role.SUPPLIER, now=clock())
    auditor = factories.user(session, role=Role.AUDITOR, now=clock())

    def token(user):
        body = {"email": user.email, "password": factories.PASSWORD}
        return {
            "Authorization": f"Bearer {client.post('/api/auth/tokens', json=body).json()['token']}"
        }

    assert client.post("/api/ledger/checkpoint", headers=token(supplier)).status_code == 403
    signed = client.post("/api/ledger/checkpoint", headers=token(auditor))
    assert signed.status_code == 200
    # Registering organisations (in the factories) grew the log beyond the fixture's checkpoint.
    assert signed.json()["tree_size"] == service.tree_size(session) > grown
