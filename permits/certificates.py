"""Permit certificates: issued at approval, logged, printed with a QR code, verifiable by anyone.

A certificate states a few public facts; their canonical JSON's SHA-256 (the digest) is in
the transparency log and in the verification URL printed on the certificate. The
verification page recomputes the digest from the stored facts, finds the log entry and
checks its inclusion proof against the log's root, so a forged or altered certificate (whose
printed facts or URL differ) cannot pass.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from core.auth.models import User
from core.db import stored_id
from core.errors import NotFound
from core.i18n import gettext
from core.ledger import merkle
from core.ledger import service as ledger_service
from core.settings import Settings
from permits.models import Application, Certificate, Transition
from permits.record import officer_label
from permits.schemas import TypeDefinition

ENTRY_TYPE = "permits.certificate.issued"


def verification_url(settings: Settings, digest: str) -> str:
    """The public URL that proves a certificate genuine."""
    return f"{str(settings.public_base_url).rstrip('/')}/permits/certificates/{digest}"


def issue(
    session: Session,
    *,
    application: Application,
    definition: TypeDefinition,
    decided_by: User,
    transition: Transition,
    now: datetime,
    settings: Settings,
) -> Certificate:
    """Issue the certificate of an approved application, in the approval's transaction."""
    facts = {
        "tracking_number": application.tracking_number,
        "permit_type": definition.code,
        "permit_type_name": definition.name,
        "permit_type_name_th": definition.name_th,
        "type_version": definition.version,
        "description": application.description,
        "approved_at": ledger_service.format_time(transition.effective_at),
        "issued_at": ledger_service.format_time(now),
        "approved_by": officer_label(session, decided_by.id, settings),
        "decision_log_index": transition.ledger_index,
    }
    text = ledger_service.canonical_json(facts)
    digest = hashlib.sha256(text.encode()).hexdigest()
    entry = ledger_service.append(
        session,
        entry_type=ENTRY_TYPE,
        payload={"facts": facts, "sha256": digest},
        now=now,
        subject=application.tracking_number,
    )
    certificate = Certificate(
        application_id=stored_id(application),
        digest=digest,
        facts=text,
        issued_at=now,
        ledger_index=entry.index,
    )
    session.add(certificate)
    session.flush()
    return certificate


def of_application(session: Session, application: Application) -> Certificate | None:
    """The certificate of an application, if it was approved."""
    return session.exec(
        select(Certificate).where(Certificate.application_id == application.id)
    ).first()


@dataclass(frozen=True)
class Verification:
    """What the verification page shows."""

    digest: str
    facts: dict
    digest_matches: bool
    log_index: int
    log_entry: str
    tree_size: int
    root_hash: str
    proof: list[str]
    proof_valid: bool

    @property
    def genuine(self) -> bool:
        return self.digest_matches and self.proof_valid


def verify(session: Session, *, digest: str) -> Verification:
    """Check a certificate against the transparency log; NotFound if no such certificate."""
    certificate = session.exec(
        select(Certificate).where(Certificate.digest == digest.lower())
    ).first()
    if certificate is None:
        raise NotFound(
            gettext(
                "No certificate has this verification code: the document is not genuine, "
                "or the address was mistyped."
            )
        )
    recomputed = hashlib.sha256(certificate.facts.encode()).hexdigest()
    entry = ledger_service.entries(
        session, start=certificate.ledger_index, end=certificate.ledger_index + 1
    )[0]
    logged = json.loads(entry.entry)["payload"]
    size = ledger_service.tree_size(session)
    root = ledger_service.root_hash(session, size=size)
    proof = ledger_service.inclusion_proof(session, index=entry.index, size=size)
    valid = merkle.verify_inclusion(
        merkle.leaf_hash(entry.entry.encode()), entry.index, size, proof, root
    )
    return Verification(
        digest=certificate.digest,
        facts=json.loads(certificate.facts),
        digest_matches=recomputed == certificate.digest == logged["sha256"]
        and ledger_service.canonical_json(logged["facts"]) == certificate.facts,
        log_index=entry.index,
        log_entry=entry.entry,
        tree_size=size,
        root_hash=root.hex(),
        proof=[p.hex() for p in proof],
        proof_valid=valid,
    )
