"""Opening an applicant's personal data: the form's values and the uploaded documents. An
officer of a department handling the application may, giving a reason that goes into the
applicant's access log; the applicant opens their own."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from core.auth.models import Role, User
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.i18n import gettext
from core.settings import Settings
from permits import catalogue, service, uploads
from permits.exceptions import NotYourDepartment
from permits.models import Application, DataAccess, Document, Stage
from permits.schemas import DocumentFile

EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def check_may_open(
    session: Session, *, application: Application, officer: User, reason: str
) -> None:
    """Refuse an officer without a stage of the application, or without a reason to give."""
    if officer.role != Role.PERMIT_OFFICER:
        raise PermissionDenied(gettext("Only permit officers open applicants' data."))
    departments = set(
        session.exec(select(Stage.department_id).where(Stage.application_id == application.id))
    )
    if officer.organisation_id not in departments:
        raise NotYourDepartment(gettext("Your department has no stage of this application."))
    if len(reason.strip()) < 5:
        raise InvalidInput(gettext("Say why you open this applicant's data."), field="reason")


def open_personal_data(
    session: Session, *, number: str, officer: User, reason: str, now: datetime
) -> Application:
    """An officer opens the applicant's personal data, giving a reason the applicant will see."""
    application = service.get_application(session, number=number)
    check_may_open(session, application=application, officer=officer, reason=reason)
    session.add(
        DataAccess(
            application_id=application.id,  # type: ignore[arg-type]  # stored rows have ids
            officer_id=officer.id,  # type: ignore[arg-type]
            reason=reason.strip()[:500],
            accessed_at=now,
        )
    )
    session.commit()
    return application


def _document(session: Session, application: Application, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None or document.application_id != application.id:
        raise NotFound(
            gettext("Application %(number)s has no document %(document)s.")
            % {"number": application.tracking_number, "document": document_id}
        )
    return document


def _file(document: Document, application: Application, settings: Settings) -> DocumentFile:
    path = uploads.path_of(service.uploads_root(settings), document.sha256)
    if not path.is_file():
        raise NotFound(
            gettext("This document's file is missing from the store; tell the administrators.")
        )
    extension = EXTENSIONS.get(document.content_type, "bin")
    name = f"{application.tracking_number}-{document.requirement}-{document.id}.{extension}"
    return DocumentFile(path=str(path), content_type=document.content_type, download_name=name)


def _label(session: Session, application: Application, document: Document) -> str:
    definition = catalogue.definition_of(service.application_type(session, application))
    labels = {d.code: d.label for d in definition.documents}
    return labels.get(document.requirement, document.requirement)


def open_for_officer(
    session: Session,
    *,
    number: str,
    document_id: int,
    officer: User,
    reason: str,
    now: datetime,
    settings: Settings,
) -> DocumentFile:
    """An officer opens an uploaded document; the applicant's access log records it and why."""
    application = service.get_application(session, number=number)
    document = _document(session, application, document_id)
    found = _file(document, application, settings)
    # the same checks as opening the form's personal data: role, department, a reason
    check_may_open(session, application=application, officer=officer, reason=reason)
    session.add(
        DataAccess(
            application_id=application.id,  # type: ignore[arg-type]  # stored rows have ids
            officer_id=officer.id,  # type: ignore[arg-type]
            reason=f"Opened “{_label(session, application, document)}”: {reason.strip()}"[:500],
            accessed_at=now,
        )
    )
    session.commit()
    return found


def open_own(
    session: Session, *, number: str, document_id: int, applicant: User, settings: Settings
) -> DocumentFile:
    """The applicant's own document."""
    application = service.get_application(session, number=number)
    if application.applicant_id != applicant.id:
        raise PermissionDenied(gettext("This is not your application."))
    return _file(_document(session, application, document_id), application, settings)


def document_ids(session: Session, *, number: str) -> list[int]:
    """The ids of an application's documents, in upload order."""
    application = service.get_application(session, number=number)
    rows = session.exec(select(Document.id).where(Document.application_id == application.id))
    return [i for i in rows if i is not None]
