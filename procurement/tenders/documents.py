"""A tender's documents: PDFs checked, hashed and kept in the data folder."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime

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


def store_pdf(
    tender: Tender,
    *,
    title: str,
    content: bytes,
    now: datetime,
    settings: Settings,
    write: bool = True,
) -> Document:
    """Check a tender PDF, keep it under its SHA-256 (unless told not to yet), return its row."""
    if not content.startswith(PDF_MAGIC):
        raise InvalidTender(f"Document {title!r}: tender documents must be PDF files.")
    if len(content) > settings.procurement_max_document_bytes:
        raise InvalidTender(
            f"Document {title!r} is larger than {settings.procurement_max_document_bytes:,} bytes."
        )
    digest = hashlib.sha256(content).hexdigest()
    if write:
        keep_file(settings, digest, content)
    return Document(
        tender_id=tender.id, title=title, sha256=digest, size=len(content), created_at=now
    )


def keep_file(settings: Settings, digest: str, content: bytes) -> None:
    folder = settings.data_dir / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{digest}.pdf").write_bytes(content)


def decoded(document: DocumentIn) -> bytes:
    try:
        return base64.b64decode(document.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidTender(f"Document {document.title!r} is not valid base64.") from None
