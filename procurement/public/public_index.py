"""Public procurement records changed since a cursor, for the public site's search index.

Only what a tender page already shows goes out: tenders, awards and contracts, buyers, and
suppliers by name and registration id (never their address or contact details).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from core.auth.models import Organisation, OrganisationKind
from core.db import stored_id
from core.public_records import ChangeBatch, ChangeCursor, PublicRecord
from procurement.awards.models import Award, AwardStatus
from procurement.contracts.models import Contract
from procurement.tenders.models import Category, Item, Tender, TenderStatus

BODY_LIMIT = 4000
_TENDER_COLUMNS = (
    "id",
    "buyer_id",
    "title",
    "description",
    "category",
    "status",
    "estimated_value",
    "currency",
    "published_at",
    "created_at",
    "updated_at",
)
# The values the search facets offer for procurement records.
SEARCH_STATUSES = sorted(
    {s.value for s in TenderStatus if s != TenderStatus.DRAFT}
    | {s.value for s in AwardStatus}
    | {"signed"}
)
SEARCH_CATEGORIES = [c.value for c in Category]


def _names(organisation: Organisation) -> str:
    return " ".join(n for n in (organisation.name, organisation.name_th) if n)


def organisation_record(organisation: Organisation) -> PublicRecord | None:
    """A buyer's or supplier's public identity: names and registration id, nothing else."""
    if organisation.kind == OrganisationKind.BUYING_ENTITY:
        kind, url = "buyer", f"/buyers/{organisation.slug}"
    elif organisation.kind == OrganisationKind.SUPPLIER:
        kind, url = "supplier", f"/suppliers/{organisation.id}"
    else:
        return None
    return PublicRecord(
        kind=kind,
        key=str(organisation.id),
        title=organisation.name,
        body=" ".join(p for p in (organisation.name_th, organisation.registration_id) if p),
        url=url,
        buyer=organisation.slug if kind == "buyer" else None,
        buyer_name=organisation.name if kind == "buyer" else None,
        sort_at=organisation.created_at,
    )


def _tender_records(
    tender: Any,
    buyer: Organisation,
    items: list[str],
    awards: list[tuple[Award, Organisation, Contract | None]],
) -> list[PublicRecord]:
    shared: dict[str, Any] = {
        "buyer": buyer.slug,
        "buyer_name": buyer.name,
        "category": str(tender.category),
    }
    text = " ".join([tender.description, _names(buyer), *items])[:BODY_LIMIT]
    records = [
        PublicRecord(
            kind="tender",
            key=str(tender.id),
            title=tender.title,
            body=text,
            url=f"/tenders/{tender.id}",
            status=str(tender.status),
            value=tender.estimated_value,
            currency=tender.currency,
            sort_at=tender.published_at or tender.created_at,
            **shared,
        )
    ]
    for award, supplier, contract in awards:
        body = f"{_names(supplier)} {tender.description}"[:BODY_LIMIT]
        records.append(
            PublicRecord(
                kind="award",
                key=str(award.id),
                title=f"{tender.title} — {supplier.name}",
                body=body,
                url=f"/tenders/{tender.id}#award",
                status=str(award.status),
                value=award.value,
                currency=award.currency,
                sort_at=award.decided_at,
                **shared,
            )
        )
        if contract is not None:
            records.append(
                PublicRecord(
                    kind="contract",
                    key=str(contract.id),
                    title=f"{tender.title} — {supplier.name}",
                    body=body,
                    url=f"/tenders/{tender.id}#award",
                    status="signed",
                    value=contract.value,
                    currency=contract.currency,
                    sort_at=contract.created_at,
                    **shared,
                )
            )
    return records


def tenders_changed_since(
    session: Session, *, cursor: ChangeCursor | None, limit: int = 500
) -> ChangeBatch:
    """Published tenders changed after the cursor, with their awards, contracts and parties."""
    # Columns, not table objects: a first build reads millions of rows.
    query = select(*(col(getattr(Tender, n)) for n in _TENDER_COLUMNS)).where(
        Tender.status != TenderStatus.DRAFT
    )
    if cursor is not None:
        # The first condition alone can use the index on updated_at; the second breaks ties.
        query = query.where(
            col(Tender.updated_at) >= cursor.changed_at,
            (col(Tender.updated_at) > cursor.changed_at) | (col(Tender.id) > cursor.id),
        )
    rows = session.exec(query.order_by(col(Tender.updated_at), col(Tender.id)).limit(limit)).all()
    if not rows:
        return ChangeBatch(records=[], next_cursor=cursor, changes_read=0)
    ids = [t.id for t in rows]
    buyers = {
        o.id: o
        for o in session.exec(
            select(Organisation).where(col(Organisation.id).in_({t.buyer_id for t in rows}))
        )
    }
    items: dict[int, list[str]] = {}
    for tender_id, description in session.exec(
        select(Item.tender_id, Item.description)
        .where(col(Item.tender_id).in_(ids))
        .order_by(col(Item.tender_id), col(Item.id))
    ):
        items.setdefault(tender_id, []).append(description)
    awards: dict[int, list[tuple[Award, Organisation, Contract | None]]] = {}
    for award, supplier, contract in session.exec(
        select(Award, Organisation, Contract)
        .join(Organisation, col(Organisation.id) == Award.supplier_id)
        .join(Contract, col(Contract.award_id) == Award.id, isouter=True)
        .where(col(Award.tender_id).in_(ids))
        .order_by(col(Award.id))
    ):
        awards.setdefault(award.tender_id, []).append((award, supplier, contract))
    records: list[PublicRecord] = []
    seen_parties: set[int] = set()
    for tender in rows:
        buyer = buyers[tender.buyer_id]
        tender_awards = awards.get(tender.id, [])
        records += _tender_records(tender, buyer, items.get(tender.id, []), tender_awards)
        # A party's record is refreshed whenever one of its tenders changes.
        for party in (buyer, *(supplier for _, supplier, _ in tender_awards)):
            if party.id not in seen_parties:
                seen_parties.add(stored_id(party))
                record = organisation_record(party)
                if record is not None:
                    records.append(record)
    last = rows[-1]
    return ChangeBatch(
        records=records,
        next_cursor=ChangeCursor(changed_at=last.updated_at, id=stored_id(last)),
        changes_read=len(rows),
    )


def organisations_since(
    session: Session, *, cursor: ChangeCursor | None, limit: int = 500
) -> ChangeBatch:
    """Buyers and suppliers registered after the cursor (names and registration ids only)."""
    query = select(Organisation).where(
        col(Organisation.kind).in_([OrganisationKind.BUYING_ENTITY, OrganisationKind.SUPPLIER])
    )
    if cursor is not None:
        query = query.where(
            col(Organisation.created_at) >= cursor.changed_at,
            (col(Organisation.created_at) > cursor.changed_at) | (col(Organisation.id) > cursor.id),
        )
    rows = session.exec(
        query.order_by(col(Organisation.created_at), col(Organisation.id)).limit(limit)
    ).all()
    if not rows:
        return ChangeBatch(records=[], next_cursor=cursor, changes_read=0)
    records = [r for r in (organisation_record(o) for o in rows) if r is not None]
    return ChangeBatch(
        records=records,
        next_cursor=ChangeCursor(changed_at=rows[-1].created_at, id=stored_id(rows[-1])),
        changes_read=len(rows),
    )
