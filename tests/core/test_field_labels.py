"""A summary of a form's or a request's problems names each field by its label, in the reader's
language, never by its code; the JSON API's `errors` keep the fields' paths for programs."""

from __future__ import annotations

import re
import typing
from urllib.parse import unquote

import pytest
from pydantic import BaseModel

from core import i18n
from core.auth.models import OrganisationKind, Role
from prongsai.app import LOCALE_DIR, _label_book
from prongsai.openapi import routes
from tests import factories
from tests.core.auth.onboarding import STRONG
from tests.core.auth.test_onboarding_views import post_form, sign_in
from tests.procurement import factories as procurement_factories


@pytest.fixture
def book():
    i18n._catalogues.update(i18n.load_catalogues(LOCALE_DIR))
    yield _label_book()
    i18n.set_locale("en")


def test_a_field_is_named_by_its_label_in_each_language(book):
    assert book.field(("body", "organisation", "registration_number")) == (
        "Juristic-person registration number (13 digits)"
    )
    assert book.field(("body", "items", 1, "unit")) == "Items, row 2: Unit"
    assert book.field(("body", "lots", 0)) == "Lots, row 1"
    assert book.field(("path", "tender_id")) == "Tender number"
    assert book.field(("body", 17)) == ""  # the body itself is not JSON: no field to name
    with i18n.speaking("th"):
        assert book.field(("body", "organisation", "registration_number")) == (
            "เลขทะเบียนนิติบุคคล (13 หลัก)"
        )
        assert book.field(("body", "items", 1, "unit")) == "รายการพัสดุ แถวที่ 2: หน่วย"
        assert book.field(("path", "tender_id")) == "เลขที่ประกาศ"


def test_a_field_nobody_labelled_is_still_written_as_words(book):
    assert book.field(("body", "some_new_field")) == "Some new field"
    assert book.field(("header", "x-new-header")) == "X new header"


def _fields(annotation: object, prefix: str, depth: int = 0) -> typing.Iterator[tuple[str, ...]]:
    """The paths of a request model's fields, nested ones too."""
    if depth > 4:
        return
    for kind in (annotation, *typing.get_args(annotation)):
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            for name, info in kind.model_fields.items():
                path = (*prefix, info.alias or name)
                yield path
                yield from _fields(info.annotation, path, depth + 1)
        elif typing.get_args(kind):
            yield from _fields(kind, prefix, depth + 1)


def test_every_field_a_route_reads_has_a_label(app, book):
    """No summary falls back on a field's code: every parameter, form field and JSON field of
    every route (pages and API alike) has its label in the book."""
    unlabelled = set()

    def walk(dependant) -> None:
        for param in (
            *dependant.query_params,
            *dependant.path_params,
            *dependant.header_params,
            *dependant.cookie_params,
            *dependant.body_params,
        ):
            paths = [(param.alias,), *_fields(param.field_info.annotation, ())]
            for path in paths:
                labelled = any(
                    ("field", ".".join(path[start:])) in book.messages for start in range(len(path))
                )
                if not labelled and path != ("body",):
                    unlabelled.add(".".join(path))
        for dependency in dependant.dependencies:
            walk(dependency)

    for route in routes(app):
        walk(route.dependant)
    assert sorted(unlabelled) == []


def test_the_json_api_names_fields_by_label_and_keeps_paths_for_programs(client):
    body = {"role": "supplier", "email": "nok@example.org", "name": "Nok", "password": STRONG}
    body["organisation"] = {"name": "Nok Supplies"}  # its registration number left out
    english = client.post("/api/accounts", json=body)
    assert english.status_code == 422
    detail = english.json()["detail"]
    assert detail.startswith(
        "Invalid input — Juristic-person registration number (13 digits): This is required; "
    )
    assert "registration_number" not in detail
    fields = [e["field"] for e in english.json()["errors"]]
    assert "organisation.registration_number" in fields  # the path, for programs
    thai = client.post("/api/accounts", json=body, headers={"accept-language": "th"})
    detail = thai.json()["detail"]
    assert detail.startswith("ข้อมูลไม่ถูกต้อง — เลขทะเบียนนิติบุคคล (13 หลัก): ต้องกรอกช่องนี้; ")
    assert "registration_number" not in detail
    assert [e["field"] for e in thai.json()["errors"]] == fields  # the same paths


def test_a_list_row_and_a_path_parameter_are_named_in_words(client, session, clock):
    _, headers = procurement_factories.buyer(client, session, clock())
    thai = client.get("/api/tenders/abc", headers={"accept-language": "th"})
    assert thai.status_code == 422
    assert thai.json()["detail"].startswith("ข้อมูลไม่ถูกต้อง — เลขที่ประกาศ: ")
    english = client.post(
        "/api/tenders",
        json={"items": [{"description": "Cement", "quantity": "lots", "unit": "bag"}]},
        headers=headers,
    )
    assert english.status_code == 422
    assert "Items, row 1: Quantity: " in english.json()["detail"]
    assert "items.0" not in english.json()["detail"]


def test_a_page_refusing_a_query_names_the_field_by_its_label(client):
    english = client.get("/charts?year=soon")
    assert english.status_code == 422
    assert "Year: Enter a whole number, such as 2026" in english.text
    client.cookies.set("lang", "th")
    thai = client.get("/charts?year=soon")
    # The year as the field takes it (Gregorian, 2000-2100): 2569 would be refused.
    assert "ปี: กรอกเป็นจำนวนเต็ม เช่น 2026" in thai.text
    assert "year" not in re.sub(r"<[^>]+>", "", thai.text).lower()


def test_an_admin_form_refused_names_its_fields_by_label_in_each_language(client, session, clock):
    admin = factories.user(session, role=Role.ADMIN, now=clock())
    sign_in(client, admin.email, factories.PASSWORD)
    form = {"slug": "X", "name": "Khon Kaen Hospital", "kind": "hospital"}
    refused = post_form(client, "/admin/organisations", form, page="/admin")
    notice = unquote(refused.headers["location"])
    assert notice.startswith("/admin?problem=Check the form — Short name in addresses")
    assert "Kind: Choose one of the options offered" in notice
    assert "slug" not in notice.split("=", 1)[1]
    client.cookies.set("lang", "th")
    refused = post_form(client, "/admin/organisations", form, page="/admin")
    notice = unquote(refused.headers["location"])
    assert "โปรดตรวจสอบแบบฟอร์ม — ชื่อย่อในที่อยู่หน้าเว็บ (a-z, 0-9 และ -): " in notice
    assert "ชนิด: เลือกจากตัวเลือกที่มีให้" in notice


def test_the_admin_page_writes_roles_kinds_and_statuses_as_words(client, session, clock):
    admin = factories.user(session, role=Role.ADMIN, now=clock())
    factories.organisation(session, kind=OrganisationKind.DEPARTMENT, now=clock())
    sign_in(client, admin.email, factories.PASSWORD)
    text = re.sub(r"<[^>]+>", " ", client.get("/admin").text)
    assert "permit officer" in text
    assert "government department" in text or "buying entity" in text
    for code in ("permit_officer", "buying_entity"):
        assert code not in text
    client.cookies.set("lang", "th")
    text = re.sub(r"<[^>]+>", " ", client.get("/admin").text)
    assert "เจ้าหน้าที่พิจารณาใบอนุญาต" in text
    assert "ใช้งานอยู่" in text  # an organisation's status
    assert "permit_officer" not in text


def test_a_thai_problem_ends_without_a_full_stop(client):
    client.cookies.set("lang", "th")
    body = {"role": "applicant", "email": "", "name": "", "password": ""}
    page = post_form(client, "/register", body)
    assert page.status_code == 422
    messages = re.findall(r'<p class="error-message"[^>]*>(.*?)</p>', page.text, re.S)
    assert messages
    assert [m for m in messages if re.search(r"\.\s*$", m)] == []
