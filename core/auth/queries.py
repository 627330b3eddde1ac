"""Reads of the organisation directory. The public ones list no person; the admin ones do,
for the admins who check registrations."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.auth.models import (
    AdminAction,
    Organisation,
    OrganisationCount,
    OrganisationKind,
    OrganisationStatus,
    User,
)
from core.auth.schemas import (
    AdminActionView,
    Member,
    OrganisationAdminView,
    OrganisationPublic,
    OrganisationView,
    RegisteredSupplier,
)
from core.errors import NotFound
from core.i18n import gettext

# A supplier company awaiting its check, or refused, is no public fact (it never acted).
NOT_YET_PUBLIC = (OrganisationStatus.PENDING, OrganisationStatus.REJECTED)


def list_organisations(
    session: Session, *, kind: OrganisationKind, limit: int | None = None
) -> list[OrganisationPublic]:
    """Every organisation of one kind (or the first `limit`), by name."""
    query = (
        select(Organisation)
        .where(Organisation.kind == kind, col(Organisation.status).notin_(NOT_YET_PUBLIC))
        .order_by(col(Organisation.name), col(Organisation.id))
        .limit(limit)
    )
    return [OrganisationPublic.model_validate(o, from_attributes=True) for o in session.exec(query)]


# A filter offers the organisations of a kind as a list of choices up to this many (a city's);
# past it (a country's tens of thousands) it asks for the identifier, which the directory finds.
CHOICES_AT_MOST = 200


def organisation_choices(
    session: Session, *, kind: OrganisationKind
) -> list[OrganisationPublic] | None:
    """The organisations of a kind a filter lists, by name; None when they are too many."""
    rows = list_organisations(session, kind=kind, limit=CHOICES_AT_MOST + 1)
    return rows if len(rows) <= CHOICES_AT_MOST else None


def _directory_page(
    session: Session,
    *,
    kind: OrganisationKind,
    name: str,
    offset: int,
    limit: int,
    statuses: tuple[OrganisationStatus, ...] | None = None,
) -> tuple[list[Organisation], int]:
    """A page of a directory of one kind, by name, whose name (in either language) or
    identifier holds `name`; and how many match. Public organisations (or those of the given
    statuses only). A country's tens of thousands are read a page at a time, from the
    (kind, name) index."""
    status = col(Organisation.status)
    public = (col(Organisation.kind) == kind) & (
        status.in_(statuses) if statuses else status.notin_(NOT_YET_PUBLIC)
    )
    words = name.strip().lower()
    if words:
        public = public & (
            func.lower(Organisation.name).contains(words, autoescape=True)
            | func.lower(func.coalesce(Organisation.name_th, "")).contains(words, autoescape=True)
            | col(Organisation.slug).contains(words, autoescape=True)
        )
    total = session.exec(select(func.count()).select_from(Organisation).where(public)).one()
    rows = session.exec(
        select(Organisation)
        .where(public)
        .order_by(col(Organisation.name), col(Organisation.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total


def organisations_page(
    session: Session, *, kind: OrganisationKind, name: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[OrganisationPublic], int]:
    """A page of the public organisations of one kind (see _directory_page); how many match."""
    rows, total = _directory_page(session, kind=kind, name=name, offset=offset, limit=limit)
    return [OrganisationPublic.model_validate(o, from_attributes=True) for o in rows], total


def count_organisations(session: Session) -> dict[OrganisationKind, int]:
    """How many public organisations of each kind are registered: as the counting job last
    found them (a minute behind at most), or counted now before it first ran."""
    counts = dict.fromkeys(OrganisationKind, 0)
    for (kind, status), n in organisation_counts(session).items():
        if status not in NOT_YET_PUBLIC:
            counts[OrganisationKind(kind)] += n
    return counts


def organisation_counts(session: Session, *, kept: bool = True) -> dict[tuple[str, str], int]:
    """(kind, status) → how many: the counting job's rows, or a count of every organisation
    when there are none yet (or `kept` is False: the job itself)."""
    if kept:
        rows = session.exec(
            select(OrganisationCount.kind, OrganisationCount.status, OrganisationCount.n)
        ).all()
        if rows:
            return {(kind, status): n for kind, status, n in rows}
    counted = session.exec(
        select(Organisation.kind, Organisation.status, func.count()).group_by(
            col(Organisation.kind), col(Organisation.status)
        )
    )
    return {(str(kind), str(status)): n for kind, status, n in counted}


def supplier_register(
    session: Session, *, name: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[RegisteredSupplier], int]:
    """A page of the public register: the approved supplier companies, by name (never their
    contact), found by a part of either name or the identifier; and how many match."""
    rows, total = _directory_page(
        session,
        kind=OrganisationKind.SUPPLIER,
        name=name,
        offset=offset,
        limit=limit,
        statuses=(OrganisationStatus.ACTIVE,),
    )
    return [
        RegisteredSupplier(
            slug=o.slug,
            name=o.name,
            name_th=o.name_th,
            registration_id=o.registration_id,
            registered_on=(o.status_changed_at or o.created_at).date(),
        )
        for o in rows
    ], total


def organisations_for_admin(
    session: Session, *, status: OrganisationStatus | None = None, slug: str | None = None
) -> list[OrganisationAdminView]:
    """Organisations (of one status, or all) with the people acting for them, oldest first."""
    query = select(Organisation).order_by(col(Organisation.created_at), col(Organisation.id))
    if status is not None:
        query = query.where(Organisation.status == status)
    if slug is not None:
        query = query.where(Organisation.slug == slug)
    organisations = list(session.exec(query))
    members: dict[int, list[Member]] = {}
    if organisations:
        people = session.exec(
            select(User)
            .where(col(User.organisation_id).in_([o.id for o in organisations]))
            .order_by(col(User.id))
        )
        for u in people:
            members.setdefault(u.organisation_id or 0, []).append(member(u))
    return [
        OrganisationAdminView.model_validate(o, from_attributes=True).model_copy(
            update={"members": members.get(o.id or 0, [])}
        )
        for o in organisations
    ]


def organisation_for_admin(session: Session, *, slug: str) -> OrganisationAdminView:
    """One organisation with its people, as an admin sees it."""
    found = organisations_for_admin(session, slug=slug)
    if not found:
        raise NotFound(gettext("No organisation has the slug %(slug)s.") % {"slug": repr(slug)})
    return found[0]


def member(user: User) -> Member:
    """A person as an admin sees them."""
    return Member(
        id=user.id or 0,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        is_lead=user.is_lead,
        is_active=user.is_active,
        email_verified=user.email_verified_at is not None,
    )


def organisation_status(session: Session, *, organisation_id: int | None) -> OrganisationView:
    """The name, status and reason of a person's organisation (or none), for their pages."""
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None:
        return OrganisationView(slug=None, name=None, status=None, status_reason=None)
    return OrganisationView.model_validate(organisation, from_attributes=True)


def admin_actions(session: Session, *, limit: int = 200) -> list[AdminActionView]:
    """The newest admin actions first: who did what, when and why."""
    query = select(AdminAction).order_by(col(AdminAction.id).desc()).limit(limit)
    return [AdminActionView.model_validate(a, from_attributes=True) for a in session.exec(query)]
