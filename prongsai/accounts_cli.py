"""`prongsai user create|invite` and `prongsai org create`: an operator's accounts and
organisations, made from the command line with the same rules and record as the admin pages."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlmodel import Session

from core.auth import service as auth_service
from core.auth.models import Role
from core.clock import system_clock
from core.db import make_engine
from core.settings import Settings
from prongsai import schema
from prongsai.cli_common import CommandError, open_signer


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """The `user` and `org` sub-commands' arguments."""
    user = commands.add_parser("user", help="manage user accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    create = user_commands.add_parser("create", help="create a user")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True, help="display name")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--organisation", help="slug of the user's organisation")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    invite = user_commands.add_parser(
        "invite", help="invite a person by e-mail; they choose their password from the link"
    )
    invite.add_argument("--email", required=True)
    invite.add_argument("--name", required=True, help="display name")
    invite.add_argument("--role", required=True, choices=[r.value for r in Role])
    invite.add_argument("--organisation", help="slug of the organisation they join")
    invite.add_argument(
        "--lead", action="store_true", help="lead buyer or head officer: may invite colleagues"
    )

    org = commands.add_parser("org", help="manage organisations")
    org_commands = org.add_subparsers(dest="org_command", required=True, metavar="ACTION")
    org_create = org_commands.add_parser(
        "create", help="create a buying entity or a government department"
    )
    org_create.add_argument("--slug", required=True, help="short name in addresses (a-z, 0-9, -)")
    org_create.add_argument("--name", required=True)
    org_create.add_argument("--name-th", help="the name in Thai")
    org_create.add_argument("--kind", required=True, choices=["buying_entity", "department"])
    org_create.add_argument("--registration-id", help="its public registration number, if any")
    org_create.add_argument("--reason", default="", help="why, for the record of admin actions")


def _user(settings: Settings, args: argparse.Namespace) -> int:
    if args.user_command == "invite":
        return _invite(settings, args)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise CommandError("the two passwords differ")
    else:
        raise CommandError("no terminal to ask the password on: use --password-stdin")
    engine = make_engine(settings.resolved_database_url)
    try:
        schema.check_current(engine)
        open_signer(engine, settings)
        with Session(engine) as session:
            user = auth_service.create_user(
                session,
                email=args.email,
                display_name=args.name,
                role=Role(args.role),
                password=password,
                organisation_slug=args.organisation,
                now=system_clock(),
            )
    finally:
        engine.dispose()
    print(f"user {user.email} created with the role {user.role}")
    return 0


def _with_session(settings: Settings, use):
    """Run `use(session)` on the deployment's database, at the latest migration."""
    engine = make_engine(settings.resolved_database_url)
    try:
        schema.check_current(engine)
        open_signer(engine, settings)
        with Session(engine) as session:
            return use(session)
    finally:
        engine.dispose()


def _invite(settings: Settings, args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from core.auth import admin, outbox
    from core.auth.schemas import Invitation

    try:
        invitation = Invitation(
            email=args.email,
            name=args.name,
            role=Role(args.role),
            organisation=args.organisation,
            lead=args.lead,
        )
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise CommandError(f"the invitation is not valid: {problems}") from None

    def use(session: Session):
        now = system_clock()
        member = admin.invite(
            session, inviter=None, invitation=invitation, now=now, settings=settings
        )
        outbox.deliver_pending(session, settings=settings, now=now)
        return member

    member = _with_session(settings, use)
    where = "by SMTP" if settings.smtp_url else f"into {settings.data_dir / 'outbox'}"
    print(f"invited {member.email} as {member.role}; the link to set a password went {where}")
    return 0


def _org(settings: Settings, args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from core.auth import admin
    from core.auth.schemas import OrganisationCreate

    try:
        draft = OrganisationCreate(
            slug=args.slug,
            name=args.name,
            name_th=args.name_th,
            kind=args.kind,
            registration_id=args.registration_id,
        )
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise CommandError(f"the organisation is not valid: {problems}") from None
    _with_session(
        settings,
        lambda session: admin.create_organisation(
            session, admin=None, draft=draft, reason=args.reason, now=system_clock()
        ),
    )
    print(f"organisation {draft.slug} ({draft.kind}) created and logged as registered")
    return 0


COMMANDS = {"user": _user, "org": _org}
