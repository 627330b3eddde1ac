"""The outbox marks each message sent as it goes: a failure never sends a message twice."""

from email import message_from_bytes, policy

import pytest

from core import mail
from core.settings import Settings
from permits import notifications
from permits.models import Notification
from tests.permits import factories


def test_smtp_failure_at_the_third_message_resends_nothing_already_sent(
    session, clock, settings, tmp_path, monkeypatch
):
    factories.departments(session, now=clock())
    application = factories.food_application(session, now=clock(), settings=settings)
    ids = []
    for n in range(1, 6):
        row = Notification(
            application_id=application.id,
            email=f"watcher{n}@example.org",
            subject=f"message {n}",
            body="a change",
            created_at=clock(),
        )
        session.add(row)
        session.flush()
        ids.append(row.id)
    session.commit()
    outbox = Settings(data_dir=tmp_path / "mail", secret_key="k" * 32)
    real_deliver, calls = mail.deliver, []

    def failing_third(message, *, settings, name):
        calls.append(message["Subject"])
        if len(calls) == 3:
            raise OSError("SMTP server went away")
        real_deliver(message, settings=settings, name=name)

    monkeypatch.setattr(mail, "deliver", failing_third)
    with pytest.raises(OSError, match="went away"):
        notifications.deliver_pending(session, settings=outbox, now=clock())
    session.rollback()
    sent = {r.id: r.sent_at for r in (session.get(Notification, i) for i in ids)}
    assert [sent[i] is not None for i in ids] == [True, True, False, False, False]

    monkeypatch.setattr(mail, "deliver", real_deliver)
    assert notifications.deliver_pending(session, settings=outbox, now=clock()) == 3
    subjects = [
        message_from_bytes(p.read_bytes(), policy=policy.default)["Subject"]
        for p in sorted((tmp_path / "mail" / "outbox").glob("permits-*.eml"))
    ]
    assert subjects == [f"message {n}" for n in range(1, 6)]
    assert calls == ["message 1", "message 2", "message 3"]
