"""Requests for information: what an officer asks for (a named document, or a written answer)
and the applicant's answer, which restarts the stage's clock."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from core.auth.models import User
from core.errors import InvalidInput, PermissionDenied
from core.i18n import gettext
from core.settings import Settings
from permits import catalogue, forms, service, uploads
from permits.exceptions import TransitionNotAllowed
from permits.models import Application, Pause
from permits.record import current_stage, open_pause
from permits.rules import Action, Asks, InformationRequest
from permits.schemas import TypeDefinition
from permits.uploads import CheckedUpload, Upload

# A document the officer named in a request for information arrives as `doc_requested`.
REQUESTED = "requested"
REQUESTED_ACCEPT = ("pdf", "png", "jpeg")
ANSWER_MAX = 4000


def respond(
    session: Session,
    *,
    number: str,
    applicant: User,
    files: list[Upload],
    now: datetime,
    settings: Settings,
    answer: str | None = None,
) -> Application:
    """The applicant answers a request for information, with what it asked for: the document
    it named, a written answer, or (for a request that named nothing) any of the type's
    documents. The clock resumes."""
    application = service.get_application(session, number=number)
    if applicant.id != application.applicant_id:
        raise PermissionDenied(gettext("This is not your application."))
    definition = catalogue.definition_of(service.application_type(session, application))
    stage = current_stage(session, application)
    pause = open_pause(session, stage) if stage is not None else None
    if pause is None:
        raise TransitionNotAllowed(
            gettext("%(number)s is not waiting for information.")
            % {"number": application.tracking_number},
            allowed=[],
        )
    checked = _answer_documents(definition, pause, files, settings.permits_upload_max_bytes)
    answer = (answer or "").strip() or None
    if answer is not None and len(answer) > ANSWER_MAX:
        raise InvalidInput(
            gettext("Keep the answer under %(most)s characters.") % {"most": ANSWER_MAX},
            field="answer",
        )
    if pause.asks == Asks.ANSWER and answer is None:
        raise InvalidInput(
            gettext("Write your answer to the department's question: %(question)s")
            % {"question": pause.asked_for},
            field="answer",
        )
    if pause.asks == Asks.DOCUMENT and not any(c.requirement == REQUESTED for c in checked):
        raise InvalidInput(
            gettext("Attach the document the department asked for: %(document)s.")
            % {"document": pause.asked_for},
            field="doc_requested",
        )
    if pause.asks is None and not checked:
        raise InvalidInput(
            gettext("Attach at least one document to answer the request."), field="files"
        )
    pause.answer = answer
    pause.answered_at = now
    session.add(pause)
    uploads.add_documents(session, application, checked, now)
    service._transition(
        session,
        application,
        action=Action.RESUME,
        actor=applicant,
        now=now,
        settings=settings,
        note=None,
        effective_at=None,
        expected_date=None,
    )
    return uploads.commit_with_files(session, application, checked, service.uploads_root(settings))


def information_request(asks: str | None, asked_for: str | None) -> InformationRequest | None:
    """What an officer's request for information asks for, from a form or the API."""
    if not asks:
        if (asked_for or "").strip():
            raise InvalidInput(
                gettext("Say whether you ask for a document or an answer."), field="asks"
            )
        return None
    try:
        kind = Asks(asks)
    except ValueError:
        raise InvalidInput(gettext("Ask for a document or an answer."), field="asks") from None
    named = (asked_for or "").strip()
    if not named:
        what = (
            gettext("Name the document you ask for.")
            if kind is Asks.DOCUMENT
            else gettext("Write your question.")
        )
        raise InvalidInput(what, field="asked_for")
    return InformationRequest(kind, named[:300])


def _answer_documents(
    definition: TypeDefinition, pause: Pause, files: list[Upload], max_bytes: int
) -> list[CheckedUpload]:
    """The files of an answer, each checked: the named document (`doc_requested`) against
    the formats a document may have, the others against the permit type's own slots."""
    named = [f for f in files if f.requirement == REQUESTED]
    if named and not pause.asked_for:
        raise InvalidInput(gettext("This request named no document: attach the type's documents."))
    label = pause.asked_for or REQUESTED
    checked = forms.check_documents(
        definition,
        [f for f in files if f.requirement != REQUESTED],
        max_bytes=max_bytes,
        all_required=False,
    )
    return checked + [
        uploads.check(f, accept=REQUESTED_ACCEPT, label=label, max_bytes=max_bytes) for f in named
    ]
