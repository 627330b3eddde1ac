"""Amendments reach bidders, answers reach the asker: through the outbox, once."""

from email import message_from_bytes, policy

from sqlmodel import select

from core.settings import Settings
from procurement.publishing import notifications
from procurement.publishing.models import Notification
from tests.procurement import factories as f


def test_outbox_is_written_to_the_data_folder_once(client, session, clock, tmp_path):
    _, buyer_h = f.buyer(client, session, clock())
    asker, asker_h = f.supplier(client, session, clock())
    bidder, bidder_h = f.supplier(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_h)
    q = client.post(
        f"/api/tenders/{tender['id']}/questions",
        headers=asker_h,
        json={"question": "May we bid for part of the works?"},
    ).json()
    client.post(f"/api/questions/{q['id']}/answer", json={"answer": "No."}, headers=buyer_h)
    client.post(f"/api/tenders/{tender['id']}/bids", json=f.bid_body(5000), headers=bidder_h)
    client.post(
        f"/api/tenders/{tender['id']}/amendments",
        headers=buyer_h,
        json={"rationale": "Typo in the drainage spec", "description": "Corrected."},
    )
    settings = Settings(data_dir=tmp_path, secret_key="k" * 32)
    assert notifications.deliver_pending(session, settings=settings, now=clock()) == 2
    assert notifications.deliver_pending(session, settings=settings, now=clock()) == 0
    mails = [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted((tmp_path / "outbox").iterdir())
    ]
    assert [m["Subject"] for m in mails] == [  # the deployment's language (English) first
        f"Your question on tender {tender['id']} was answered"
        f" / คำถามของท่านเกี่ยวกับประกวดราคา {tender['id']} ได้รับคำตอบแล้ว",
        f"Tender {tender['id']} was amended: you may resubmit your bid"
        f" / ประกวดราคา {tender['id']} มีการแก้ไข ท่านสามารถยื่นข้อเสนอใหม่ได้",
    ]
    assert asker.email in mails[0]["To"]
    assert bidder.email in mails[1]["To"]
    assert "No." in mails[0].get_content()
    assert all(n.sent_at == clock() for n in session.exec(select(Notification)))
