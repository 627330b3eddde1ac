"""Every procurement e-mail, one test per kind: subject and body in both languages, the Thai
half in Thai (never the English repeated, no field codes), every placeholder filled."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from core import i18n
from core.auth.models import Organisation
from procurement.publishing.models import Notification
from prongsai.app import LOCALE_DIR
from tests.emails import assert_bilingual
from tests.procurement import factories as f


@pytest.fixture(autouse=True)
def catalogues():
    i18n.use_catalogues(LOCALE_DIR)


def notes_to(session, user) -> list[Notification]:
    return list(
        session.exec(
            select(Notification)
            .where(Notification.organisation_id == user.organisation_id)
            .order_by(col(Notification.id))
        )
    )


def name_of(session, user) -> str:
    return session.get_one(Organisation, user.organisation_id).name


@pytest.fixture
def bidding(client, session, clock):
    """A published tender with one bid, and its buyer."""
    buyer, buyer_h = f.buyer(client, session, clock())
    supplier, supplier_h = f.supplier(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h)
    bid = client.post(
        f"/api/tenders/{tender['id']}/bids", json=f.bid_body(5000), headers=supplier_h
    )
    assert bid.status_code == 201, bid.text
    return tender, (buyer, buyer_h), (supplier, supplier_h)


def test_the_invitation_to_a_selective_tender(client, session, clock):
    buyer, buyer_h = f.buyer(client, session, clock())
    invited, _ = f.supplier(client, session, clock())
    slug = session.get_one(Organisation, invited.organisation_id).slug
    tender = f.published_tender(
        client, session, clock, buyer_h, method="selective", invited_suppliers=[slug]
    )
    [note] = notes_to(session, invited)
    said = assert_bilingual(
        note.subject,
        note.body,
        values=(tender["title"], name_of(session, buyer), name_of(session, invited)),
    )
    assert "2569" in said["th"][1]  # the deadline in the Buddhist era
    assert "2026" in said["en"][1]


def test_the_answer_to_a_question(client, session, bidding):
    tender, (_, buyer_h), (supplier, supplier_h) = bidding
    question, answer = "May we bid for part of the works?", "No, the works are one lot."
    asked = client.post(
        f"/api/tenders/{tender['id']}/questions", headers=supplier_h, json={"question": question}
    )
    client.post(
        f"/api/questions/{asked.json()['id']}/answer", json={"answer": answer}, headers=buyer_h
    )
    note = notes_to(session, supplier)[-1]
    said = assert_bilingual(note.subject, note.body, values=(question, answer))
    assert answer in said["th"][1]


def test_an_amendment_names_what_changed_by_its_label(client, session, bidding):
    tender, (_, buyer_h), (supplier, _) = bidding
    rationale = "Typo in the drainage spec"
    amended = client.post(
        f"/api/tenders/{tender['id']}/amendments",
        headers=buyer_h,
        json={"rationale": rationale, "description": "Corrected.", "title": "Road works"},
    )
    assert amended.status_code == 201, amended.text
    note = notes_to(session, supplier)[-1]
    said = assert_bilingual(note.subject, note.body, values=(rationale,))
    assert "Changed: Title, Description" in said["en"][1]
    assert "รายการที่แก้ไข: ชื่อเรื่อง, รายละเอียด" in said["th"][1]
    assert "description" not in note.body


def test_a_cancellation_says_who_cancelled_and_why(client, session, bidding):
    tender, (buyer, buyer_h), (supplier, _) = bidding
    reason = "The budget was withdrawn by the council."
    cancelled = client.post(
        f"/api/tenders/{tender['id']}/cancel", headers=buyer_h, json={"reason": reason}
    )
    assert cancelled.status_code == 200, cancelled.text
    note = notes_to(session, supplier)[-1]
    said = assert_bilingual(
        note.subject, note.body, values=(reason, tender["title"], name_of(session, buyer))
    )
    assert "ยกเลิก" in said["th"][1]  # not the buyer's English reason alone
    assert reason in said["th"][1]


def test_the_opening_and_the_award(client, session, clock, bidding):
    tender, (_, buyer_h), (supplier, _) = bidding
    clock.advance(days=10, hours=1)
    opened = client.post(f"/api/tenders/{tender['id']}/open", headers=buyer_h)
    assert opened.status_code == 200, opened.text
    note = notes_to(session, supplier)[-1]
    said = assert_bilingual(note.subject, note.body)
    assert "valid" in said["en"][1]
    awarded = client.post(f"/api/tenders/{tender['id']}/award", json={}, headers=buyer_h)
    assert awarded.status_code == 201, awarded.text
    note = notes_to(session, supplier)[-1]
    winner = name_of(session, supplier)
    said = assert_bilingual(note.subject, note.body, values=(winner,))
    assert winner in said["en"][1]  # the company by its name, not its slug
    assert "2569" in said["th"][1]  # the standstill's end in the Buddhist era
