"""Amendments that bring new PDF documents, and invitations to selective tenders."""

from __future__ import annotations

import base64
import hashlib
import json
from email import message_from_bytes, policy

import pytest
from sqlmodel import func, select

from core.auth.models import Organisation
from core.settings import Settings
from procurement.publishing import notifications
from procurement.publishing.models import Notification
from procurement.tenders.models import Document
from tests.procurement import factories as f
from tests.procurement.test_views import post_form, sign_in

ADDENDUM = b"%PDF-1.4\n% addendum: revised drainage drawings\n%%EOF\n"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"procurement_max_document_bytes": 2_000})


def pdf_body(content: bytes, title: str = "Addendum 1 - drainage drawings") -> dict:
    return {"title": title, "content_base64": base64.b64encode(content).decode()}


@pytest.mark.usefixtures("settings")
def test_an_amendment_publishes_new_pdfs_with_their_sha256(client, session, clock):
    _, buyer_h = f.buyer(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h)
    tid = tender["id"]
    amended = client.post(
        f"/api/tenders/{tid}/amendments",
        headers=buyer_h,
        json={
            "rationale": "Revised drainage drawings are attached.",
            "documents": [pdf_body(ADDENDUM)],
        },
    )
    assert amended.status_code == 201, amended.text
    digest = hashlib.sha256(ADDENDUM).hexdigest()
    view = amended.json()
    assert view["version"] == 2
    amendment = view["amendments"][0]
    assert [d["sha256"] for d in amendment["documents"]] == [digest]
    assert digest in amendment["changes"]["documents"][1]
    document = next(d for d in view["documents"] if d["sha256"] == digest)
    assert document["amendment_version"] == 2
    download = client.get(f"/tenders/{tid}/documents/{document['id']}")
    assert download.content == ADDENDUM
    assert download.headers["x-content-sha256"] == digest

    page = client.get(f"/tenders/{tid}").text
    assert "Documents added by this amendment:" in page
    assert "Addendum 1 - drainage drawings" in page
    releases = client.get("/api/ocds/releases", params={"limit": 100}).json()["releases"]
    release = next(r for r in releases if "tenderAmendment" in r["tag"])
    published = [d for d in release["tender"]["documents"] if digest in d["description"]]
    assert published
    assert "added by amendment 2" in published[0]["description"]
    assert digest in release["tender"]["amendments"][0]["description"]
    entries = client.get("/api/ledger/entries", params={"start": 0, "end": 1000}).json()
    amended_entry = next(
        json.loads(e["entry"])
        for e in entries["entries"]
        if '"procurement.tender.amended"' in e["entry"]
    )
    assert amended_entry["payload"]["documents"] == [
        {"title": "Addendum 1 - drainage drawings", "sha256": digest, "size": len(ADDENDUM)}
    ]


def test_an_amendment_with_a_bad_document_changes_nothing(client, session, clock, settings):
    _, buyer_h = f.buyer(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h)
    url = f"/api/tenders/{tender['id']}/amendments"
    cases = [
        (pdf_body(b"GIF89a not a pdf", "Photo"), "must be PDF files"),
        (pdf_body(b"%PDF-1.4\n" + b"0" * 3_000, "Huge drawing"), "larger than 2,000 bytes"),
        ({"title": "Broken", "content_base64": "***"}, "not valid base64"),
    ]
    for document, message in cases:
        response = client.post(
            url,
            headers=buyer_h,
            json={
                "rationale": "A new description and a document.",
                "description": "Changed.",
                "documents": [pdf_body(ADDENDUM), document],
            },
        )
        assert response.status_code == 422, document["title"]
        assert message in response.json()["detail"]
    after = client.get(f"/api/tenders/{tender['id']}").json()
    assert after["version"] == 1
    assert after["amendments"] == []
    assert session.exec(select(func.count()).select_from(Document)).one() == 0
    assert not (settings.data_dir / "documents").exists()


@pytest.mark.usefixtures("settings")
def test_the_buyer_attaches_a_pdf_to_an_amendment_through_the_form(client, session, clock):
    buyer, buyer_h = f.buyer(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h)
    sign_in(client, buyer)
    manage = f"/buyer/tenders/{tender['id']}"
    assert 'enctype="multipart/form-data"' in client.get(manage).text.split('id="amend"')[1]
    refused = post_form(
        client,
        manage,
        f"{manage}/amend",
        {"rationale": "Drawings attached."},
        files={"documents": ("photo.gif", b"GIF89a", "image/gif")},
    )
    assert refused.status_code == 422
    assert "must be PDF files" in refused.text
    sent = post_form(
        client,
        manage,
        f"{manage}/amend",
        {"rationale": "Drawings attached."},
        files={"documents": ("drawings.pdf", ADDENDUM, "application/pdf")},
    )
    assert sent.status_code == 303, sent.text
    client.cookies.clear()
    page = client.get(f"/tenders/{tender['id']}").text
    assert "drawings.pdf" in page
    assert hashlib.sha256(ADDENDUM).hexdigest() in page
    assert "Amendment — version 2" in page


def test_invited_suppliers_are_notified_when_a_selective_tender_is_published(
    client, session, clock, tmp_path
):
    _, buyer_h = f.buyer(client, session, clock())
    invited, _ = f.supplier(client, session, clock())
    other, _ = f.supplier(client, session, clock())
    slug = session.get(Organisation, invited.organisation_id).slug
    unknown = client.post(
        "/api/tenders",
        headers=buyer_h,
        json=f.draft_body(clock(), method="selective", invited_suppliers=[slug, "no-such-company"]),
    )
    assert unknown.status_code == 422
    assert "no supplier company is registered as 'no-such-company'" in unknown.json()["detail"]
    tender = f.published_tender(
        client, session, clock, buyer_h, method="selective", invited_suppliers=[slug]
    )
    notes = session.exec(select(Notification)).all()
    assert [n.organisation_id for n in notes] == [invited.organisation_id]
    assert notes[0].subject.startswith(f"You are invited to bid on tender {tender['id']}")
    f.published_tender(client, session, clock, buyer_h, title="An open tender invites no one")
    assert session.exec(select(func.count()).select_from(Notification)).one() == 1
    outbox = Settings(data_dir=tmp_path, secret_key="k" * 32)
    assert notifications.deliver_pending(session, settings=outbox, now=clock()) == 1
    mail = message_from_bytes(
        next((tmp_path / "outbox").iterdir()).read_bytes(), policy=policy.default
    )
    assert invited.email in mail["To"]
    assert other.email not in mail["To"]
    body = mail.get_content()
    assert tender["title"] in body
    assert f"/tenders/{tender['id']}" in body
