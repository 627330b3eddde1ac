"""Joining through the API: register, verify from the outbox, approval, passwords, invitations."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from core.auth.models import AdminAction, Organisation, OrganisationKind, Role, User
from core.ledger.models import LedgerEntry
from procurement.bids.models import Supplier
from tests import factories
from tests.core.auth.onboarding import (
    STRONG,
    admin_headers,
    applicant_body,
    body_of,
    juristic,
    last_link,
    mails,
    supplier_body,
    token_for,
)
from tests.procurement import factories as f


def bearer(response) -> dict:
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_the_check_digit_rule_accepts_real_numbers_and_refuses_a_changed_digit():
    from core.auth.rules import juristic_number_problem

    assert juristic_number_problem("0107544000108") is None  # PTT Public Company Limited
    assert juristic_number_problem(juristic("010553600078")) is None
    assert "check digit" in juristic_number_problem("0107544000109")
    assert "13 digits" in juristic_number_problem("01055360007")
    assert "13 digits" in juristic_number_problem("010553600078a")


def test_a_supplier_registers_verifies_is_approved_and_then_bids(client, session, clock, settings):
    email = "malee@pipes.example"
    body = supplier_body(email)
    answer = client.post("/api/accounts", json=body)
    assert answer.status_code == 202, answer.text
    company = session.exec(
        select(Organisation).where(
            Organisation.registration_id == body["organisation"]["registration_number"]
        )
    ).one()
    assert company.status == "pending"
    assert session.get(Supplier, company.id).contact_phone == "+66 2 555 0123"

    refused = token_for(client, email)
    assert refused.status_code == 401
    assert "Confirm your e-mail" in refused.json()["detail"]

    token = last_link(settings.data_dir, email, "/verify")
    verified = client.post("/api/accounts/verify", json={"token": token})
    assert verified.status_code == 200, verified.text
    assert verified.json()["organisation_status"] == "pending"
    again = client.post("/api/accounts/verify", json={"token": token})
    assert again.status_code == 400
    assert "used already" in again.json()["detail"]

    headers = bearer(token_for(client, email))
    _, buyer_headers = f.buyer(client, session, clock())
    tender = f.published_tender(client, session, clock, buyer_headers)
    early = client.post(
        f"/api/tenders/{tender['id']}/bids", json=f.bid_body(900_000), headers=headers
    )
    assert early.status_code == 403
    assert "pending" in early.json()["detail"]
    assert company.name not in client.get("/api/supplier-register").text

    admin = admin_headers(client, session, clock)
    pending = client.get("/api/admin/organisations?status=pending", headers=admin).json()
    assert [o["slug"] for o in pending] == [company.slug]
    assert pending[0]["members"][0]["email"] == email
    assert (
        client.post(f"/api/admin/organisations/{company.slug}/approve", headers=headers).status_code
        == 403
    )
    approved = client.post(
        f"/api/admin/organisations/{company.slug}/approve",
        json={"reason": "Certificate checked against DBD"},
        headers=admin,
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"
    assert "approved" in body_of(mails(settings.data_dir, email)[-1])

    bid = client.post(
        f"/api/tenders/{tender['id']}/bids", json=f.bid_body(900_000), headers=headers
    )
    assert bid.status_code == 201, bid.text

    register = client.get("/api/supplier-register").json()
    listed = next(r for r in register if r["slug"] == company.slug)
    assert listed["registration_id"] == body["organisation"]["registration_number"]
    page = client.get("/supplier-register").text
    assert company.name in page
    for private in ("+66 2 555 0123", email, "Charoen Krung"):
        assert private not in page
        assert private not in str(register)
    entry = session.exec(
        select(LedgerEntry).where(LedgerEntry.subject == f"organisation:{company.slug}")
    ).one()
    assert "Charoen" not in entry.entry
    assert "+66" not in entry.entry
    action = session.exec(select(AdminAction).where(AdminAction.subject == company.slug)).one()
    assert (action.action, action.reason) == (
        "organisation.approve",
        "Certificate checked against DBD",
    )


def test_a_wrong_check_digit_is_refused_naming_the_field_and_changes_nothing(client, session):
    number = juristic()
    wrong = number[:12] + str((int(number[12]) + 1) % 10)
    body = supplier_body("x@wrong.example")
    body["organisation"]["registration_number"] = wrong
    response = client.post("/api/accounts", json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("The registration number has a wrong check digit")
    assert response.json()["errors"] == [  # the field's path, for programs
        {"field": "organisation.registration_number", "message": response.json()["detail"]}
    ]
    assert session.exec(select(User).where(User.email == "x@wrong.example")).first() is None


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "at least 10 characters"),
        ({"password": "password1234"}, "common password"),
        ({"role": "buyer"}, "Role: Choose one of the options offered"),
        ({"role": "admin"}, "Role: Choose one of the options offered"),
        ({"organisation": None}, "organisation"),
    ],
)
def test_bad_registrations_get_422_saying_what_to_fix(client, session, change, says):
    response = client.post("/api/accounts", json={**supplier_body("bad@input.example"), **change})
    assert response.status_code == 422, response.text
    assert says in response.json()["detail"]
    assert session.exec(select(User).where(User.email == "bad@input.example")).first() is None


def test_a_refused_registration_answers_in_the_readers_language(client, session, clock):
    thai = {"accept-language": "th-TH,th;q=0.9,en;q=0.5"}
    weak = client.post(
        "/api/accounts", json=supplier_body("th@weak.example", password="short"), headers=thai
    )
    assert weak.status_code == 422
    assert weak.json()["detail"] == "รหัสผ่านต้องมีความยาวอย่างน้อย 10 ตัวอักษร"
    body = supplier_body("first@th-co.example")
    assert client.post("/api/accounts", json=body).status_code == 202
    again = client.post(
        "/api/accounts", json={**body, "email": "second@th-co.example"}, headers=thai
    )
    assert again.status_code == 409
    number = body["organisation"]["registration_number"]
    assert again.json()["detail"].startswith(f"บริษัทที่มีเลขทะเบียนนิติบุคคล {number} ได้ลงทะเบียนไว้แล้ว")
    english = client.post("/api/accounts", json={**body, "email": "third@th-co.example"})
    assert english.json()["detail"].startswith(
        f"A company with the registration number {number} is already registered."
    )
    owner = factories.user(session, role=Role.APPLICANT, now=clock())
    wrong = client.post(
        "/api/auth/tokens",
        json={"email": owner.email, "password": "not-the-password"},
        headers=thai,
    )
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "อีเมลหรือรหัสผ่านไม่ถูกต้อง"


def test_an_existing_address_is_answered_alike_and_its_owner_is_told(
    client, session, clock, settings
):
    owner = factories.user(session, role=Role.APPLICANT, now=clock())
    fresh = client.post("/api/accounts", json=applicant_body("someone-new@x.example"))
    taken = client.post("/api/accounts", json=applicant_body(owner.email.upper()))
    assert (taken.status_code, taken.json()) == (fresh.status_code, fresh.json())
    notice = mails(settings.data_dir, owner.email)
    assert len(notice) == 1
    assert "already" in body_of(notice[0])
    assert "/verify?token=" not in body_of(notice[0])
    assert (
        session.exec(select(User).where(User.email == owner.email)).one().display_name
        == owner.display_name
    )


def test_a_company_registered_twice_is_a_conflict_whatever_the_address(client, session, clock):
    body = supplier_body("first@co.example")
    assert client.post("/api/accounts", json=body).status_code == 202
    owner = factories.user(session, role=Role.APPLICANT, now=clock())
    for email in ("second@co.example", owner.email):
        again = client.post("/api/accounts", json={**body, "email": email})
        assert again.status_code == 409
        assert "already registered" in again.json()["detail"]


def test_an_expired_verification_link_is_refused(client, clock, settings):
    client.post("/api/accounts", json=applicant_body("late@x.example"))
    token = last_link(settings.data_dir, "late@x.example", "/verify")
    clock.advance(hours=settings.account_link_hours + 1)
    response = client.post("/api/accounts/verify", json={"token": token})
    assert response.status_code == 400
    assert "expired" in response.json()["detail"]
    assert client.post("/api/accounts/verify", json={"token": "made-up"}).status_code == 400


def test_a_password_reset_revokes_every_token_and_the_old_password_stops(
    client, session, clock, settings
):
    user = factories.user(session, role=Role.SUPPLIER, now=clock())
    headers = bearer(token_for(client, user.email, factories.PASSWORD))
    unknown = client.post("/api/accounts/password-reset", json={"email": "nobody@x.example"})
    known = client.post("/api/accounts/password-reset", json={"email": user.email})
    assert (
        (known.status_code, known.json())
        == (unknown.status_code, unknown.json())
        == (
            202,
            known.json(),
        )
    )
    assert mails(settings.data_dir, "nobody@x.example") == []
    token = last_link(settings.data_dir, user.email, "/password-reset/confirm")

    weak = client.post(
        "/api/accounts/password-reset/confirm", json={"token": token, "password": "qwertyuiop"}
    )
    assert weak.status_code == 422
    # a refused password changes nothing, and leaves the link to be used with a better one
    done = client.post(
        "/api/accounts/password-reset/confirm", json={"token": token, "password": STRONG}
    )
    assert done.status_code == 200, done.text
    again = client.post(
        "/api/accounts/password-reset/confirm", json={"token": token, "password": STRONG + "x"}
    )
    assert again.status_code == 400
    assert token_for(client, user.email, factories.PASSWORD).status_code == 401
    assert client.get("/api/auth/me", headers=headers).status_code == 401
    assert token_for(client, user.email, STRONG).status_code == 201


def test_a_reset_link_is_short_lived(client, session, clock, settings):
    user = factories.user(session, role=Role.APPLICANT, now=clock())
    client.post("/api/accounts/password-reset", json={"email": user.email})
    token = last_link(settings.data_dir, user.email, "/password-reset/confirm")
    clock.advance(minutes=settings.password_reset_minutes + 1)
    late = client.post(
        "/api/accounts/password-reset/confirm", json={"token": token, "password": STRONG}
    )
    assert late.status_code == 400
    assert token_for(client, user.email, factories.PASSWORD).status_code == 201


def test_change_password_needs_the_current_one(client, session, clock):
    user = factories.user(session, role=Role.APPLICANT, now=clock())
    headers = bearer(token_for(client, user.email, factories.PASSWORD))
    wrong = client.post(
        "/api/accounts/password",
        json={"current_password": "nope", "new_password": STRONG},
        headers=headers,
    )
    assert wrong.status_code == 401
    ok = client.post(
        "/api/accounts/password",
        json={"current_password": factories.PASSWORD, "new_password": STRONG},
        headers=headers,
    )
    assert ok.status_code == 204
    assert token_for(client, user.email, STRONG).status_code == 201


def test_registration_and_reset_are_rate_limited_per_email(client):
    for _ in range(10):
        assert (
            client.post("/api/accounts/password-reset", json={"email": "a@x.example"}).status_code
            == 202
        )
    refused = client.post("/api/accounts/password-reset", json={"email": "a@x.example"})
    assert refused.status_code == 429
    assert refused.headers["retry-after"]


def test_a_lead_buyer_invites_a_colleague_into_their_own_organisation_only(
    client, session, clock, settings
):
    lead = factories.user(session, role=Role.BUYER, now=clock())
    lead.is_lead = True
    session.add(lead)
    session.commit()
    own = session.get(Organisation, lead.organisation_id)
    other = factories.organisation(session, kind=OrganisationKind.BUYING_ENTITY, now=clock())
    headers = f.headers_for(client, lead)
    invite = {"email": "colleague@bma.example", "name": "Khun Colleague", "role": "buyer"}
    elsewhere = client.post(
        "/api/admin/invitations", json={**invite, "organisation": other.slug}, headers=headers
    )
    assert elsewhere.status_code == 403
    assert "own organisation" in elsewhere.json()["detail"]
    as_admin = client.post(
        "/api/admin/invitations",
        json={**invite, "role": "admin", "organisation": None},
        headers=headers,
    )
    assert as_admin.status_code == 403
    ok = client.post(
        "/api/admin/invitations", json={**invite, "organisation": own.slug}, headers=headers
    )
    assert ok.status_code == 202, ok.text
    assert token_for(client, invite["email"], STRONG).status_code == 401
    token = last_link(settings.data_dir, invite["email"], "/invitation")
    accepted = client.post(
        "/api/accounts/invitation/accept", json={"token": token, "password": STRONG}
    )
    assert accepted.status_code == 200, accepted.text
    colleague = bearer(token_for(client, invite["email"], STRONG))
    me = client.get("/api/auth/me", headers=colleague).json()
    assert (me["role"], me["organisation_id"]) == ("buyer", own.id)
    plain = factories.user(session, role=Role.BUYER, now=clock())
    not_lead = client.post(
        "/api/admin/invitations",
        json={**invite, "email": "x@y.example", "organisation": None},
        headers=f.headers_for(client, plain),
    )
    assert not_lead.status_code == 403


def test_admin_creates_an_organisation_rejects_a_company_and_auditors_read_the_record(
    client, session, clock, settings
):
    admin = admin_headers(client, session, clock)
    made = client.post(
        "/api/admin/organisations",
        json={"slug": "khon-kaen-city", "name": "Khon Kaen City", "kind": "buying_entity"},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    assert (
        client.post(
            "/api/admin/organisations",
            json={"slug": "khon-kaen-city", "name": "Again", "kind": "buying_entity"},
            headers=admin,
        ).status_code
        == 409
    )
    supplier_kind = client.post(
        "/api/admin/organisations",
        json={"slug": "a-supplier", "name": "A supplier", "kind": "supplier"},
        headers=admin,
    )
    assert supplier_kind.status_code == 422

    client.post("/api/accounts", json=supplier_body("r@co.example"))
    slug = client.get("/api/admin/organisations?status=pending", headers=admin).json()[0]["slug"]
    no_reason = client.post(f"/api/admin/organisations/{slug}/reject", json={}, headers=admin)
    assert no_reason.status_code == 422
    rejected = client.post(
        f"/api/admin/organisations/{slug}/reject",
        json={"reason": "The certificate is older than six months"},
        headers=admin,
    )
    assert rejected.json()["status_reason"] == "The certificate is older than six months"
    assert "older than six months" in body_of(mails(settings.data_dir, "r@co.example")[-1])
    twice = client.post(f"/api/admin/organisations/{slug}/approve", headers=admin)
    assert twice.status_code == 409

    auditor = f.headers_for(client, factories.user(session, role=Role.AUDITOR, now=clock()))
    actions = client.get("/api/admin/actions", headers=auditor).json()
    assert [a["action"] for a in actions[:2]] == ["organisation.reject", "organisation.create"]
    buyer = f.headers_for(client, factories.user(session, role=Role.BUYER, now=clock()))
    assert client.get("/api/admin/actions", headers=buyer).status_code == 403


def test_a_rename_is_logged_with_the_old_name_and_a_role_change_must_fit(client, session, clock):
    admin = admin_headers(client, session, clock)
    buyer = factories.user(session, role=Role.BUYER, now=clock())
    entity = session.get(Organisation, buyer.organisation_id)
    old_name = entity.name
    renamed = client.post(
        f"/api/admin/organisations/{entity.slug}/rename",
        json={"name": "Bangkok Metropolitan Administration", "reason": "official name"},
        headers=admin,
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Bangkok Metropolitan Administration"
    entry = session.exec(
        select(LedgerEntry)
        .where(LedgerEntry.subject == f"organisation:{entity.slug}")
        .order_by(col(LedgerEntry.index).desc())
    ).first()
    assert old_name in entry.entry
    assert "core.organisation.renamed" in entry.entry

    token = f.headers_for(client, buyer)
    misfit = client.post(
        f"/api/admin/users/{buyer.id}/role",
        json={"role": "supplier", "reason": "moved"},
        headers=admin,
    )
    assert misfit.status_code == 422
    assert "supplier" in misfit.json()["detail"]
    changed = client.post(
        f"/api/admin/users/{buyer.id}/role",
        json={"role": "buyer", "reason": "no change really"},
        headers=admin,
    )
    assert changed.status_code == 200
    assert client.get("/api/auth/me", headers=token).status_code == 401  # signs in again
    by_buyer = client.post(
        f"/api/admin/users/{buyer.id}/role",
        json={"role": "admin", "reason": "please"},
        headers=token,
    )
    assert by_buyer.status_code == 401


def test_the_verification_email_reads_in_english_then_thai_with_the_link_in_each(client, settings):
    from email import message_from_bytes, policy

    email = "anan@example.org"
    assert client.post("/api/accounts", json=applicant_body(email)).status_code == 202
    [path] = [
        p
        for p in (settings.data_dir / "outbox").glob("accounts-*.eml")
        if email in p.read_text(errors="replace")
    ]
    mail = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert mail["Subject"] == (  # the deployment's default (English) first
        "Confirm your e-mail address for Prongsai / โปรดยืนยันที่อยู่อีเมลของท่านสำหรับ Prongsai"
    )
    body = mail.get_content()
    english, thai = body.split("\n— ภาษาไทย —\n")
    assert english.startswith("Hello Khun Anan,")
    assert "Someone (we hope you)" in english
    assert "hours." in english
    assert "ภายใน" not in english
    assert thai.strip().startswith("เรียน Khun Anan")
    assert "โปรดยืนยันที่ลิงก์" in thai
    assert "ชั่วโมง" in thai
    assert "Someone" not in thai
    token = last_link(settings.data_dir, email, "/verify")
    for part in (english, thai):  # the same link, once in each language
        assert part.count(f"/verify?token={token}") == 1
