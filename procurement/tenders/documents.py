"""A tender's documents: PDFs checked, hashed and kept in the data folder."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from datetime import datetime
from pathlib import Path

from core.db import stored_id
from core.i18n import gettext
from core.settings import Settings
from procurement.exceptions import (
    InvalidTender,
)
from procurement.tenders.models import (
    Document,
    Tender,
)
from procurement.tenders.schemas import DocumentIn

PDF_MAGIC = b"%PDF-"


def check_pdf(
    tender: Tender, *, title: str, content: bytes, now: datetime, settings: Settings
) -> Document:
    """Check a tender PDF and return its row (its file is kept by `keep_files`)."""
    if not content.startswith(PDF_MAGIC):
        raise InvalidTender(
            gettext("Document %(title)s: tender documents must be PDF files.")
            % {"title": repr(title)}
        )
    if len(content) > settings.procurement_max_document_bytes:
        raise InvalidTender(
            gettext("Document %(title)s is larger than %(limit)s bytes.")
            % {"title": repr(title), "limit": f"{settings.procurement_max_document_bytes:,}"}
        )
    digest = hashlib.sha256(content).hexdigest()
    return Document(
        tender_id=stored_id(tender), title=title, sha256=digest, size=len(content), created_at=now
    )


def keep_files(settings: Settings, files: list[tuple[str, bytes]]) -> list[Path]:
    """Keep PDFs under their SHA-256, atomically; the paths that did not exist before.

    The caller commits after, and on failure hands these paths to `discard`, so no file
    outlives a transaction that did not commit (a file that existed before stays).
    """
    folder = settings.data_dir / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    created = []
    for digest, content in files:
        target = folder / f"{digest}.pdf"
        if target.exists():
            continue
        temporary = folder / f".{digest}.{os.getpid()}.part"
        temporary.write_bytes(content)
        os.replace(temporary, target)
        created.append(target)
    return created


def discard(paths: list[Path]) -> None:
    """Remove files written for a transaction that did not commit."""
    for path in paths:
        path.unlink(missing_ok=True)


def decoded(document: DocumentIn) -> bytes:
    try:
        return base64.b64decode(document.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidTender(
            gettext("Document %(title)s is not valid base64.") % {"title": repr(document.title)}
        ) from None
