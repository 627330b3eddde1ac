"""The transparency pages: how the log works, its latest signed checkpoint, and a log browser."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from core.auth.dependencies import OptionalUser
from core.db import SessionDep
from core.errors import InvalidInput, NotFound
from core.i18n import gettext
from core.ledger import note
from core.ledger import queries as ledger
from core.ledger.schemas import LogEntryRead, SignedCheckpointRead
from core.templating import render
from core.types import Id, Index
from core.web import SettingsDep

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
TRACKING_NUMBER = re.compile(r"^[A-Z]{2,8}-\d{4}-\d{6}-[0-9A-Z]$")


@dataclass(frozen=True)
class CheckpointFacts:
    """The newest signed checkpoint, parsed for reading."""

    tree_size: int
    root_hex: str
    root_base64: str
    origin: str
    signed_at: object
    key_id: str
    note: str


@dataclass(frozen=True)
class EntryRow:
    """One log entry as the log browser shows it."""

    index: int
    kind: str
    created_at: object
    subject: str | None
    subject_url: str | None
    leaf_hash: str
    entry: str
    pretty: str


def _checkpoint_facts(checkpoint: SignedCheckpointRead | None) -> CheckpointFacts | None:
    if checkpoint is None:
        return None
    body = checkpoint.note[: checkpoint.note.rfind("\n\n") + 1]
    parsed = note.parse_checkpoint_body(body)
    return CheckpointFacts(
        tree_size=parsed.size,
        root_hex=parsed.root.hex(),
        root_base64=body.split("\n")[2],
        origin=parsed.origin,
        signed_at=checkpoint.created_at,
        key_id=checkpoint.key_id,
        note=checkpoint.note,
    )


def subject_url(subject: str | None, *, ocid_prefix: str) -> str | None:
    """The public page of a log entry's subject, when the site has one."""
    if not subject:
        return None
    tender = subject.removeprefix(f"{ocid_prefix}-")
    if tender != subject and tender.isdigit():
        return f"/tenders/{tender}"
    if TRACKING_NUMBER.match(subject):
        return f"/permits/{subject}"
    return None


def _row(entry: LogEntryRead, *, ocid_prefix: str) -> EntryRow:
    return EntryRow(
        index=entry.index,
        kind=entry.entry_type,
        created_at=entry.created_at,
        subject=entry.subject,
        subject_url=subject_url(entry.subject, ocid_prefix=ocid_prefix),
        leaf_hash=entry.leaf_hash,
        entry=entry.entry,
        pretty=json.dumps(json.loads(entry.entry), indent=2, ensure_ascii=False, sort_keys=True),
    )


@router.get("/transparency", response_class=HTMLResponse)
def transparency(request: Request, session: SessionDep, user: OptionalUser, settings: SettingsDep):
    """How the log works, in plain words, and its newest signed checkpoint."""
    signer = request.app.state.log_signer
    return render(
        request,
        "public_site/transparency.html",
        {
            "user": user,
            "checkpoint": _checkpoint_facts(ledger.latest_checkpoint(session)),
            "tree_size": ledger.tree_size(session),
            "verifier_key": signer.verifier_key,
            "base_url": str(settings.public_base_url).rstrip("/"),
        },
    )


@router.get("/transparency/log", response_class=HTMLResponse)
def log_browser(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    settings: SettingsDep,
    before: Annotated[Id | None, Query(description="newest first, below this index")] = None,
    start: Annotated[Index | None, Query(description="oldest first, from this index")] = None,
):
    """The log's entries a page at a time: newest first, or upwards from an index."""
    if before is not None and start is not None:
        raise InvalidInput(
            gettext("Give either “before” (newest first) or “start” (oldest first), not both.")
        )
    size = ledger.tree_size(session)
    if start is not None:
        if start > size:
            raise InvalidInput(
                gettext("start: the log has %(size)s entries, so start must be at most %(size)s.")
                % {"size": size}
            )
        rows = ledger.log_entries(session, start=start, end=start + PAGE_SIZE)
        newer = start + len(rows) if start + len(rows) < size else None
        older = start if start > 0 else None  # "before=start" shows the page just below
        ascending = True
    else:
        end = size if before is None else min(before, size)
        rows = list(reversed(ledger.log_entries(session, start=max(0, end - PAGE_SIZE), end=end)))
        newer = end + PAGE_SIZE if end < size else None
        older = rows[-1].index if rows and rows[-1].index > 0 else None
        ascending = False
    prefix = settings.ocid_prefix
    return render(
        request,
        "public_site/log.html",
        {
            "user": user,
            "rows": [_row(e, ocid_prefix=prefix) for e in rows],
            "tree_size": size,
            "ascending": ascending,
            "newer": newer,
            "older": older,
        },
    )


@router.get("/transparency/log/{index}", response_class=HTMLResponse)
def log_entry(
    request: Request, session: SessionDep, user: OptionalUser, settings: SettingsDep, index: Index
):
    """One log entry: its canonical JSON, leaf hash and a control to verify it."""
    size = ledger.tree_size(session)
    if not 0 <= index < size:
        held = (
            gettext("it has %(size)s entries (0–%(last)s)") % {"size": size, "last": size - 1}
            if size
            else gettext("it is still empty")
        )
        raise NotFound(
            gettext("The transparency log has no entry %(index)s; %(held)s.")
            % {"index": index, "held": held}
        )
    entry = ledger.log_entries(session, start=index, end=index + 1)[0]
    return render(
        request,
        "public_site/log_entry.html",
        {
            "user": user,
            "row": _row(entry, ocid_prefix=settings.ocid_prefix),
            "tree_size": size,
            "verify_indices": [index],
        },
    )
