"""Joining through the pages: register, confirm, land on one's dashboard, admin approval, reset."""

from __future__ import annotations

import html

import pytest

from core.auth.models import Role
from tests import factories
from tests.core.auth.onboarding import STRONG, juristic, last_link
from tests.core.auth.test_views import csrf_from


def post_form(client, path: str, data: dict, page: str | None = None):
    token = csrf_from(client.get(page or path).text)
    return client.post(path, data={**data, "csrf_token": token})


def sign_in(client, email: str, password: str):
    return post_form(client, "/signin", {"email": email, "password": password})


def company_form(email: str, number: str) -> dict:
    return {
        "role": "supplier",
        "name": "Khun Somchai",
        "email": email,
        "password": STRONG,
        "organisation.name": "Isan Solar Co., Ltd.",
        "organisation.registration_number": number,
        "organisation.address": "9 Mittraphap Road, Khon Kaen",
        "organisation.contact_name": "Khun Somchai",
        "organisation.contact_phone": "+66 43 555 010",
    }


def test_a_company_registers_on_the_page_confirms_and_waits_for_approval(
    client, session, clock, settings
):
    email = "somchai@isan-solar.example"
    bad = post_form(client, "/register", company_form(email, "0105500000001"))
    assert bad.status_code == 422
    assert "registration_number" in bad.text
    assert 'value="Isan Solar Co., Ltd."' in bad.text  # the form comes back filled in
    assert STRONG not in bad.text  # but never the password

    done = post_form(client, "/register", company_form(email, juristic()))
    assert done.status_code == 200, done.text
    assert "Check your e-mail" in done.text
    assert sign_in(client, email, STRONG).status_code == 401

    token = last_link(settings.data_dir, email, "/verify")
    landing = client.get(f"/verify?token={token}")
    assert "Confirm my e-mail address" in landing.text
    confirmed = post_form(client, "/verify", {"token": token}, page=f"/verify?token={token}")
    assert "E-mail confirmed" in confirmed.text
    assert "administrator" in html.unescape(confirmed.text)

    signed_in = sign_in(client, email, STRONG)
    assert signed_in.headers["location"] == "/supplier"
    dashboard = client.get("/supplier").text
    assert "waiting for an administrator" in html.unescape(dashboard)
    assert 'href="/tenders?status=active"' in dashboard  # the supplier's header links

    admin = factories.user(session, role=Role.ADMIN, now=clock())
    client.cookies.clear()
    assert sign_in(client, admin.email, factories.PASSWORD).headers["location"] == "/admin"
    page = client.get("/admin").text
    assert "Isan Solar Co., Ltd." in page
    assert email in page
    slug = next(
        part for part in page.split('"') if part.startswith("/admin/organisations/supplier-")
    )
    approved = post_form(client, slug, {"reason": ""}, page="/admin")
    assert approved.status_code == 303
    assert "Approved" in client.get(approved.headers["location"]).text
    assert "Isan Solar Co., Ltd." in client.get("/supplier-register").text


def test_a_refused_registration_speaks_the_readers_language(client):
    email = "malee@chiang-mai-rice.example"
    client.cookies.set("lang", "th")
    weak = post_form(
        client, "/register", {**company_form(email, juristic()), "password": "password1234"}
    )
    assert weak.status_code == 422
    # The policy's sentence and zxcvbn's own advice, both in Thai.
    assert "รหัสผ่านนี้คาดเดาได้ง่ายเกินไป รหัสผ่านนี้มีผู้ใช้กันมาก" in weak.text
    assert "เพิ่มคำอีกหนึ่งหรือสองคำ" in weak.text
    assert "too easy to guess" not in weak.text
    assert "common password" not in weak.text
    number = juristic()
    wrong = number[:12] + str((int(number[12]) + 1) % 10)
    misdigit = post_form(client, "/register", company_form(email, wrong))
    assert misdigit.status_code == 422
    assert "เลขทะเบียนนิติบุคคลมีเลขหลักตรวจสอบไม่ถูกต้อง" in misdigit.text
    assert "check digit" not in misdigit.text
    client.cookies.set("lang", "en")
    english = post_form(
        client, "/register", {**company_form(email, juristic()), "password": "password1234"}
    )
    assert "This password is too easy to guess. This is a very common password." in english.text
    assert "รหัสผ่าน" not in english.text


def test_a_thai_reader_joins_and_is_approved_in_thai_and_english_is_unchanged(
    client, session, clock, settings
):
    email = "pranee@korat-steel.example"
    client.cookies.set("lang", "th")
    done = post_form(client, "/register", company_form(email, juristic()))
    assert done.status_code == 200, done.text
    assert "โปรดตรวจสอบอีเมลของท่าน" in done.text
    assert "ระบบกำลังส่งข้อความพร้อมลิงก์สำหรับยืนยันที่อยู่อีเมล" in done.text
    assert "Check your e-mail" not in done.text
    token = last_link(settings.data_dir, email, "/verify")
    confirmed = post_form(client, "/verify", {"token": token}, page=f"/verify?token={token}")
    assert "ยืนยันอีเมลแล้ว" in confirmed.text
    assert "บริษัทของท่านจะยื่นข้อเสนอได้เมื่อผู้ดูแลระบบตรวจสอบการลงทะเบียนแล้ว" in confirmed.text
    assert "administrator" not in confirmed.text

    admin = factories.user(session, role=Role.ADMIN, now=clock())
    client.cookies.clear()
    client.cookies.set("lang", "th")
    sign_in(client, admin.email, factories.PASSWORD)
    page = client.get("/admin").text
    slug = next(
        part for part in page.split('"') if part.startswith("/admin/organisations/supplier-")
    )
    short = post_form(client, slug.replace("/approve", "/reject"), {"reason": ""}, page="/admin")
    assert "โปรดระบุเหตุผลที่จะแจ้งให้บริษัทท" in client.get(short.headers["location"]).text
    approved = post_form(client, slug, {"reason": ""}, page="/admin")
    notice = client.get(approved.headers["location"]).text
    assert "บริษัทสามารถยื่นข้อเสนอได้ตั้งแต่บัดนี้" in notice
    assert "it may bid now" not in notice

    # The JSON answers too: Thai for a Thai reader, today's English otherwise.
    body = {
        "role": "applicant",
        "email": "somsri@example.org",
        "name": "Somsri",
        "password": STRONG,
    }
    thai = client.post("/api/accounts", json=body, headers={"accept-language": "th"})
    assert thai.json()["detail"].startswith("ขอขอบคุณ หากที่อยู่อีเมลนี้รับอีเมลได้")
    client.cookies.clear()
    english = client.post("/api/accounts/password-reset", json={"email": "somsri@example.org"})
    assert english.json()["detail"].startswith("If an account uses this address, a message")
    invalid = client.post("/api/accounts", json={}, headers={"accept-language": "th"})
    assert invalid.status_code == 422
    assert invalid.json()["detail"].startswith("ข้อมูลไม่ถูกต้อง — บทบาท: ต้องกรอกช่องนี้; อีเมล: ")
    assert "Field required" not in invalid.json()["detail"]
    assert "role" not in invalid.json()["detail"]  # the field by its label, never its code
    first = invalid.json()["errors"][0]  # for programs, unchanged: the path and pydantic's words
    assert first == {"field": "role", "message": "Field required"}
    english = client.post("/api/accounts", json={})
    assert english.json()["detail"].startswith("Invalid input — Role: This is required; Email: ")


@pytest.mark.parametrize(
    ("role", "lands", "link"),
    [
        (Role.BUYER, "/buyer", "/buyer/tenders/new"),
        (Role.SUPPLIER, "/supplier", "/supplier"),
        (Role.PERMIT_OFFICER, "/permits/officer", "/permits/officer"),
        (Role.APPLICANT, "/permits/mine", "/permits/apply"),
        (Role.ADMIN, "/admin", "/admin"),
        (Role.AUDITOR, "/admin/actions", "/admin/actions"),
    ],
)
def test_each_role_lands_on_its_dashboard_and_the_header_links_its_pages(
    client, session, clock, role, lands, link
):
    user = factories.user(session, role=role, now=clock())
    response = sign_in(client, user.email, factories.PASSWORD)
    assert response.headers["location"] == lands
    page = client.get(lands)
    assert page.status_code == 200, page.text
    assert f'<a href="{link}">' in page.text.split("<main")[0]  # the header and its nav band


def test_a_password_is_reset_through_the_pages_and_the_old_one_stops(
    client, session, clock, settings
):
    user = factories.user(session, role=Role.APPLICANT, now=clock())
    asked = post_form(client, "/password-reset", {"email": user.email})
    assert "Check your e-mail" in asked.text
    unknown = post_form(client, "/password-reset", {"email": "nobody@x.example"})
    assert unknown.text == asked.text.replace(user.email, "nobody@x.example")
    token = last_link(settings.data_dir, user.email, "/password-reset/confirm")
    page = f"/password-reset/confirm?token={token}"
    weak = post_form(
        client, "/password-reset/confirm", {"token": token, "password": "password1"}, page
    )
    assert weak.status_code == 422
    assert "at least 10 characters" in weak.text
    done = post_form(client, "/password-reset/confirm", {"token": token, "password": STRONG}, page)
    assert "Password set" in done.text
    assert sign_in(client, user.email, factories.PASSWORD).status_code == 401
    assert sign_in(client, user.email, STRONG).status_code == 303


def test_change_password_keeps_this_session(client, session, clock):
    user = factories.user(session, role=Role.APPLICANT, now=clock())
    sign_in(client, user.email, factories.PASSWORD)
    wrong = post_form(
        client,
        "/account/password",
        {"current_password": "nope", "new_password": STRONG},
        page="/account",
    )
    assert wrong.status_code == 422
    assert "current password is wrong" in wrong.text
    changed = post_form(
        client,
        "/account/password",
        {"current_password": factories.PASSWORD, "new_password": STRONG},
        page="/account",
    )
    assert "Password changed" in changed.text
    assert client.get("/account").status_code == 200


def test_admin_pages_refuse_everyone_else(client, session, clock):
    buyer = factories.user(session, role=Role.BUYER, now=clock())
    sign_in(client, buyer.email, factories.PASSWORD)
    assert client.get("/admin").status_code == 403
    assert client.get("/admin/actions").status_code == 403
