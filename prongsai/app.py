"""The application factory: mounts every package's routes, maps domain errors to HTTP."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import swagger_ui_bundle
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import core
import permits.api
import permits.casework_api
import permits.insights.jobs as permit_insight_jobs
import permits.jobs
import permits.labels as permits_labels
import permits.views
import procurement.insights.jobs as insight_jobs
import procurement.jobs as procurement_jobs
import procurement.labels as procurement_labels
import procurement.routes
import public_site.charts
import public_site.profiles
import public_site.rankings
import public_site.red_flags
import public_site.search.index
import public_site.search.views
import public_site.views
from core import forms, i18n, identity
from core import problems as problems_module
from core.auth import accounts_api, admin_api, admin_views, onboarding_views
from core.auth import api as auth_api
from core.auth import jobs as auth_jobs
from core.auth import views as auth_views
from core.auth.csrf import CsrfCookieMiddleware
from core.auth.ratelimit import SigninThrottle
from core.auth.throttle import AccountThrottle
from core.clock import Clock, system_clock
from core.db import make_engine, read_only, snapshot
from core.errors import DomainError, NotAuthenticated
from core.events import EventBus
from core.labels import LabelBook, make_book
from core.ledger import api as ledger_api
from core.ledger import jobs as ledger_jobs
from core.ledger import service as ledger_service
from core.scheduler import Scheduler
from core.scheduler import registry as job_registry
from core.settings import Settings, load_settings
from core.templating import make_templates
from core.web import BodyLimitMiddleware, RequestLogMiddleware, SecurityHeadersMiddleware
from prongsai import LOCALE_DIR, openapi, schema

OPENAPI_URL = "/api/openapi.json"

log = logging.getLogger("prongsai")

TEMPLATE_PACKAGES = ("public_site", "procurement", "permits", "core")
# One message catalogue for the whole platform (`make messages` extracts into it).
STATUS_TITLES = {  # translated where shown (core/error.html)
    400: i18n.N_("Bad request"),
    401: i18n.N_("Sign in needed"),
    403: i18n.N_("Not allowed"),
    404: i18n.N_("Not found"),
    405: i18n.N_("Method not allowed"),
    409: i18n.N_("Conflict"),
    413: i18n.N_("Too large"),
    422: i18n.N_("Check the form"),
    429: i18n.N_("Too many attempts"),
    500: i18n.N_("Something went wrong"),
    503: i18n.N_("Unavailable"),
}


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock = system_clock,
    engine: Engine | None = None,
    freeze_after_start: bool = False,
) -> FastAPI:
    """Build the whole platform for one deployment's settings. `freeze_after_start` (a
    server process): once started, what it holds for good (modules, templates, catalogues)
    leaves the garbage collector's full passes, which otherwise stopped a request for about
    130 ms now and then (an app built per test would leak what it froze)."""
    settings = settings or load_settings()
    engine = engine or make_engine(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        schema.check_current(engine)  # refuse to serve an old schema
        with Session(read_only(engine)) as session:
            app.state.log_signer = ledger_service.open_signer(session, settings=settings)
        events.start()
        if settings.run_scheduler:
            scheduler.start()
            _schedule_recurring_jobs(scheduler)
        log.info("serving on %s", engine.url.render_as_string(hide_password=True))
        if freeze_after_start:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if settings.run_scheduler:
                scheduler.shutdown()
            events.stop()

    app = FastAPI(
        title="Prongsai",
        summary="Open public procurement and permit tracking",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_URL,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = clock
    # Long responses (bulk files, streams) outlive the request's session: they open their own,
    # which reads one moment from the first page to the last.
    app.state.stream_session = lambda: Session(snapshot(engine))
    # Writes made off a request's session (the bid sequencer's batches) open their own.
    app.state.write_session = lambda: Session(engine)
    events = app.state.events = EventBus(engine)
    scheduler = app.state.scheduler = Scheduler(
        engine, settings=settings, clock=clock, registry=job_registry
    )
    app.state.labels = _label_book()  # codes in words: the templates', the error summaries'
    app.state.templates = make_templates(
        settings, TEMPLATE_PACKAGES, locale_dir=LOCALE_DIR, labels=app.state.labels
    )
    app.state.signin_throttle = SigninThrottle(
        settings.signin_rate_limit, settings.rate_limit_storage
    )

    app.state.account_throttle = AccountThrottle(
        settings.account_rate_limit, settings.rate_limit_storage
    )

    app.add_middleware(CsrfCookieMiddleware, secure=settings.cookie_secure)
    app.add_middleware(i18n.LocaleMiddleware, default_locale=settings.default_locale)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestLogMiddleware)
    if settings.trusted_proxies:  # only these may say who the client is (X-Forwarded-For)
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(
        BodyLimitMiddleware,
        default=settings.request_max_bytes,
        routes=[
            *procurement.routes.body_limits(settings),
            *permits.views.body_limits(settings),
        ],
    )
    _add_error_handlers(app)

    app.mount("/static", StaticFiles(directory=Path(core.__file__).parent / "static"), "static")
    app.mount(
        "/api/docs/assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), "docs-assets"
    )
    for router in (
        auth_api.router,
        accounts_api.router,
        admin_api.router,
        auth_views.router,
        onboarding_views.router,
        onboarding_views.api_router,
        admin_views.router,
        i18n.router,
        identity.router,
        ledger_api.router,
        *procurement.routes.ROUTERS,
        permits.casework_api.router,
        permits.api.router,
        permits.views.router,
        public_site.views.router,
        public_site.profiles.router,
        public_site.rankings.router,
        public_site.red_flags.router,
        public_site.charts.router,
        public_site.search.views.router,
        public_site.search.views.api_router,
    ):
        app.include_router(router)
    _add_platform_routes(app)
    app.openapi = lambda: openapi.describe(app)  # type: ignore[method-assign]
    return app


def _label_book() -> LabelBook:
    """Every package's codes in words, for the templates' `human` filter."""
    book = make_book(procurement_labels.LABELS, permits_labels.LABELS)
    book.add_names("stage", permits_labels.stage_names())
    return book


def _schedule_recurring_jobs(scheduler: Scheduler) -> None:
    scheduler.add_interval(auth_jobs.SEND_MAIL_JOB, seconds=auth_jobs.EVERY_SECONDS)
    scheduler.add_interval(auth_jobs.COUNT_JOB, seconds=auth_jobs.COUNT_EVERY_SECONDS)
    scheduler.add_interval(ledger_jobs.CHECKPOINT_JOB, seconds=ledger_jobs.CHECKPOINT_EVERY_SECONDS)
    scheduler.add_interval(
        permits.jobs.MARK_OVERDUE_JOB, seconds=permits.jobs.MARK_OVERDUE_EVERY_SECONDS
    )
    scheduler.add_interval(permits.jobs.SEND_EMAILS_JOB, seconds=30)
    scheduler.add_interval(procurement_jobs.OPEN_DUE_JOB, seconds=procurement_jobs.EVERY_SECONDS)
    scheduler.add_interval(
        procurement_jobs.FINALISE_DUE_JOB, seconds=procurement_jobs.EVERY_SECONDS
    )
    scheduler.add_interval(
        procurement_jobs.SEND_NOTIFICATIONS_JOB, seconds=procurement_jobs.EVERY_SECONDS
    )
    scheduler.add_interval(
        public_site.search.index.REFRESH_JOB, seconds=public_site.search.index.EVERY_SECONDS
    )
    scheduler.add_interval(insight_jobs.REFRESH_JOB, seconds=insight_jobs.EVERY_SECONDS)
    scheduler.add_interval(
        permit_insight_jobs.REFRESH_JOB, seconds=permit_insight_jobs.EVERY_SECONDS
    )


def create_app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory`: settings from PRONGSAI_* variables."""
    return create_app(freeze_after_start=True)


VERSION_QUERY = text("SELECT version_num FROM alembic_version")


def _add_platform_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["platform"])
    def healthz() -> JSONResponse:
        """Is the database reachable and its schema at the migration head? One cheap query:
        a load balancer polls this, and it must not become a load."""
        engine = app.state.engine
        head = schema.head_revision()
        try:
            with read_only(engine).connect() as connection:
                current = connection.execute(VERSION_QUERY).scalar()
        except DBAPIError:
            try:  # reachable but never migrated, or unreachable?
                current = schema.current_revision(engine)
            except Exception:
                log.exception("health check: database unreachable")
                return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        ok = current == head
        body = {
            "status": "ok" if ok else "error",
            "database": engine.dialect.name,
            "schema_revision": current,
            "schema_head": head,
        }
        if not ok:
            body["action"] = "Run `prongsai migrate`."
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title="Prongsai API",
            swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/assets/swagger-ui.css",
            swagger_favicon_url="/api/docs/assets/favicon-32x32.png",
        )


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _error_response(request: Request, status_code: int, message: str, **extra) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message, **extra}, status_code=status_code)
    return request.app.state.templates.TemplateResponse(
        request,
        "core/error.html",
        {
            "title": STATUS_TITLES.get(status_code, "Error"),
            "message": message,
            "status_code": status_code,
            "user": None,
            "errors": extra.get("errors") if status_code == 422 else None,
        },
        status_code=status_code,
    )


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> Response:
        if isinstance(error, NotAuthenticated) and not _wants_json(request):
            query = f"?{request.url.query}" if request.url.query else ""
            target = quote(request.url.path + query)
            return RedirectResponse(f"/signin?next={target}", status_code=303)
        field = error.details.get("field")
        if _wants_json(request) and error.status_code == 422 and isinstance(field, str):
            # A rule about one field: its path too, as a refused request's `errors` give it.
            problems = [{"field": field, "message": error.message}]
            response = _error_response(request, 422, error.message, errors=problems)
        else:
            response = _error_response(request, error.status_code, error.message)
        if isinstance(error, NotAuthenticated):
            response.headers["www-authenticate"] = "Bearer"
        if "retry_after_epoch" in error.details:
            now = app.state.clock().timestamp()
            retry = max(1, int(error.details["retry_after_epoch"] - now))
            response.headers["retry-after"] = str(retry)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        if not _wants_json(request):
            # A person reads this: a bad address is a page that is not there; a bad field is
            # named by its label and the problem said in words.
            if problems_module.is_address(error.errors()):
                message = i18n.gettext("There is nothing at %(path)s.") % {"path": request.url.path}
                return _error_response(request, 404, message)
            lines = forms.said(error.errors(), request.app.state.labels)
            return _error_response(request, 422, "; ".join(lines), errors=lines)
        # `errors` keeps each field's path in the request and pydantic's own words, for programs;
        # the detail is for a person: each field by its label, in the reader's language.
        problems = [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "message": e["msg"]}
            for e in error.errors()
        ]
        summary = "; ".join(forms.said(error.errors(), request.app.state.labels))
        message = i18n.gettext("Invalid input — %(problems)s") % {"problems": summary}
        return _error_response(request, 422, message, errors=problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        messages = {
            404: i18n.gettext("There is nothing at %(path)s.") % {"path": request.url.path},
            405: i18n.gettext("%(method)s is not allowed on %(path)s.")
            % {"method": request.method, "path": request.url.path},
        }
        message = messages.get(error.status_code, str(error.detail))
        response = _error_response(request, error.status_code, message)
        if error.headers:
            response.headers.update(error.headers)
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
        return _error_response(
            request,
            500,
            i18n.gettext("An unexpected error occurred. It has been logged; please try again."),
        )
