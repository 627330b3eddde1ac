"""Public HTML routes of permits: the status page (live), lists, certificates, departments
(each with its performance page and downloads)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)

from core import forms, spreadsheet, templating
from core.auth.csrf import verify_csrf
from core.auth.dependencies import OptionalUser
from core.auth.models import OrganisationKind
from core.auth.queries import list_organisations, organisation_choices
from core.clock import ClockDep
from core.db import SessionDep, stored_id
from core.errors import InvalidInput
from core.i18n import gettext
from core.pdf import render_pdf
from core.types import Page
from permits import certificates, listing, performance, queries, service, subscriptions
from permits.dependencies import NumberPath

router = APIRouter(include_in_schema=False)
LIST_PAGE = 50  # applications a page of /permits
CsrfChecked = Depends(verify_csrf)
DepartmentSlug = Annotated[str, Path(description="the department's identifier, e.g. bma-health")]


def render(request: Request, template: str, context: dict, status_code: int = 200):
    """A page of permits."""
    return templating.render(request, f"permits/{template}", context, status_code=status_code)


@router.get("/departments", response_class=HTMLResponse)
def departments(request: Request, session: SessionDep, user: OptionalUser, clock: ClockDep):
    """The public directory of permit-handling departments, with their figures."""
    return render(
        request,
        "departments.html",
        {
            "user": user,
            "departments": list_organisations(session, kind=OrganisationKind.DEPARTMENT),
            "statistics": listing.statistics(session, now=clock()),
        },
    )


@router.get("/departments/{slug}", response_class=HTMLResponse)
def department_page(
    slug: DepartmentSlug,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
    page: Annotated[Page, Query()] = 1,
):
    """One department's performance: types, applications, on-time share, backlog, and its
    overdue applications a page at a time (`page`)."""
    figures = performance.performance(
        session, slug=slug, settings=request.app.state.settings, now=clock(), page=page
    )
    last = figures.overdue_pages

    def link(n: int) -> str:
        url = request.url.include_query_params(page=min(n, last))  # past the end: the last
        return f"{url.path}?{url.query}#overdue"

    pages = {n: link(n) for n in (page - 1, page + 1) if n >= 1 and (n <= last or n == page - 1)}
    return render(
        request,
        "department.html",
        {
            "user": user,
            "department": figures,
            "previous": pages.get(page - 1),
            "next": pages.get(page + 1),
        },
    )


@router.get("/departments/{slug}/performance.json")
def department_json(
    slug: DepartmentSlug,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    page: Annotated[Page, Query()] = 1,
):
    """The department page's figures as JSON (its twin): its overdue applications a page at a
    time, as on the page (`overdue_page` of `overdue_pages`); the applications' downloads
    hold every stage."""
    figures = performance.performance(
        session, slug=slug, settings=request.app.state.settings, now=clock(), page=page
    )
    return JSONResponse(figures.model_dump(mode="json"))


def _department_rows(request: Request, session, slug: str, now) -> Iterator[Any]:
    """The department's stages, each as it is read from a session of the download's own (the
    department is looked up first, so an unknown one is a 404 before anything is sent)."""
    department_id = stored_id(performance.department(session, slug=slug))

    def rows() -> Iterator[Any]:
        with request.app.state.stream_session() as stream:
            yield from performance.applications(
                stream, department_id=department_id, settings=request.app.state.settings, now=now
            )

    return rows()


@router.get("/departments/{slug}/applications.json")
def department_applications_json(
    slug: DepartmentSlug, request: Request, session: SessionDep, clock: ClockDep
):
    """Every stage of an application that reached the department (JSON, streamed)."""
    rows = _department_rows(request, session, slug, clock())

    def chunks() -> Iterator[str]:  # 64 kB at a time: each chunk is a hop to a thread
        out = io.StringIO()
        out.write(json.dumps({"department": slug}, separators=(",", ":"))[:-1])
        out.write(',"applications":[')
        separator = ""
        for row in rows:
            out.write(separator + row.model_dump_json())
            separator = ","
            if out.tell() > 64_000:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        out.write("]}")
        yield out.getvalue()

    return StreamingResponse(chunks(), media_type="application/json")


@router.get("/departments/{slug}/applications.csv")
def department_applications_csv(
    slug: DepartmentSlug, request: Request, session: SessionDep, clock: ClockDep
):
    """Every stage of an application that reached the department (CSV, streamed)."""
    rows = _department_rows(request, session, slug, clock())

    def chunks() -> Iterator[str]:
        out = io.StringIO()
        writer = spreadsheet.dict_writer(out, list(performance.ApplicationRow.model_fields))
        writer.writeheader()
        for row in rows:
            writer.writerow(row.model_dump(mode="json"))
            if out.tell() > 64_000:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{slug}-applications.csv"'},
    )


@router.get("/permits", response_class=HTMLResponse)
def permits_list(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
    type: Annotated[str | None, Query(max_length=8)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    overdue: bool | None = None,
    page: Annotated[Page, Query()] = 1,
    after: Annotated[str | None, Query(max_length=40)] = None,
):
    """Every application, filterable; a box to look one up by its tracking number."""
    result = listing.page(
        session,
        settings=request.app.state.settings,
        now=clock(),
        type_code=type or None,
        department=department or None,
        status=status or None,
        overdue=overdue,
        number=page,
        after=after or None,
        per_page=LIST_PAGE,
    )
    late = None if overdue is None else str(overdue).lower()  # false filters too (the API's)
    filters = {"type": type, "department": department, "status": status, "overdue": late}
    filters = {name: value for name, value in filters.items() if value}
    return render(
        request,
        "list.html",
        {
            "user": user,
            "page": result,
            "types": listing.type_names(session),
            "departments": organisation_choices(session, kind=OrganisationKind.DEPARTMENT),
            "filters": filters,
            "next_after": parse_qs(result.next)["after"][0] if result.next else None,
            "paged": bool(after),
        },
    )


@router.get("/permits/lookup")
def lookup(session: SessionDep, number: Annotated[str, Query(max_length=40)]):
    """Go to an application's page from a typed (or read-out) tracking number."""
    application = service.get_application(session, number=number)
    return RedirectResponse(f"/permits/{application.tracking_number}", status_code=303)


@router.get("/permits/certificates/{digest}", response_class=HTMLResponse)
def verify_certificate(digest: str, request: Request, session: SessionDep, user: OptionalUser):
    """Is a certificate genuine and unchanged? Its facts, its log entry and the proof."""
    check = certificates.verify(session, digest=digest)
    return render(request, "verify.html", {"user": user, "check": check})


@router.get("/permits/{number}", response_class=HTMLResponse)
def permit_page(
    number: NumberPath,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
):
    """The public page of an application: its timeline, updated live."""
    permit = queries.permit(
        session, number=number, settings=request.app.state.settings, now=clock()
    )
    return render(request, "permit.html", {"user": user, "permit": permit, "subscribed": False})


@router.get("/permits/{number}/timeline", response_class=HTMLResponse)
def permit_timeline(number: NumberPath, request: Request, session: SessionDep, clock: ClockDep):
    """The timeline alone: what the live page swaps in when a change arrives."""
    permit = queries.permit(
        session, number=number, settings=request.app.state.settings, now=clock()
    )
    return render(request, "_timeline.html", {"permit": permit})


@router.post("/permits/{number}/subscribe", response_class=HTMLResponse, dependencies=[CsrfChecked])
def subscribe(
    number: NumberPath,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
    email: Annotated[str, Form(max_length=254)] = "",
):
    """Follow an application's public changes by email; a bad address is shown at its field,
    as typed."""
    settings = request.app.state.settings
    try:
        subscriptions.subscribe(session, number=number, email=email, now=clock(), settings=settings)
    except InvalidInput as error:
        session.rollback()
        permit = queries.permit(session, number=number, settings=settings, now=clock())
        context = {
            "user": user,
            "permit": permit,
            "subscribed": False,
            "errors": forms.from_domain(error, known={"email"}),
            "email": email,
        }
        return render(request, "permit.html", context, status_code=error.status_code)
    permit = queries.permit(session, number=number, settings=settings, now=clock())
    return render(request, "permit.html", {"user": user, "permit": permit, "subscribed": True})


@router.get("/permits/{number}/confirm", response_class=HTMLResponse)
def confirm_subscription(
    number: NumberPath,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    clock: ClockDep,
    token: Annotated[str, Query(max_length=64)],
):
    """Confirm a subscription, from the link in the confirmation email."""
    done = subscriptions.confirm(session, token=token, now=clock())
    return render(
        request,
        "message.html",
        {
            "user": user,
            "title": gettext("Subscribed") if done else gettext("Link not recognised"),
            "message": gettext("You will get an email at each public change of %(number)s.")
            % {"number": number.upper()}
            if done
            else gettext("This confirmation link is unknown or was unsubscribed; subscribe again."),
        },
        status_code=200 if done else 404,
    )


@router.get("/permits/{number}/unsubscribe", response_class=HTMLResponse)
def unsubscribe(
    number: NumberPath,
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    token: Annotated[str, Query(max_length=64)],
):
    """Stop the emails of a subscription, from the link in each email."""
    done = subscriptions.unsubscribe(session, token=token)
    return render(
        request,
        "message.html",
        {
            "user": user,
            "title": "Unsubscribed" if done else "Already unsubscribed",
            "message": f"You will get no more emails about {number.upper()}.",
        },
    )


@router.get("/permits/{number}/certificate.pdf")
def certificate_pdf(number: NumberPath, request: Request, session: SessionDep):
    """The permit certificate, with its verification URL and QR code."""
    application = service.get_application(session, number=number)
    certificate = certificates.of_application(session, application)
    if certificate is None:
        raise service.ApplicationNotFound(
            gettext("%(number)s has no certificate.") % {"number": application.tracking_number}
        )
    settings = request.app.state.settings
    url = certificates.verification_url(settings, certificate.digest)
    pdf = render_pdf(
        request.app.state.templates.env,
        "permits/pdf/certificate.html",
        {
            "facts": certificates.json.loads(certificate.facts),
            "url": url,
            "permit_url": queries.permit_link(settings, application.tracking_number),
            "digest": certificate.digest,
            "index": certificate.ledger_index,
        },
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{application.tracking_number}.pdf"'},
    )
