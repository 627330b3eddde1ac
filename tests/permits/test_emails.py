"""Every permits e-mail, one test per kind, in both languages (the Thai half in Thai, every
placeholder filled); and the overdue notes of an officer's inbox, which are not e-mailed but
shown on the work queue, read in the page's language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import col, select

from core import i18n
from permits import overdue, service, subscriptions
from permits.models import Notification
from permits.record import inbox_subject
from permits.rules import Action
from prongsai.app import LOCALE_DIR
from tests.core.auth.test_views import sign_in
from tests.emails import THAI, assert_bilingual
from tests.permits import factories

pytestmark = pytest.mark.usefixtures("setup")


@pytest.fixture(autouse=True)
def catalogues():
    i18n.use_catalogues(LOCALE_DIR)


def mails_to(session, email: str) -> list[Notification]:
    return list(
        session.exec(
            select(Notification).where(Notification.email == email).order_by(col(Notification.id))
        )
    )


def test_the_subscription_confirmation_and_each_change(session, clock, settings, health_officer):
    application = factories.food_application(session, now=clock(), settings=settings)
    number = application.tracking_number
    watcher = subscriptions.subscribe(
        session, number=number, email="watcher@example.org", now=clock(), settings=settings
    )
    [confirm] = mails_to(session, "watcher@example.org")
    said = assert_bilingual(confirm.subject, confirm.body, values=(number,))
    assert "/confirm?token=" in said["th"][1]
    subscriptions.confirm(session, token=watcher.token, now=clock())
    note = "Inspection booked for Monday."
    service.act(
        session,
        number=number,
        action=Action.ADVANCE,
        actor=health_officer,
        now=clock(),
        settings=settings,
        note=note,
    )
    change = mails_to(session, "watcher@example.org")[-1]
    said = assert_bilingual(change.subject, change.body, values=(number, note))
    assert "Hygiene inspection" in said["en"][1]
    assert "ตรวจสุขลักษณะ" in said["th"][1]  # the stage by its Thai name
    assert "/unsubscribe?token=" in said["th"][1]


def inbox(page: str) -> str:
    """The notifications list of the work queue, as text."""
    listed = page.split("<h2>", 2)[-1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", listed))


def test_overdue_notes_read_in_the_pages_language(client, session, clock, settings, health_officer):
    application = factories.food_application(session, now=clock(), settings=settings)
    later = clock() + timedelta(days=30)
    assert overdue.mark_overdue(session, now=later, settings=settings) == 1
    notes = session.exec(select(Notification).where(col(Notification.user_id).is_not(None))).all()
    assert health_officer.id in {n.user_id for n in notes}
    sign_in(client, health_officer)
    english = inbox(client.get("/permits/officer").text)
    assert f"{application.tracking_number} is overdue and unassigned" in english
    assert not THAI.search(english.replace("ตรวจ", ""))
    client.cookies.set("lang", "th")
    thai = inbox(client.get("/permits/officer").text)
    assert f"คำขอ {application.tracking_number} เกินกำหนดเวลาและยังไม่มีผู้รับผิดชอบ" in thai
    assert "overdue" not in thai
    assert " / " not in thai  # one language, not both


def test_an_overdue_note_names_the_stage_in_words(
    session, clock, settings, health_officer, health_supervisor
):
    application = factories.food_application(session, now=clock(), settings=settings)
    number = application.tracking_number
    service.claim(session, number=number, officer=health_officer, now=clock(), settings=settings)
    overdue.mark_overdue(session, now=clock() + timedelta(days=30), settings=settings)
    note = session.exec(
        select(Notification).where(Notification.user_id == health_supervisor.id)
    ).one()
    assert (
        note.subject == f"{number} is overdue (stage Document check)"
    )  # the deployment's language
    assert inbox_subject(note) == note.subject
    with i18n.speaking("th"):
        thai = inbox_subject(note)
    assert thai.startswith(f"คำขอ {number} ")
    assert "document check" not in thai.lower()
    assert THAI.search(thai)
