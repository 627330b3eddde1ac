"""Uploaded documents: checked by content, size and name first, then stored by SHA-256."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from core.db import stored_id
from core.i18n import gettext
from permits.exceptions import InvalidUpload
from permits.models import Application, Document

MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
}
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Upload:
    """One file as received: for which requirement, the name the client gave, the bytes."""

    requirement: str
    filename: str
    content: bytes


@dataclass(frozen=True)
class CheckedUpload:
    requirement: str
    kind: str
    sha256: str
    content: bytes
    filename: str = ""

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def check_filename(name: str) -> None:
    """Refuse names that try to reach elsewhere or hide: paths, dot-files, controls, NUL."""
    problem = None
    if not name or len(name) > 200:
        problem = gettext("is empty or longer than 200 characters")
    elif "/" in name or "\\" in name or ".." in name:
        problem = gettext("contains a path")
    elif name.startswith((".", "-", "~")):
        problem = gettext("starts with a dot, a dash or a tilde")
    elif any(unicodedata.category(c)[0] == "C" for c in name):
        problem = gettext("contains control or invisible characters")
    elif _RESERVED.match(name):
        problem = gettext("is a reserved device name")
    if problem:
        raise InvalidUpload(
            gettext("The file name %(name)s %(problem)s; rename the file and retry.")
            % {"name": repr(name[:60]), "problem": problem}
        )


def sniff(content: bytes) -> str | None:
    """The kind of a file from its first bytes (pdf, png, jpeg), or None."""
    for kind, signatures in MAGIC.items():
        if content.startswith(signatures):
            return kind
    return None


def check(upload: Upload, *, accept: tuple[str, ...], label: str, max_bytes: int) -> CheckedUpload:
    """Validate one upload against its requirement; raise InvalidUpload naming the problem."""
    check_filename(upload.filename)
    if len(upload.content) > max_bytes:
        raise InvalidUpload(
            gettext("%(label)s: the file is larger than the limit of %(most)s MB.")
            % {"label": label, "most": max_bytes // 1_000_000 or 1}
        )
    if not upload.content:
        raise InvalidUpload(gettext("%(label)s: the file is empty.") % {"label": label})
    kind = sniff(upload.content)
    if kind is None or kind not in accept:
        found = kind.upper() if kind else gettext("not a recognised document")
        raise InvalidUpload(
            gettext("%(label)s: the file's content is %(found)s; accepted: %(accepted)s.")
            % {"label": label, "found": found, "accepted": ", ".join(a.upper() for a in accept)}
        )
    digest = hashlib.sha256(upload.content).hexdigest()
    return CheckedUpload(upload.requirement, kind, digest, upload.content, upload.filename)


def path_of(root: Path, sha256: str) -> Path:
    """Where a stored document lives: sharded by its hash, never by a client's name."""
    return root / sha256[:2] / sha256


def store(root: Path, uploads: list[CheckedUpload]) -> list[Path]:
    """Write validated files (atomically); the paths that did not exist before."""
    created = []
    for upload in uploads:
        target = path_of(root, upload.sha256)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{upload.sha256}.{os.getpid()}.part")
        temporary.write_bytes(upload.content)
        os.replace(temporary, target)
        created.append(target)
    return created


def discard(paths: list[Path]) -> None:
    """Remove files written for a transaction that did not commit."""
    for path in paths:
        path.unlink(missing_ok=True)


def add_documents(session: Session, application: Application, checked, now: datetime) -> None:
    """A document row for each checked upload of the application."""
    for upload in checked:
        session.add(
            Document(
                application_id=stored_id(application),
                requirement=upload.requirement,
                sha256=upload.sha256,
                content_type=upload.content_type,
                size_bytes=len(upload.content),
                uploaded_at=now,
                filename=upload.filename[:255] or None,
            )
        )


def commit_with_files(
    session: Session, application: Application, checked, root: Path
) -> Application:
    """Write the files, then commit; the files go again if the commit fails."""
    written = store(root, checked)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        discard(written)
        raise
    session.refresh(application)
    return application
