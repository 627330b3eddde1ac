"""The buyer's draft form: a new tender, and a draft edited until it is published.

The form is read whole before anything is saved, so a page with several mistakes names them
all (in its error summary, each at its field) and keeps everything typed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from core import forms
from core.auth.models import User
from core.auth.rules import member_organisation_id
from core.db import SessionDep
from core.errors import DomainError
from core.i18n import gettext
from core.types import Id
from procurement.dependencies import BuyerUser, CsrfChecked
from procurement.pages import local_time, minor_units, render
from procurement.tenders import queries as tender_queries
from procurement.tenders import service as tender_service
from procurement.tenders.models import AwardCriteria, Category, Method
from procurement.tenders.schemas import TenderDraftIn

router = APIRouter(include_in_schema=False)

ITEM_ROWS = 5
LOT_ROWS = 4
TIMES = ("enquiry_end_at", "tender_start_at", "tender_end_at", "opening_at")
# The draft's fields that the form names otherwise, or shows as one control: an empty list of
# items is the first item row's problem.
RENAMED = {"invited_suppliers": "invited", "items": "item-description-1"}
# The form's controls in the page's order, the order of its error summary.
ORDER = (
    "title",
    "description",
    "category",
    "method",
    "award_criteria",
    "estimated_value",
    "currency",
    "standstill_days",
    "criteria",
    "invited",
    "eligibility",
    "tender_start_at",
    "enquiry_end_at",
    "tender_end_at",
    "opening_at",
    *(f"lot-{c}-{n}" for n in range(1, LOT_ROWS + 1) for c in ("title", "description", "value")),
    *(
        f"item-{c}-{n}"
        for n in range(1, ITEM_ROWS + 1)
        for c in ("description", "quantity", "unit", "lot")
    ),
)
FIELDS = set(ORDER[:15])


def _new_form(
    request: Request,
    user: User,
    *,
    values: dict[str, Any],
    errors: forms.FormErrors | None = None,
    status_code: int = 200,
    tender_id: int | None = None,
) -> HTMLResponse:
    return render(
        request,
        "procurement/tender_new.html",
        {
            "tender_id": tender_id,
            "values": values,
            "errors": errors,
            "categories": list(Category),
            "methods": list(Method),
            "criteria_kinds": list(AwardCriteria),
            "item_rows": ITEM_ROWS,
            "lot_rows": LOT_ROWS,
        },
        user=user,
        status_code=status_code,
    )


@router.get("/buyer/tenders/new", response_class=HTMLResponse)
def new_tender(request: Request, user: BuyerUser):
    """The form of a new draft tender."""
    values = {
        "currency": "THB",
        "standstill_days": "10",
        "method": "open",
        "award_criteria": "lowest_price",
        "category": "goods",
    }
    return _new_form(request, user, values=values)


def _rows(form: FormData, prefix: str, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    lists = [form.getlist(f"{prefix}_{name}") for name in columns]
    length = max(len(c) for c in lists)
    return [tuple(str(c[i]).strip() if i < len(c) else "" for c in lists) for i in range(length)]


def _item_rows(form: FormData) -> list[tuple[str, ...]]:
    return _rows(form, "item", ("description", "quantity", "unit", "lot"))


def _lot_rows(form: FormData) -> list[tuple[str, ...]]:
    return _rows(form, "lot", ("title", "description", "value"))


def _criteria(text: str, check: forms.Checker) -> list[dict[str, Any]]:
    criteria = []
    for line in text.splitlines():
        if line.strip():
            name, _, weight = line.rpartition(":")
            if not name.strip() or not weight.strip().isdigit():
                check.add(
                    "criteria",
                    gettext("Write one criterion a line as “name: weight”, not “%(line)s”.")
                    % {"line": line.strip()},
                )
                continue
            criteria.append({"name": name.strip(), "weight": int(weight)})
    return criteria


def _draft_from(form: FormData, zone) -> tuple[TenderDraftIn | None, forms.FormErrors]:
    """The form as the service's draft, or every problem found in it, each at its field."""
    check = forms.Checker()
    names: dict[str, str] = dict(RENAMED)
    lots: list[dict[str, Any]] = []
    for n, (title, description, value) in enumerate(_lot_rows(form), start=1):
        if title or description or value:
            for column, control in (("title", "title"), ("description", "description")):
                names[f"lots.{len(lots)}.{column}"] = f"lot-{control}-{n}"
            names[f"lots.{len(lots)}.estimated_value"] = f"lot-value-{n}"
            amount = check.read(f"lot-value-{n}", minor_units, value, field=f"lot-value-{n}")
            lots.append({"title": title, "description": description, "estimated_value": amount})
    items: list[dict[str, Any]] = []
    for n, (description, quantity, unit, lot) in enumerate(_item_rows(form), start=1):
        if description or quantity or unit:
            for column in ("description", "quantity", "unit", "lot"):
                names[f"items.{len(items)}.{column}"] = f"item-{column}-{n}"
            if lot and not lot.isdigit():
                check.add(f"item-lot-{n}", gettext("Enter the lot's number: 1, 2, and so on."))
                lot = ""
            items.append(
                {
                    "description": description,
                    "quantity": quantity or "0",
                    "unit": unit,
                    "lot": int(lot) if lot else None,
                }
            )
    if not items:
        check.add(
            "item-description-1",
            gettext("Describe at least one item: its description, quantity and unit."),
        )
    criteria = _criteria(str(form.get("criteria", "")), check)
    for i in range(len(criteria)):
        names[f"criteria.{i}.name"] = names[f"criteria.{i}.weight"] = "criteria"
    invited = [s.strip() for s in str(form.get("invited", "")).replace(",", " ").split()]
    times = {
        field: check.read(field, local_time, str(form.get(field, "")), zone=zone, field=field)
        for field in TIMES
    }
    estimated = check.read(
        "estimated_value",
        minor_units,
        str(form.get("estimated_value", "")),
        field="estimated_value",
    )
    try:
        draft = TenderDraftIn.model_validate(
            {
                "title": str(form.get("title", "")).strip(),
                "description": str(form.get("description", "")).strip(),
                "category": form.get("category"),
                "method": form.get("method") or "open",
                "estimated_value": estimated if estimated is not None else 0,
                "currency": str(form.get("currency") or "THB").strip().upper(),
                "award_criteria": form.get("award_criteria") or "lowest_price",
                "criteria": criteria,
                "eligibility": str(form.get("eligibility", "")).strip(),
                "invited_suppliers": [s for s in invited if s],
                "standstill_days": form.get("standstill_days") or 10,
                "items": items,
                "lots": lots,
                **times,
            }
        )
    except ValidationError as error:
        known = FIELDS | set(names.values())
        found = check.errors | forms.from_validation(error, known=known, names=names)
        return None, found.ordered(ORDER)
    return (None if check.errors else draft), check.errors.ordered(ORDER)


def _typed(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {key: form.get(key) for key in form}
    values["items"] = _item_rows(form)
    values["lots"] = _lot_rows(form)
    return values


@router.post("/buyer/tenders", dependencies=[CsrfChecked])
async def create_tender(request: Request, session: SessionDep, user: BuyerUser):
    """Save a new draft; its page follows, to attach documents and publish."""
    form = await request.form()
    draft, errors = _draft_from(form, request.app.state.settings.zone)
    if draft is None:
        return _new_form(request, user, values=_typed(form), errors=errors, status_code=422)
    try:
        tender = tender_service.create_draft(
            session, buyer=user, draft=draft, now=request.app.state.clock()
        )
    except DomainError as error:
        session.rollback()
        return _new_form(
            request,
            user,
            values=_typed(form),
            errors=forms.from_domain(error, known=FIELDS),
            status_code=error.status_code,
        )
    return RedirectResponse(f"/buyer/tenders/{tender.id}", status_code=303)


@router.get("/buyer/tenders/{tender_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, session: SessionDep, user: BuyerUser, tender_id: Id):
    """The draft form again, filled in with the draft."""
    values = tender_queries.draft_form_values(
        session,
        organisation_id=member_organisation_id(user),
        tender_id=tender_id,
        zone=request.app.state.settings.zone,
    )
    return _new_form(request, user, values=values, tender_id=tender_id)


@router.post("/buyer/tenders/{tender_id}/edit", dependencies=[CsrfChecked])
async def edit(request: Request, session: SessionDep, user: BuyerUser, tender_id: Id):
    """Save every field, item and lot of the draft; its dates are checked now."""
    form = await request.form()
    settings = request.app.state.settings
    tender_service.owned_tender(session, buyer=user, tender_id=tender_id)  # 404 / 403 first
    draft, errors = _draft_from(form, settings.zone)
    status_code = 422
    if draft is not None:
        try:
            tender_service.update_draft(
                session,
                buyer=user,
                tender_id=tender_id,
                draft=draft,
                now=request.app.state.clock(),
                settings=settings,
            )
        except DomainError as error:
            session.rollback()
            errors, status_code = forms.from_domain(error, known=FIELDS), error.status_code
    if errors:
        return _new_form(
            request,
            user,
            values=_typed(form),
            errors=errors,
            status_code=status_code,
            tender_id=tender_id,
        )
    return RedirectResponse(f"/buyer/tenders/{tender_id}?saved=1", status_code=303)
