"""The `prongsai` command: serve, migrate, demo, ledger verify|checkpoint, insights
refresh|rebuild, seal-bid,
verify-receipt, backup, restore, user create|invite, org create (verify-receipt is in
`receipt_cli.py`, user and org in `accounts_cli.py`)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
from sqlmodel import Session

from core import i18n
from core.clock import system_clock
from core.db import make_engine, read_only
from core.errors import DomainError
from core.ledger import service as ledger_service
from core.ledger import verify as ledger_verify
from core.ledger.exceptions import LedgerInconsistent
from core.ledger.keys import SigningKeyError
from core.settings import Settings, SettingsError, load_settings
from prongsai import LOCALE_DIR, accounts_cli, backup, receipt_cli, schema
from prongsai.cli_common import CommandError, open_signer


def build_parser() -> argparse.ArgumentParser:
    """The command line, one sub-command per task."""
    parser = argparse.ArgumentParser(
        prog="prongsai", description="Open public procurement and permit tracking."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the web application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="app processes (PostgreSQL)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes")

    commands.add_parser("migrate", help="upgrade the database schema to the latest migration")
    commands.add_parser("demo", help="load the demo data (re-runnable, never duplicates)")

    ledger = commands.add_parser("ledger", help="the transparency log")
    ledger_commands = ledger.add_subparsers(dest="ledger_command", required=True, metavar="ACTION")
    verify = ledger_commands.add_parser(
        "verify", help="recompute every hash, root and checkpoint signature of the log"
    )
    verify.add_argument(
        "--url", help="a Prongsai server to check over HTTP (default: this deployment's database)"
    )
    ledger_commands.add_parser("checkpoint", help="sign a checkpoint of the log now")

    insights = commands.add_parser("insights", help="the aggregates behind the public figures")
    insight_commands = insights.add_subparsers(
        dest="insights_command", required=True, metavar="ACTION"
    )
    insight_commands.add_parser(
        "refresh",
        help="read the tenders and permit applications changed since the last run (all, the "
        "first time)",
    )
    insight_commands.add_parser("rebuild", help="forget the aggregates and build them again")

    seal = commands.add_parser(
        "seal-bid", help="seal a bid on this machine; prints the JSON body to POST"
    )
    seal.add_argument("--url", required=True, help="the Prongsai server publishing the tender")
    seal.add_argument("--tender", required=True, type=int, help="the tender's id")
    seal.add_argument("--amount", required=True, type=int, help="total price, in minor units")
    seal.add_argument(
        "--lot",
        action="append",
        default=[],
        type=_lot_price,
        metavar="N=PRICE",
        help="the price of lot N, in minor units (repeatable; --amount is their sum)",
    )
    seal.add_argument("--document", action="append", default=[], help="a PDF (repeatable)")
    seal.add_argument("--declare", action="store_true", help="declare the bid true and eligible")

    receipt_cli.add_parser(commands)

    backup = commands.add_parser(
        "backup", help="copy the database, keys and uploaded files into a new folder"
    )
    backup.add_argument("folder", type=Path, help="a new or empty folder")
    backup.add_argument(
        "--without-opening-key",
        action="store_true",
        help="leave the opening key out (keep it apart: with the database it opens sealed bids)",
    )
    restore = commands.add_parser(
        "restore", help="put a backup back in place of this deployment's database and files"
    )
    restore.add_argument("folder", type=Path, help="a folder written by `prongsai backup`")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that holds a deployment"
    )

    accounts_cli.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    if args.command == "verify-receipt":  # an outsider's check: no deployment, no settings
        return receipt_cli.run(args)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # E-mails the commands queue are written in both languages (core.i18n.bilingual).
    i18n.use_catalogues(LOCALE_DIR)
    try:
        settings = load_settings()
        settings.secret()  # made on first run, in the data folder, mode 0600
        return COMMANDS[args.command](settings, args)
    except (
        SettingsError,
        CommandError,
        schema.SchemaNotCurrent,
        SigningKeyError,
        LedgerInconsistent,
        backup.BackupError,
    ) as error:
        print(f"prongsai: {error}", file=sys.stderr)
        return 1
    except DomainError as error:
        print(f"prongsai: {error.message}", file=sys.stderr)
        return 1


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    engine = make_engine(settings.resolved_database_url)
    try:
        schema.check_current(engine)
        open_signer(engine, settings)  # a missing or foreign key stops start-up here
    finally:
        engine.dispose()
    if args.workers > 1 and settings.resolved_database_url.startswith("sqlite"):
        raise CommandError("several workers need PostgreSQL; SQLite serves one process")
    uvicorn.run(
        "prongsai.app:create_app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        proxy_headers=False,  # the app trusts X-Forwarded-For from PRONGSAI_TRUSTED_PROXIES only
        log_level="warning",
    )
    return 0


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    schema.upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        signer = open_signer(engine, settings)  # made here on first run, for an empty log
    finally:
        engine.dispose()
    print(f"database at migration {schema.head_revision()}; log signing key {signer.key_id}")
    return 0


def _demo(settings: Settings, _args: argparse.Namespace) -> int:
    from prongsai import demo

    engine = make_engine(settings.resolved_database_url)
    try:
        schema.check_current(engine)
        signer = open_signer(engine, settings)
        # One transaction for the whole demo: each use case's commit becomes a savepoint, so
        # thousands of log entries cost one durable commit, and a failure leaves nothing half-made.
        with (
            engine.connect() as connection,
            connection.begin(),
            Session(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            ) as session,
        ):
            summary = demo.load(session, now=system_clock())
            checkpoint = ledger_service.make_checkpoint(session, signer=signer, now=system_clock())
    finally:
        engine.dispose()
    print(
        f"demo data ready: {summary.organisations_created} organisations and "
        f"{summary.users_created} users created (password for every demo account: "
        f"{demo.DEMO_PASSWORD}); the transparency log has {checkpoint.tree_size} entries, "
        "signed"
    )
    return 0


def _lot_price(text: str) -> tuple[int, int]:
    """`--lot 2=150000` read as (lot 2, 150000 minor units)."""
    lot, _, price = text.partition("=")
    try:
        return int(lot), int(price)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not N=PRICE (a lot number and a price in minor units, such as 2=150000)"
        ) from None


def _seal_bid(_settings: Settings, args: argparse.Namespace) -> int:
    import json

    from pydantic import ValidationError

    from procurement.bids.offline import seal_bid_offline

    repeated = sorted({n for n, _ in args.lot if [m for m, _ in args.lot].count(n) > 1})
    if repeated:
        raise CommandError(f"--lot gives lot {repeated[0]} more than one price")
    try:
        response = httpx.get(f"{args.url.rstrip('/')}/api/tenders/{args.tender}", timeout=30)
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise CommandError(f"cannot read tender {args.tender} at {args.url}: {error}") from None
    tender = response.json()
    if not tender.get("sealing_public_key"):
        raise CommandError(f"tender {args.tender} is not open for bids ({tender.get('status')})")
    missing = [d for d in args.document if not Path(d).is_file()]
    if missing:
        raise CommandError(f"no such document: {', '.join(missing)}")
    try:
        body = seal_bid_offline(
            public_key_base64=tender["sealing_public_key"],
            ocid=tender["ocid"],
            currency=tender["currency"],
            amount=args.amount,
            documents=[Path(d) for d in args.document],
            declaration=args.declare,
            lot_prices=dict(args.lot),
        )
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise CommandError(f"the bid is not valid: {problems}") from None
    print(json.dumps(body))
    return 0


def _ledger(settings: Settings, args: argparse.Namespace) -> int:
    if args.ledger_command == "checkpoint":
        engine = make_engine(settings.resolved_database_url)
        try:
            schema.check_current(engine)
            signer = open_signer(engine, settings)
            with Session(engine) as session:
                checkpoint = ledger_service.make_checkpoint(
                    session, signer=signer, now=system_clock()
                )
                print(checkpoint.note, end="")
        finally:
            engine.dispose()
        return 0
    if args.url:
        try:
            with ledger_verify.HttpSource(args.url) as published:
                report = ledger_verify.verify(published)
        except httpx.HTTPError as error:
            raise CommandError(f"cannot read the log at {args.url}: {error}") from None
    else:
        engine = make_engine(settings.resolved_database_url)
        try:
            schema.check_current(engine)
            signer = open_signer(engine, settings)
            with Session(read_only(engine)) as session:
                source = ledger_verify.DatabaseSource(session, signer.verifier_key)
                report = ledger_verify.verify(source)
        finally:
            engine.dispose()
    if not report.ok:
        where = f" (first bad index: {report.bad_index})" if report.bad_index is not None else ""
        print(f"prongsai: log verification FAILED{where}: {report.problem}", file=sys.stderr)
        return 1
    print(
        f"log verified: {report.tree_size} entries, {report.checkpoints} signed checkpoints, "
        "every hash, root, signature and consistency proof checked"
    )
    return 0


def _insights(settings: Settings, args: argparse.Namespace) -> int:
    from permits.insights import aggregates as permit_aggregates
    from procurement.insights import aggregates

    engine = make_engine(settings.resolved_database_url)
    try:
        schema.check_current(engine)
        started = time.perf_counter()
        with Session(engine) as session:
            build = aggregates.rebuild if args.insights_command == "rebuild" else aggregates.refresh
            tenders = build(session, now=system_clock())
        print(
            f"{tenders} tenders read into the aggregates in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        with Session(engine) as session:
            build_permits = (
                permit_aggregates.rebuild
                if args.insights_command == "rebuild"
                else permit_aggregates.refresh
            )
            applications = build_permits(session, settings=settings, now=system_clock())
        print(
            f"{applications} permit applications read into the aggregates in "
            f"{time.perf_counter() - started:.1f} s"
        )
    finally:
        engine.dispose()
    return 0


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    summary = backup.backup(
        settings, args.folder, opening_key=not args.without_opening_key, now=system_clock()
    )
    print(
        f"backup of the {summary.database} database (migration {summary.schema_revision}, "
        f"log signed up to {summary.tree_size} entries), its keys and {summary.files} files "
        f"in {summary.folder}"
    )
    if summary.opening_key:
        print(f"prongsai: warning: {backup.OPENING_KEY_WARNING}", file=sys.stderr)
    return 0


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    report = backup.restore(settings, args.folder, force=args.force)
    if not report.ok:
        print(f"prongsai: restored, but the log does not verify: {report.problem}", file=sys.stderr)
        return 1
    print(
        f"restored from {args.folder}; log verified: {report.tree_size} entries, "
        f"{report.checkpoints} signed checkpoints"
    )
    return 0


COMMANDS = {
    "serve": _serve,
    "migrate": _migrate,
    "demo": _demo,
    "ledger": _ledger,
    "insights": _insights,
    "seal-bid": _seal_bid,
    "backup": _backup,
    "restore": _restore,
    **accounts_cli.COMMANDS,
}

if __name__ == "__main__":
    sys.exit(main())
