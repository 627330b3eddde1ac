import re

import pytest

from core.auth.models import Role
from permits import casework, service, subscriptions
from permits.rules import Action
from permits.uploads import path_of
from tests.core.auth.test_views import csrf_from, sign_in
from tests.permits import factories


@pytest.fixture
def application(session, clock, settings, setup):  # noqa: ARG001 -- requested for its effect; marks do not apply to fixtures
    return factories.food_application(session, now=clock(), settings=settings)


def test_public_json_has_stages_and_404s_name_a_wrong_check_character(client, application):
    number = application.tracking_number
    body = client.get(f"/api/permits/{number}").json()
    assert body["current_stage"] == "intake"
    assert body["status"] == "in_progress"
    assert [s["code"] for s in body["stages"]] == ["intake", "hygiene_inspection", "decision"]
    typo = number[:-1] + ("A" if number[-1] != "A" else "B")
    wrong = client.get(f"/api/permits/{typo}")
    assert wrong.status_code == 404
    assert "check character" in wrong.json()["detail"]
    assert client.get("/api/permits/FOD-2026-999999-0").status_code == 404
    page = client.get(f"/permits/{typo}")
    assert page.status_code == 404
    assert "check character" in page.text


def test_a_transition_not_allowed_answers_409_listing_the_allowed(
    client, session, clock, application, health_officer
):
    from datetime import timedelta

    from core.auth import service as auth_service
    from core.auth.models import TokenKind

    raw, _ = auth_service.issue_token(
        session, user=health_officer, kind=TokenKind.API, now=clock(), lifetime=timedelta(days=1)
    )
    headers = {"authorization": f"Bearer {raw}"}
    url = f"/api/permits/{application.tracking_number}/transitions"
    refused = client.post(url, json={"action": "approve"}, headers=headers)
    assert refused.status_code == 409
    assert refused.json()["allowed"] == ["advance", "request_information", "reject", "withdraw"]
    assert client.post(url, json={"action": "reject"}, headers=headers).status_code == 422
    moved = client.post(url, json={"action": "advance"}, headers=headers)
    assert moved.status_code == 200
    assert moved.json()["current_stage"] == "hygiene_inspection"


def test_an_officer_acting_on_a_closed_application_is_refused_in_the_readers_language(
    client, session, clock, settings, application, health_officer
):
    from datetime import timedelta

    from core.auth import service as auth_service
    from core.auth.models import TokenKind

    number = application.tracking_number
    service.act(
        session,
        number=number,
        action=Action.REJECT,
        actor=health_officer,
        now=clock(),
        settings=settings,
        note="Premises are not a food shop",
    )
    thai_refusal = f"คำขอ {number} อยู่ในสถานะ rejected จึงไม่อาจดำเนินการใดกับคำขอนี้ได้อีก"
    english_refusal = f"{number} is rejected: no transition is allowed."
    sign_in(client, health_officer)
    url = f"/permits/officer/applications/{number}"
    token = csrf_from(client.get(url).text)
    page = client.post(f"{url}/act?lang=th", data={"csrf_token": token, "action": "advance"})
    assert page.status_code == 409
    assert thai_refusal in page.text
    assert english_refusal not in page.text
    english_page = client.post(f"{url}/act", data={"csrf_token": token, "action": "advance"})
    assert english_page.status_code == 409
    assert english_refusal in english_page.text

    raw, _ = auth_service.issue_token(
        session, user=health_officer, kind=TokenKind.API, now=clock(), lifetime=timedelta(days=1)
    )
    api = f"/api/permits/{number}/transitions"
    bearer = {"authorization": f"Bearer {raw}"}
    thai = client.post(api, json={"action": "advance"}, headers={**bearer, "accept-language": "th"})
    assert thai.status_code == 409
    assert thai.json() == {"detail": thai_refusal, "allowed": []}
    english = client.post(api, json={"action": "advance"}, headers=bearer)
    assert english.json() == {"detail": english_refusal, "allowed": []}


@pytest.mark.usefixtures("session", "clock")
def test_an_officer_of_another_department_gets_403(client, application, works_officer):
    sign_in(client, works_officer)
    page = client.get(f"/permits/officer/applications/{application.tracking_number}")
    token = csrf_from(page.text)
    response = client.post(
        f"/permits/officer/applications/{application.tracking_number}/act",
        data={"action": "advance", "csrf_token": token},
    )
    assert response.status_code == 403


@pytest.mark.usefixtures("settings", "setup")
def test_an_applicant_applies_through_the_generated_form(client, session, clock):
    user = factories.applicant(session, now=clock())
    sign_in(client, user)
    form = client.get("/permits/apply/FOD")
    assert 'name="shop_name"' in form.text
    assert 'name="doc_floor_plan"' in form.text
    token = csrf_from(form.text)
    data = {**factories.food_values(), "csrf_token": token}
    files = [
        ("doc_floor_plan", ("plan.pdf", factories.PDF, "application/pdf")),
        ("doc_health_certificate", ("h.png", factories.PNG, "image/png")),
    ]
    missing = client.post(
        "/permits/apply/FOD", data={**data, "seats": ""} | {"shop_name": ""}, files=files
    )
    assert missing.status_code == 422
    assert "shop_name" in missing.text
    done = client.post("/permits/apply/FOD", data=data, files=files)
    assert done.status_code == 303
    number = done.headers["location"].rsplit("/", 1)[1]
    mine = client.get(f"/permits/mine/{number}")
    assert factories.SECRET_NAME in mine.text
    receipt = client.get(f"/permits/mine/{number}/receipt.pdf")
    assert receipt.content.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("plan.pdf", b"MZ\x90\x00 not a pdf", "content"),
        ("../../etc/passwd.pdf", factories.PDF, "path"),
        (".hidden.pdf", factories.PDF, "dot"),
        ("plan\x00.pdf", factories.PDF, "control"),
        ("big.pdf", factories.PDF + b"0" * 2000, "larger"),
        ("plan.pdf", factories.PNG, "accepted"),  # a PNG where only PDF is accepted
    ],
)
@pytest.mark.usefixtures("setup", "tmp_path")
def test_a_bad_upload_is_refused_and_stored_nowhere(
    session, clock, settings, name, content, problem
):
    from core.errors import InvalidInput

    small = settings.model_copy(update={"permits_upload_max_bytes": 1000})
    user = factories.applicant(session, now=clock())
    files = [
        factories.Upload("floor_plan", "plan.pdf", factories.PDF),
        factories.Upload("health_certificate", "h.pdf", factories.PDF),
    ]
    values = factories.food_values()
    if problem == "accepted":
        values = {**factories.food_values()}
        files = files  # FOD accepts PNG: use BIZ's PDF-only premises document instead
        bad = [
            factories.Upload("id_card_copy", "id.pdf", factories.PDF),
            factories.Upload("premises_consent", name, content),
        ]
        biz = {
            "full_name": "x",
            "national_id": "1",
            "phone": "0812345678",
            "business_name": "Shop",
            "business_kind": "Laundry",
            "premises_address": "y",
        }
        with pytest.raises(InvalidInput, match=problem):
            service.apply(
                session,
                applicant=user,
                type_code="BIZ",
                values=biz,
                files=bad,
                now=clock(),
                settings=small,
            )
    else:
        files[0] = factories.Upload("floor_plan", name, content)
        with pytest.raises(InvalidInput, match=problem):
            service.apply(
                session,
                applicant=user,
                type_code="FOD",
                values=values,
                files=files,
                now=clock(),
                settings=small,
            )
    root = service.uploads_root(small)
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))
    assert casework.my_applications(session, applicant=user) == []


@pytest.mark.usefixtures("session", "clock", "application")
def test_stored_documents_are_named_by_hash(settings):
    import hashlib

    digest = hashlib.sha256(factories.PDF).hexdigest()
    assert path_of(service.uploads_root(settings), digest).read_bytes() == factories.PDF


@pytest.mark.usefixtures("clock")
def test_the_applicant_sees_who_opened_their_data_and_why(
    client, session, application, health_officer
):
    sign_in(client, health_officer)
    number = application.tracking_number
    page = client.get(f"/permits/officer/applications/{number}")
    assert factories.SECRET_NAME not in page.text
    opened = client.post(
        f"/permits/officer/applications/{number}/personal-data",
        data={
            "reason": "Phone the applicant about the kitchen",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert factories.SECRET_NAME in opened.text
    client.cookies.clear()
    owner = session.get(type(health_officer), application.applicant_id)
    sign_in(client, owner)
    mine = client.get(f"/permits/mine/{number}").text
    assert "Phone the applicant about the kitchen" in mine
    assert health_officer.display_name in mine


@pytest.mark.usefixtures("setup")
def test_officer_queue_lists_what_falls_due_first(client, session, clock, settings, health_officer):
    first = factories.food_application(session, now=clock(), settings=settings)
    clock.advance(days=1)
    second = factories.food_application(session, now=clock(), settings=settings)
    sign_in(client, health_officer)
    text = client.get("/permits/officer").text
    assert text.index(first.tracking_number) < text.index(second.tracking_number)


@pytest.mark.usefixtures("setup")
def test_no_personal_data_on_any_public_page_feed_export_or_log(
    client, session, clock, settings, health_officer
):
    apps = [factories.food_application(session, now=clock(), settings=settings) for _ in range(3)]
    number = apps[0].tracking_number
    for action, note in [
        (Action.ADVANCE, None),
        (Action.REQUEST_INFORMATION, "Need plan"),
        (Action.RESUME, None),
        (Action.ADVANCE, None),
        (Action.APPROVE, None),
    ]:
        service.act(
            session,
            number=number,
            action=action,
            actor=health_officer,
            now=clock(),
            settings=settings,
            note=note,
        )
    watcher = subscriptions.subscribe(
        session, number=number, email="watcher@example.org", now=clock(), settings=settings
    )
    subscriptions.confirm(session, token=watcher.token, now=clock())
    owner = session.get(type(health_officer), apps[1].applicant_id)
    service.act(
        session,
        number=apps[1].tracking_number,
        action=Action.WITHDRAW,
        actor=owner,
        now=clock(),
        settings=settings,
        note=f"Call me at {factories.SECRET_PHONE}",
    )
    certificate = client.get(f"/api/permits/{number}").json()["certificate_url"]
    urls = [
        "/permits",
        "/departments",
        "/api/permits",
        "/api/permits/export.csv",
        "/api/permits/export.json",
        "/api/permits/statistics",
        "/api/ledger/entries?start=0&end=200",
        certificate.replace(str(settings.public_base_url).rstrip("/"), ""),
    ]
    for a in apps:
        urls += [
            f"/permits/{a.tracking_number}",
            f"/api/permits/{a.tracking_number}",
            f"/permits/{a.tracking_number}/timeline",
        ]
    markers = [
        factories.SECRET_NAME,
        factories.SECRET_PHONE,
        factories.SECRET_EMAIL,
        factories.SECRET_ADDRESS,
        "Zzyzx",
        "Secret-Marker",
        owner.email,
        owner.display_name,
        "watcher@example.org",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        for marker in markers:
            assert marker not in response.text, (marker, url)
    pdf = client.get(f"/permits/{number}/certificate.pdf").content
    assert pdf.startswith(b"%PDF-")
    from sqlmodel import select

    from core import events

    for row in session.exec(select(events.Event)):
        for marker in markers:
            assert marker not in row.payload
    assert re.search(r"FOD-\d{4}-\d{6}-.", client.get("/permits").text)
    assert Role.APPLICANT


@pytest.mark.usefixtures("setup")
def test_subscribers_get_an_email_per_public_change_once(
    session, clock, settings, health_officer, tmp_path
):
    from email import message_from_bytes, policy

    from core.settings import Settings
    from permits import notifications

    application = factories.food_application(session, now=clock(), settings=settings)
    number = application.tracking_number
    watcher = subscriptions.subscribe(
        session, number=number, email="watcher@example.org", now=clock(), settings=settings
    )
    subscriptions.confirm(session, token=watcher.token, now=clock())
    service.act(
        session,
        number=number,
        action=Action.ADVANCE,
        actor=health_officer,
        now=clock(),
        settings=settings,
    )
    outbox = Settings(data_dir=tmp_path, secret_key="k" * 32)
    assert notifications.deliver_pending(session, settings=outbox, now=clock()) >= 1
    assert notifications.deliver_pending(session, settings=outbox, now=clock()) == 0
    mails = [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted((tmp_path / "outbox").glob("permits-*.eml"))
    ]
    assert mails
    assert all(m["To"] == "watcher@example.org" for m in mails)
    assert number in mails[-1]["Subject"]
    assert "/unsubscribe?token=" in mails[-1].get_content()
    assert "/confirm?token=" in mails[0].get_content()  # the first asked to confirm


@pytest.mark.usefixtures("setup")
def test_a_subscribers_email_reads_in_thai_first_then_english_on_a_thai_deployment(
    session, clock, settings, health_officer
):
    from sqlmodel import select

    from permits.models import Notification

    thai = settings.model_copy(update={"default_locale": "th"})
    application = factories.food_application(session, now=clock(), settings=thai)
    number = application.tracking_number
    watcher = subscriptions.subscribe(
        session, number=number, email="watcher@example.org", now=clock(), settings=thai
    )
    subscriptions.confirm(session, token=watcher.token, now=clock())
    service.act(
        session,
        number=number,
        action=Action.ADVANCE,
        actor=health_officer,
        now=clock(),
        settings=thai,
    )
    confirm, change = session.exec(
        select(Notification)
        .where(Notification.email == "watcher@example.org")
        .order_by(Notification.id)
    ).all()
    assert confirm.subject == (
        f"โปรดยืนยัน: การรับอีเมลเกี่ยวกับคำขอ {number} / Confirm: e-mails about {number}"
    )
    thai_part, english_part = change.body.split("\n— English —\n")
    assert "ติดตามความคืบหน้า:" in thai_part
    assert "Follow it live" not in thai_part
    assert "Follow it live:" in english_part
    assert "ติดตาม" not in english_part
    assert "— ภาษาไทย —" not in change.body
    # Codes as words in each language: the action, the stage the application moved to, status.
    assert "Moved on (stage Hygiene inspection, status In progress)." in english_part
    assert "ผ่านขั้นตอนแล้ว (ขั้นตอน ตรวจสุขลักษณะ สถานะ อยู่ระหว่างดำเนินการ)" in thai_part
    assert change.subject == f"{number}: ผ่านขั้นตอนแล้ว / {number}: Moved on"
    for part in (thai_part, english_part):  # the links and the tracking number stay as they are
        assert part.count(f"/unsubscribe?token={watcher.token}") == 1
        assert number in part


@pytest.mark.usefixtures("setup")
def test_a_subscription_sends_nothing_until_its_address_confirms(
    client, session, clock, settings, health_officer
):
    from sqlmodel import select

    from permits.models import Notification

    application = factories.food_application(session, now=clock(), settings=settings)
    number = application.tracking_number
    page = client.get(f"/permits/{number}")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        f"/permits/{number}/subscribe", data={"email": "Stranger@Example.org", "csrf_token": token}
    )
    assert response.status_code == 200
    assert "Follow its link to confirm" in response.text

    def mails_to_stranger():
        return session.exec(
            select(Notification).where(Notification.email == "stranger@example.org")
        ).all()

    [confirmation] = mails_to_stranger()
    assert "/confirm?token=" in confirmation.body
    service.act(
        session,
        number=number,
        action=Action.ADVANCE,
        actor=health_officer,
        now=clock(),
        settings=settings,
    )
    assert len(mails_to_stranger()) == 1  # unconfirmed: the change was not e-mailed
    link = confirmation.body.split("open: ")[1].split()[0].split("8000")[1]
    assert client.get(link).status_code == 200
    assert client.get(f"/permits/{number}/confirm?token=forged").status_code == 404
    service.act(
        session,
        number=number,
        action=Action.ADVANCE,
        actor=health_officer,
        now=clock(),
        settings=settings,
    )
    assert len(mails_to_stranger()) == 2


@pytest.mark.usefixtures("setup")
def test_one_address_may_not_be_signed_up_without_limit(session, clock, settings):
    from core.errors import RateLimited

    numbers = [
        factories.food_application(session, now=clock(), settings=settings).tracking_number
        for _ in range(4)
    ]
    for number in numbers[:3]:
        subscriptions.subscribe(
            session, number=number, email="victim@example.org", now=clock(), settings=settings
        )
    with pytest.raises(RateLimited, match="confirmation e-mails waiting"):
        subscriptions.subscribe(
            session, number=numbers[3], email="victim@example.org", now=clock(), settings=settings
        )
    few = settings.model_copy(update={"permits_subscriptions_per_address": 3})
    with pytest.raises(RateLimited, match="already follows 3 applications"):
        subscriptions.subscribe(
            session, number=numbers[3], email="victim@example.org", now=clock(), settings=few
        )


@pytest.mark.usefixtures("setup")
def test_an_admin_declares_a_closure_and_new_clocks_skip_it(client, session, clock, settings):
    from tests import factories as core_factories
    from tests.procurement.factories import headers_for

    admin = core_factories.user(session, role=Role.ADMIN, now=clock())
    auditor = core_factories.user(session, role=Role.AUDITOR, now=clock())
    before = factories.food_application(session, now=clock(), settings=settings)
    due_before = client.get(f"/api/permits/{before.tracking_number}").json()["stages"][0]
    body = {"closure_date": "2026-11-27", "reason": "Office moves to the new district hall"}
    assert (
        client.post(
            "/api/permits/closures", json=body, headers=headers_for(client, auditor)
        ).status_code
        == 403
    )
    made = client.post("/api/permits/closures", json=body, headers=headers_for(client, admin))
    assert made.status_code == 201
    again = client.post("/api/permits/closures", json=body, headers=headers_for(client, admin))
    assert again.status_code == 409
    assert "already declared" in again.json()["detail"]
    assert client.get("/api/permits/closures").json() == [body]
    after = factories.food_application(session, now=clock(), settings=settings)
    due_after = client.get(f"/api/permits/{after.tracking_number}").json()["stages"][0]
    assert due_after["due_at"] > due_before["due_at"]  # one business day later


def test_an_officer_action_refused_names_each_problem_and_keeps_what_was_typed(
    client, application, health_officer
):
    from tests.core.test_forms import field_error, summary_links

    sign_in(client, health_officer)
    number = application.tracking_number
    url = f"/permits/officer/applications/{number}"
    page = client.get(url)
    refused = client.post(
        f"{url}/act",
        data={
            "csrf_token": csrf_from(page.text),
            "action": "request_information",
            "note": "The kitchen plan is unreadable",
            "asks": "document",
            "asked_for": "",
            "expected_date": "2026-13-45",
        },
    )
    assert refused.status_code == 422
    assert summary_links(refused.text) == ["asked_for", "expected"]  # in the form's order
    assert "Enter a date" in field_error(refused.text, "expected")
    assert "Name the document you ask for." in field_error(refused.text, "asked_for")
    assert "The kitchen plan is unreadable</textarea>" in refused.text
    assert '<option value="request_information" selected>' in refused.text
    assert 'value="document" checked' in refused.text
    no_note = client.post(
        f"{url}/act", data={"csrf_token": csrf_from(page.text), "action": "reject"}
    )
    assert summary_links(no_note.text) == ["note"]
    assert "Note: A note is required to reject" in no_note.text
    assert client.get(f"/api/permits/{number}").json()["status"] == "in_progress"


def test_the_officer_and_applicant_pages_speak_thai(client, session, application, health_officer):
    sign_in(client, health_officer)
    number = application.tracking_number
    work = client.get(f"/permits/officer/applications/{number}?lang=th").text
    for english in ("Back to the queue", "Claim", "Assign to", "Open the personal data", "Record"):
        assert f">{english}<" not in work
    assert "กลับไปที่รายการงาน" in work
    assert "ข้อมูลส่วนบุคคลของผู้ยื่นคำขอ" in work
    client.cookies.clear()
    sign_in(client, session.get(type(health_officer), application.applicant_id))
    mine = client.get(f"/permits/mine/{number}?lang=th").text
    for english in ("Your application", "What you gave", "Who opened your personal data"):
        assert english not in mine
    assert "คำขอของท่าน" in mine
    assert "ยังไม่มีผู้ใดเปิดดูข้อมูลส่วนบุคคลของท่าน" in mine


def test_a_bad_subscription_address_is_shown_at_its_field(client, application):
    from tests.core.test_forms import field_error, summary_links

    number = application.tracking_number
    page = client.get(f"/permits/{number}")
    refused = client.post(
        f"/permits/{number}/subscribe",
        data={"csrf_token": csrf_from(page.text), "email": "not-an-address"},
    )
    assert refused.status_code == 422
    assert summary_links(refused.text) == ["email"]
    assert "Enter an email address" in field_error(refused.text, "email")
    assert 'value="not-an-address"' in refused.text


@pytest.mark.usefixtures("setup")
def test_my_applications_and_the_queue_come_a_page_at_a_time(
    client, session, clock, settings, health_officer
):
    applicant = factories.applicant(session, now=clock())
    numbers = []
    for _ in range(27):
        numbers.append(
            factories.food_application(
                session, now=clock(), settings=settings, applicant_user=applicant
            ).tracking_number
        )
        clock.advance(minutes=1)
    sign_in(client, applicant)
    first = client.get("/permits/mine").text
    assert "Showing 1 to 25 of 27 applications" in first
    assert numbers[-1] in first
    assert numbers[0] not in first
    assert 'href="/permits/mine?page=2" rel="next"' in first
    second = client.get("/permits/mine?page=2").text
    assert "Showing 26 to 27 of 27 applications" in second
    assert numbers[0] in second
    assert numbers[-1] not in second
    assert 'aria-current="page">2<' in second
    for bad, words in (
        ("3", "There is no page 3: the last page is 2."),
        ("0", "Page"),
        ("abc", "Page"),
        (str(2**63 + 1), "Page"),
    ):
        refused = client.get(f"/permits/mine?page={bad}")
        assert refused.status_code in (400, 422), bad
        assert words in refused.text
    client.cookies.clear()
    sign_in(client, health_officer)
    queue = client.get("/permits/officer?page=2&lang=th")
    assert queue.status_code == 200
    assert numbers[0] not in queue.text
    assert numbers[-1] in queue.text
    assert client.get("/permits/officer?page=4").status_code == 422


def test_the_public_page_names_the_department_in_the_readers_language_and_links_it(
    client, session, application
):
    from core.auth import service as auth_service

    health = auth_service.get_organisation_by_slug(session, slug="bma-health")
    health.name_th = "สำนักอนามัย (ทดสอบ)"
    session.add(health)
    session.commit()
    number = application.tracking_number
    thai = client.get(f"/permits/{number}?lang=th").text
    assert 'href="/departments/bma-health">สำนักอนามัย (ทดสอบ)</a>' in thai
    english = client.get(f"/permits/{number}?lang=en").text
    assert 'href="/departments/bma-health">Dept bma-health</a>' in english
    assert client.get(f"/api/permits/{number}").json()["department_name_th"] == (
        "สำนักอนามัย (ทดสอบ)"
    )


def test_the_description_reads_in_the_readers_language_wherever_it_is_shown(
    client, application, health_officer
):
    number = application.tracking_number
    thai_words = "ใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร; ชื่อสถานที่จำหน่ายอาหาร:"
    for page in (f"/permits/{number}", "/permits"):
        thai = client.get(f"{page}?lang=th").text
        assert thai_words in thai
        assert "Name of the food shop" not in thai
        # The shop's name stays as typed, marked as English on the Thai page.
        assert '<span lang="en">Khao Man Gai Corner</span>' in thai
        assert "Food-sanitation licence; Name of the food shop: Khao Man Gai Corner" in (
            client.get(f"{page}?lang=en").text
        )
    public = client.get(f"/api/permits/{number}").json()
    assert public["description_th"].startswith(thai_words)
    sign_in(client, health_officer)
    assert thai_words in client.get("/permits/officer?lang=th").text
