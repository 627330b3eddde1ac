"""Schemathesis over every operation of the API's own description, as an outsider and as a
supplier and a buyer would call it: no answer is a 5xx, and every answer is one the
description promises (its status code, its content type, its body's schema).

Bounded for CI: a few generated requests per operation and identity, replayed on a database
that holds a published tender, a registered supplier and an anonymous reader's records.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from schemathesis import checks, openapi

from tests.procurement import factories as procurement

EXAMPLES = 4  # per operation and identity: every operation is reached; breadth beats depth
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
IDENTITIES = ["anonymous", "supplier", "buyer"]


@pytest.fixture
def identities(client, session, clock):
    """Headers for each identity, and a published tender the supplier may bid on."""
    _, buyer = procurement.buyer(client, session, clock())
    _, supplier = procurement.supplier(client, session, clock())
    procurement.published_tender(client, session, clock, buyer)
    session.commit()
    return {"anonymous": {}, "supplier": supplier, "buyer": buyer}


def operations(app, *, signed_in: bool) -> list:
    """Every operation for an anonymous caller; for a signed-in one, those that need a user
    (the others answer a supplier as they answer anyone)."""
    schema = openapi.from_asgi("/api/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if "security" in op.definition.raw] if signed_in else found


def summary(error: BaseException) -> str:
    """One line per distinct failure: what was wrong and what was received."""
    found = getattr(error, "exceptions", None) or [error]
    parts = [f"{e.title}: {e.message}" if hasattr(e, "title") else str(e) for e in found]
    return "; ".join(" ".join(part.split())[:200] for part in parts)


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.usefixtures("client")  # the app started, as a server would be
def test_no_operation_answers_a_5xx_or_outside_its_description(app, identities, identity):
    failures: dict[str, str] = {}
    ran = 0
    for operation in operations(app, signed_in=identity != "anonymous"):

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case) -> None:
            response = case.call(headers=dict(identities[identity]))
            case.validate_response(response, checks=CHECKS)

        try:
            call()
        except (Exception, BaseExceptionGroup) as error:  # each operation's failures, together
            failures[operation.label] = summary(error)
        ran += 1
    assert ran >= (40 if identity == "anonymous" else 10), "the description lost operations"
    assert not failures, "\n".join(f"{label}: {found}" for label, found in sorted(failures.items()))
