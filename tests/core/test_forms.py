"""Forms the GOV.UK way: a summary titled "There is a problem" linking each error to its field's
id, each message at its field (aria-invalid, aria-describedby), and what was typed kept."""

from __future__ import annotations

import re

import pytest

from tests.core.auth.test_views import csrf_from, sign_in
from tests.permits import factories as permit_factories
from tests.permits.conftest import setup  # noqa: F401 -- the permit departments fixture


def summary_links(html: str, title: str = "There is a problem") -> list[str]:
    """The field ids the error summary links to; asserts the summary is there and takes focus."""
    match = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert match, "no error summary"
    assert "autofocus" in match.group(0)[:200]
    assert title in match.group(1)
    return re.findall(r'<a href="#([^"]+)"', match.group(1))


def field_error(html: str, element_id: str) -> str:
    """The message shown at a field, which the field names as its description."""
    control = re.search(rf'<(input|textarea|select)[^>]*id="{element_id}"[^>]*>', html)
    assert control, element_id
    assert 'aria-invalid="true"' in control.group(0)
    assert f"{element_id}-error" in control.group(0)
    message = re.search(rf'<p class="error-message" id="{element_id}-error">(.*?)</p>', html, re.S)
    assert message, f"no message at {element_id}"
    return message.group(1)


def test_registration_shows_each_error_at_its_field_and_keeps_what_was_typed(client):
    token = csrf_from(client.get("/register").text)
    page = client.post(
        "/register",
        data={
            "csrf_token": token,
            "role": "supplier",
            "name": "Somchai Typed-Name",
            "email": "not-an-address",
            "password": "x",
            "organisation.name": "Korat Supplies Typed",
            "organisation.registration_number": "12",
        },
    )
    assert page.status_code == 422
    links = summary_links(page.text)
    assert "email" in links
    assert field_error(page.text, "email")
    assert 'value="Somchai Typed-Name"' in page.text
    assert 'value="Korat Supplies Typed"' in page.text
    assert 'value="not-an-address"' in page.text
    assert 'value="x"' not in page.text  # never the password
    assert "Email:" in page.text  # the field's own label in the summary


def test_sign_in_with_empty_fields_names_both(client):
    token = csrf_from(client.get("/signin").text)
    page = client.post("/signin", data={"csrf_token": token, "email": "me@example.org"})
    assert page.status_code == 422
    assert summary_links(page.text) == ["password"]
    assert "Enter your password." in field_error(page.text, "password")
    assert 'value="me@example.org"' in page.text
    empty = client.post("/signin", data={"csrf_token": token})
    assert summary_links(empty.text) == ["email", "password"]


def test_a_wrong_password_is_a_problem_of_the_form_with_the_address_kept(client):
    token = csrf_from(client.get("/signin").text)
    page = client.post(
        "/signin", data={"csrf_token": token, "email": "who@example.org", "password": "wrong-pw"}
    )
    assert page.status_code in (400, 401)
    assert summary_links(page.text) == []  # about the whole form
    assert 'value="who@example.org"' in page.text


def test_password_reset_with_a_bad_address_points_at_the_field(client):
    token = csrf_from(client.get("/password-reset").text)
    page = client.post("/password-reset", data={"csrf_token": token, "email": "nope"})
    assert page.status_code == 422
    assert summary_links(page.text) == ["email"]
    assert field_error(page.text, "email")
    assert 'value="nope"' in page.text


@pytest.mark.usefixtures("setup", "settings")
def test_a_permit_application_missing_a_field_links_to_it_and_keeps_the_rest(
    client, session, clock
):
    sign_in(client, permit_factories.applicant(session, now=clock()))
    token = csrf_from(client.get("/permits/apply/FOD").text)
    values = {**permit_factories.food_values(), "shop_name": "", "csrf_token": token}
    files = [
        ("doc_floor_plan", ("plan.pdf", permit_factories.PDF, "application/pdf")),
        ("doc_health_certificate", ("h.png", permit_factories.PNG, "image/png")),
    ]
    page = client.post("/permits/apply/FOD", data=values, files=files)
    assert page.status_code == 422
    assert summary_links(page.text) == ["f-shop_name"]
    assert "required" in field_error(page.text, "f-shop_name")
    assert 'value="24"' in page.text  # the seats typed
    assert permit_factories.SECRET_PHONE in page.text


@pytest.mark.usefixtures("setup", "settings")
def test_a_permit_application_names_every_bad_field_at_once_in_thai(client, session, clock):
    sign_in(client, permit_factories.applicant(session, now=clock()))
    token = csrf_from(client.get("/permits/apply/FOD").text)
    values = {**permit_factories.food_values(), "shop_name": "", "seats": "many"}
    page = client.post(
        "/permits/apply/FOD",
        data={**values, "csrf_token": token},
        files=[("doc_floor_plan", ("plan.pdf", permit_factories.PDF, "application/pdf"))],
        headers={"accept-language": "th"},
    )
    assert page.status_code == 422
    # Both fields and the missing document, in the page's order, each by its Thai label.
    links = summary_links(page.text, title="พบปัญหา")
    assert links == ["f-shop_name", "f-seats", "d-health_certificate"]
    assert "ต้องกรอกช่องนี้" in field_error(page.text, "f-shop_name")
    assert "กรอกเป็นตัวเลข" in field_error(page.text, "f-seats")
    assert "เลือกไฟล์ที่จะอัปโหลด" in field_error(page.text, "d-health_certificate")
    summary = re.search(r"error-summary.*?</div>", page.text, re.S).group(0)
    assert "shop_name" not in re.sub(r"<[^>]+>", "", summary)  # labels, never codes
    assert 'value="many"' in page.text
    assert "โปรดเลือกเอกสารทุกรายการอีกครั้ง" in page.text  # the files must be chosen again


def test_a_wrong_current_password_is_named_at_its_field_and_changes_nothing(client, session, clock):
    from core.auth.models import Role
    from tests import factories

    user = factories.user(session, role=Role.APPLICANT, now=clock())
    sign_in(client, user)
    token = csrf_from(client.get("/account").text)
    page = client.post(
        "/account/password",
        data={"csrf_token": token, "current_password": "not-it", "new_password": "x"},
    )
    assert page.status_code == 422
    assert summary_links(page.text) == ["current_password"]
    assert "The current password is wrong" in field_error(page.text, "current_password")
    assert "not-it" not in page.text  # a password is never written back
    weak = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": factories.PASSWORD,
            "new_password": "password1",
        },
    )
    assert summary_links(weak.text) == ["new_password"]
    assert "New password:" in weak.text  # the summary names the field by its label
    assert sign_in(client, user).status_code == 303  # the old password still works
