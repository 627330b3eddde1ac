"""The OpenAPI description, made to say what the API answers.

FastAPI documents a 422 whose `detail` is an array of pydantic errors; the app factory answers
every error, the 422s included, as `{"detail": "<a sentence>"}` (with `errors`, a list of
fields and messages, on a 422). It also documents no other error. This adds, to each
operation, the statuses it can answer, with that one error shape, and the bearer scheme to
the operations that need a signed-in user.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from core.auth.dependencies import current_user

ERROR = "#/components/schemas/Error"
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "string",
            "description": "what went wrong, for a person to act on, in the language asked for "
            "(Accept-Language): each field named by its label, never its code",
        },
        "errors": {
            "type": "array",
            "description": "on a 422, for programs: each field refused, by its path in the "
            "request (`organisation.registration_number`, `items.0.unit`, `query.page`), with "
            "pydantic's own message in English (a rule's message for a rule about one field); "
            "the same in every language",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
DESCRIPTIONS = {
    400: "The request breaks a rule (the detail says which)",
    401: "No valid API token (send `Authorization: Bearer <token>`)",
    403: "The signed-in account may not do this",
    404: "No such record (or not visible to the caller)",
    409: "The record's current state does not allow this now",
    413: "The request body is larger than this operation takes",
    422: "A value is invalid (the detail names the field)",
    429: "Too many attempts; wait (see Retry-After)",
    503: "The service cannot do this now",
}
EXTRA = {  # statuses particular to one operation
    ("POST", "/api/auth/tokens"): (401, 429),
    ("GET", "/api/ledger/checkpoint"): (404,),  # before the first checkpoint is signed
    ("GET", "/api/ledger/checkpoint.txt"): (404,),
    ("GET", "/api/ledger/proof/inclusion"): (404,),
    ("GET", "/api/ledger/proof/consistency"): (404,),
    ("POST", "/api/tenders/{tender_id}/open"): (503,),
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def routes(app: FastAPI) -> Iterator[APIRoute]:
    """Every API route of the app, through the routers it includes."""

    def walk(items: list[Any]) -> Iterator[APIRoute]:
        for route in items:
            if isinstance(route, APIRoute):
                yield route
            elif hasattr(route, "original_router"):
                yield from walk(route.original_router.routes)

    yield from walk(list(app.routes))


def needs_user(dependant: Dependant) -> bool:
    """Whether a route (or any of its dependencies) asks for the signed-in user."""
    return dependant.call is current_user or any(needs_user(d) for d in dependant.dependencies)


def statuses(route: APIRoute, method: str) -> set[int]:
    """The error statuses an operation can answer."""
    found = set(EXTRA.get((method, route.path), ()))
    dependant = route.dependant
    takes_input = bool(
        dependant.path_params or dependant.query_params or dependant.header_params
    ) or bool(dependant.body_params)
    if takes_input or method in WRITES:
        found |= {400, 422}
    if dependant.path_params:
        found.add(404)
    if needs_user(dependant):
        found |= {401, 403}
    if method in WRITES:
        found |= {404, 409, 413}
    return found


def describe(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with each operation's error statuses in the error shape."""
    if app.openapi_schema:
        return app.openapi_schema
    spec = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        routes=app.routes,
    )
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "an API token"}
    }
    for route in routes(app):
        if not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = spec["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses(route, method)):
                responses[str(status)] = {
                    "description": DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": {"$ref": ERROR}}},
                }
            if needs_user(route.dependant):
                operation["security"] = [{"bearer": []}]
    app.openapi_schema = spec
    return spec
