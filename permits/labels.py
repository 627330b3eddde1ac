"""The human label of every permit code a page shows; stages are named by their definitions."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from core.i18n import N_
from core.labels import LabelBook, make_book
from permits.catalogue import DEFINITIONS, parse_definition

LABELS = {
    "status": {
        "in_progress": N_("In progress"),
        "paused": N_("Paused"),
        "approved": N_("Approved"),
        "rejected": N_("Rejected"),
        "withdrawn": N_("Withdrawn"),
    },
    "action": {
        "submitted": N_("Submitted"),
        "advance": N_("Moved on"),
        "advanced": N_("Moved on"),
        "request_information": N_("Information requested"),
        "resume": N_("Resumed"),
        "extend": N_("Extended"),
        "approve": N_("Approved"),
        "reject": N_("Rejected"),
        "withdraw": N_("Withdrawn"),
        "assigned": N_("Assigned"),
        "overdue": N_("Overdue"),
        "delay_explained": N_("Delay explained"),
    },
    "command": {
        "advance": N_("Complete this stage and move on"),
        "request_information": N_("Ask the applicant for information"),
        "resume": N_("Resume"),
        "extend": N_("Extend the deadline"),
        "approve": N_("Approve"),
        "reject": N_("Refuse"),
        "withdraw": N_("Withdraw"),
    },
    # A request's fields, as a summary of problems names them (core/labels.py).
    "field": {
        "action": N_("Action"),
        "note": N_("Note"),
        "asks": N_("Ask for"),
        "asked_for": N_("The document asked for"),
        "assignee_id": N_("Assign to"),
        "closure_date": N_("Date"),
        "effective_at": N_("Effective date"),
        "effective_date": N_("Effective date"),
        "expected_date": N_("New expected date"),
        "overdue": N_("Overdue"),
    },
    "entry": {
        "permits.type.loaded": N_("Permit type published"),
        "permits.application.received": N_("Application received"),
        "permits.application.approved": N_("Application approved"),
        "permits.application.rejected": N_("Application rejected"),
        "permits.application.withdrawn": N_("Application withdrawn"),
        "permits.certificate.issued": N_("Certificate issued"),
        "permits.closure.declared": N_("Closure declared"),
        "permits.stage.advanced": N_("Stage completed"),
        "permits.stage.assigned": N_("Stage assigned"),
        "permits.stage.delay_explained": N_("Delay explained"),
        "permits.stage.extended": N_("Stage extended"),
        "permits.stage.overdue": N_("Stage overdue"),
        "permits.stage.paused": N_("Stage paused"),
        "permits.stage.resumed": N_("Stage resumed"),
    },
}


def stage_names() -> Iterator[tuple[str, str, str]]:
    """(code, English, Thai) for each stage of the shipped permit definitions, as `TYPE:stage`
    (exact) and as the bare stage code (the first type's name, for where no type is known)."""
    for path in sorted(DEFINITIONS.glob("*.toml")):
        definition = parse_definition(path.read_text(), source=path.name)
        for stage in definition.stages:
            yield f"{definition.code}:{stage.code}", stage.name, stage.name_th
            yield stage.code, stage.name, stage.name_th


@lru_cache(maxsize=1)
def book() -> LabelBook:
    """The permit codes' labels for what is written outside a page (e-mails), in the language
    being spoken (`core.i18n.speaking`)."""
    labels = make_book(LABELS)
    labels.add_names("stage", stage_names())
    return labels
