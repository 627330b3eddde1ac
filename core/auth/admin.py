"""Use cases of administration: organisations checked, created and deactivated; people invited
and deactivated. Each is recorded with who, when and why; the public facts also go into the
transparency log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from core.auth import mails, onboarding, outbox, queries, rules
from core.auth.models import (
    AdminAction,
    AuthToken,
    LinkPurpose,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    User,
)
from core.auth.schemas import Invitation, Member, OrganisationCreate
from core.auth.service import (
    add_organisation,
    get_organisation_by_slug,
    get_user_by_email,
    log_registered,
    normalise_email,
)
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.i18n import bilingual, gettext, localized
from core.ledger import service as ledger_service
from core.ledger.keys import LogSigner
from core.settings import Settings

OPERATOR = "operator (command line)"
INVITATION_DAYS = 7


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    subject: str,
    reason: str,
    now: datetime,
) -> None:
    """Add the record of one admin action, in the caller's transaction."""
    session.add(
        AdminAction(
            actor_id=actor.id if actor else None,
            actor=actor.email if actor else OPERATOR,
            action=action,
            subject=subject,
            reason=reason,
            created_at=now,
        )
    )


def _organisation(session: Session, slug: str) -> Organisation:
    organisation = get_organisation_by_slug(session, slug=slug)
    if organisation is None:
        raise NotFound(gettext("No organisation has the slug %(slug)s.") % {"slug": repr(slug)})
    return organisation


def _mail_members(
    session: Session,
    *,
    organisation: Organisation,
    render: Callable[[], tuple[str, str]],
    now: datetime,
    settings: Settings,
) -> None:
    subject, body = bilingual(settings.default_locale, render)
    emails = session.exec(select(User.email).where(User.organisation_id == organisation.id))
    for email in emails:
        outbox.queue(session, to=email, subject=subject, body=body, now=now)


def approve_organisation(
    session: Session, *, admin: User, slug: str, reason: str, now: datetime, settings: Settings
) -> None:
    """Approve a pending supplier company: it may bid from now on, and the register shows it."""
    organisation = _organisation(session, slug)
    if organisation.status != OrganisationStatus.PENDING:
        raise Conflict(
            gettext("%(name)s is %(status)s, not pending: nothing to do.")
            % {"name": organisation.name, "status": organisation.status}
        )
    organisation.status = OrganisationStatus.ACTIVE
    organisation.status_reason = reason or None
    organisation.status_changed_at = now
    session.add(organisation)
    log_registered(session, organisation=organisation, now=now)
    record(
        session, actor=admin, action="organisation.approve", subject=slug, reason=reason, now=now
    )
    _mail_members(
        session,
        organisation=organisation,
        render=lambda: (
            gettext("Your company's registration on Prongsai is approved"),
            (
                gettext("%(name)s is approved: it may now bid on tenders.")
                % {"name": organisation.name}
                + f"\n\n{reason}"
            ).strip(),
        ),
        now=now,
        settings=settings,
    )
    session.commit()


def reject_organisation(
    session: Session, *, admin: User, slug: str, reason: str, now: datetime, settings: Settings
) -> None:
    """Reject a pending supplier company, with the reason it is told."""
    organisation = _organisation(session, slug)
    if organisation.status != OrganisationStatus.PENDING:
        raise Conflict(
            gettext("%(name)s is %(status)s, not pending: nothing to do.")
            % {"name": organisation.name, "status": organisation.status}
        )
    organisation.status = OrganisationStatus.REJECTED
    organisation.status_reason = reason
    organisation.status_changed_at = now
    session.add(organisation)
    record(session, actor=admin, action="organisation.reject", subject=slug, reason=reason, now=now)
    _mail_members(
        session,
        organisation=organisation,
        render=lambda: (
            gettext("Your company's registration on Prongsai was not approved"),
            gettext(
                "The registration of %(name)s was not approved, for this reason:\n\n"
                "%(reason)s\n\nCorrect what it names and register again, or reply to ask."
            )
            % {"name": organisation.name, "reason": reason},
        ),
        now=now,
        settings=settings,
    )
    session.commit()


def deactivate_organisation(
    session: Session, *, admin: User, slug: str, reason: str, now: datetime
) -> None:
    """Stop an organisation acting: its people can no longer sign in (a public fact)."""
    organisation = _organisation(session, slug)
    if organisation.status == OrganisationStatus.DEACTIVATED:
        raise Conflict(gettext("%(name)s is deactivated already.") % {"name": organisation.name})
    organisation.status = OrganisationStatus.DEACTIVATED
    organisation.status_reason = reason
    organisation.status_changed_at = now
    session.add(organisation)
    members = list(session.exec(select(User).where(User.organisation_id == organisation.id)))
    for member in members:
        _deactivate(session, user=member, now=now)
    ledger_service.append(
        session,
        entry_type="core.organisation.deactivated",
        payload={"slug": slug, "name": organisation.name, "reason": reason},
        now=now,
        subject=f"organisation:{slug}",
    )
    record(
        session, actor=admin, action="organisation.deactivate", subject=slug, reason=reason, now=now
    )
    session.commit()


def create_organisation(
    session: Session, *, admin: User | None, draft: OrganisationCreate, reason: str, now: datetime
) -> None:
    """Create a buying entity or a government department (a public fact)."""
    add_organisation(
        session,
        slug=draft.slug,
        name=draft.name,
        name_th=draft.name_th,
        kind=OrganisationKind(draft.kind),
        registration_id=draft.registration_id,
        now=now,
    )
    record(
        session,
        actor=admin,
        action="organisation.create",
        subject=draft.slug,
        reason=reason,
        now=now,
    )
    session.commit()


def invite(
    session: Session,
    *,
    inviter: User | None,
    invitation: Invitation,
    now: datetime,
    settings: Settings,
) -> Member:
    """Invite a person into an organisation and role; they choose their password from the link.

    An admin (or an operator at the command line) invites anyone; an organisation's lead buyer
    or head officer invites colleagues into their own organisation and role only."""
    slug = invitation.organisation
    organisation = _organisation(session, slug) if slug else None
    if organisation is None and inviter is not None and inviter.role != Role.ADMIN:
        # a lead invites into their own organisation: naming it is optional
        organisation = session.get(Organisation, inviter.organisation_id)
    organisation_id = organisation.id if organisation else None
    if inviter is not None:
        refused = rules.inviter_problem(
            inviter_role=inviter.role,
            inviter_is_lead=inviter.is_lead,
            inviter_organisation_id=inviter.organisation_id,
            role=invitation.role,
            organisation_id=organisation_id,
        )
        if refused:
            raise PermissionDenied(localized(refused))
    problem = rules.membership_problem(
        role=invitation.role,
        organisation_id=organisation_id,
        organisation_kind=organisation.kind if organisation else None,
    )
    if problem:
        raise InvalidInput(localized(problem))
    if organisation is not None and organisation.status != OrganisationStatus.ACTIVE:
        raise Conflict(
            gettext("%(name)s is %(status)s: nobody can join it now.")
            % {"name": organisation.name, "status": organisation.status}
        )
    email = normalise_email(invitation.email)
    if get_user_by_email(session, email=email) is not None:
        # Only admins and leads invite, and they need to know why nobody gets the link.
        raise Conflict(
            gettext("%(email)s has an account already; change its role instead.") % {"email": email}
        )
    user = User(
        email=email,
        display_name=invitation.name,
        role=invitation.role,
        organisation_id=organisation_id,
        password_hash=onboarding.UNUSABLE_PASSWORD,
        created_at=now,
        is_lead=invitation.lead,
    )
    session.add(user)
    session.flush()
    raw = onboarding.new_link(
        session,
        user=user,
        purpose=LinkPurpose.INVITATION,
        now=now,
        lifetime=timedelta(days=INVITATION_DAYS),
    )
    subject, body = mails.invitation(
        settings,
        name=invitation.name,
        inviter=inviter.display_name if inviter else None,
        role=invitation.role,
        organisation=organisation.name if organisation else None,
        link=f"{onboarding.base_url(settings)}/invitation?token={raw}",
        days=INVITATION_DAYS,
    )
    outbox.queue(session, to=email, subject=subject, body=body, now=now)
    record(
        session,
        actor=inviter,
        action="user.invite",
        subject=f"{email} as {invitation.role}{' (lead)' if invitation.lead else ''}"
        + (f" in {organisation.slug}" if organisation else ""),
        reason="",
        now=now,
    )
    session.commit()
    return queries.member(user)


def deactivate_user(
    session: Session, *, admin: User, user_id: int, reason: str, now: datetime
) -> Member:
    """Close a person's account: they cannot sign in, and every session and token stops."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(gettext("There is no user %(id)s.") % {"id": user_id})
    if user.id == admin.id:
        raise InvalidInput(gettext("You cannot deactivate your own account."))
    _deactivate(session, user=user, now=now)
    record(
        session, actor=admin, action="user.deactivate", subject=user.email, reason=reason, now=now
    )
    session.commit()
    return queries.member(user)


def _deactivate(session: Session, *, user: User, now: datetime) -> None:
    user.is_active = False
    session.add(user)
    _deactivate_tokens(session, user=user, now=now)


def _deactivate_tokens(session: Session, *, user: User, now: datetime) -> None:
    session.exec(
        update(AuthToken)
        .where(col(AuthToken.user_id) == user.id, col(AuthToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )


def rename_organisation(
    session: Session, *, admin: User, slug: str, name: str, name_th: str | None, reason: str,
    now: datetime,
) -> None:  # fmt: skip
    """Rename an organisation (a public fact). Past log entries and published releases keep
    the name they were made with; the log records the old name beside the new."""
    organisation = _organisation(session, slug)
    old = {"name": organisation.name, "name_th": organisation.name_th}
    organisation.name, organisation.name_th = name, name_th
    session.add(organisation)
    ledger_service.append(
        session,
        entry_type="core.organisation.renamed",
        payload={"slug": slug, "old": old, "new": {"name": name, "name_th": name_th}},
        now=now,
        subject=f"organisation:{slug}",
    )
    record(
        session,
        actor=admin,
        action="organisation.rename",
        subject=slug,
        reason=f"{old['name']} → {name}" + (f": {reason}" if reason else ""),
        now=now,
    )
    session.commit()


def change_role(
    session: Session, *, admin: User, user_id: int, role: Role, reason: str, now: datetime
) -> Member:
    """Give a person another role that fits their organisation; their sessions and tokens stop,
    so the new role's rights start from a new sign-in."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(gettext("There is no user %(id)s.") % {"id": user_id})
    if user.id == admin.id:
        raise InvalidInput(gettext("You cannot change your own role."))
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    problem = rules.membership_problem(
        role=role,
        organisation_id=user.organisation_id,
        organisation_kind=organisation.kind if organisation else None,
    )
    if problem:
        raise InvalidInput(localized(problem))
    before = user.role
    user.role = role
    _deactivate_tokens(session, user=user, now=now)
    session.add(user)
    record(
        session,
        actor=admin,
        action="user.change_role",
        subject=f"{user.email}: {before} → {role}",
        reason=reason,
        now=now,
    )
    session.commit()
    return queries.member(user)


def sign_checkpoint(session: Session, *, admin: User, signer: LogSigner, now: datetime) -> int:
    """Sign a checkpoint of the transparency log now, recorded as the admin's action; the
    tree size it signs."""
    signed = ledger_service.make_checkpoint(session, signer=signer, now=now)
    subject = f"tree size {signed.tree_size}"
    record(session, actor=admin, action="ledger.checkpoint", subject=subject, reason="", now=now)
    session.commit()
    return signed.tree_size
