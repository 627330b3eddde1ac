"""`prongsai verify-receipt`: a supplier (or anyone they hand the file to) checks a bid receipt.

    prongsai verify-receipt bid-7-receipt.json [--server https://prongsai.example] [--key KEY]

One line per check, "ok", "FAILED" or "not checked"; the exit status is 0 when every check made
holds, else the code of the first that failed (see `procurement.bids.receipt_check`): 2 the file
is not a receipt, 3 the server cannot be read, 10 commitment, 11 bid shown, 12 log entry,
13 inclusion proof, 14 signature, 15 consistency with the live log, 16 opening record.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import httpx

from procurement.bids import receipt_check as check


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The sub-command's arguments."""
    verify = commands.add_parser(
        "verify-receipt",
        help="check a bid receipt: commitment, log entry, inclusion proof, signed checkpoint",
    )
    verify.add_argument("receipt", type=Path, help="the receipt's JSON file")
    verify.add_argument(
        "--server",
        help="also check the live log at this Prongsai server: consistent with the receipt's "
        "checkpoint and, after the opening, reading the bid the receipt commits",
    )
    verify.add_argument(
        "--key", help="the log's public key, as published (default: the receipt's own)"
    )


def run(args: argparse.Namespace) -> int:
    """Check the receipt; print one line per check; return the exit status."""
    try:
        receipt = check.read(args.receipt.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        print(f"prongsai: cannot read {args.receipt}: {error}", file=sys.stderr)
        return check.UNREADABLE
    except check.ReceiptUnreadable as error:
        print(f"prongsai: {args.receipt} is not a readable receipt: {error}", file=sys.stderr)
        return check.UNREADABLE
    findings = check.check_offline(receipt, verifier_key=args.key)
    if args.server:
        try:
            with httpx.Client(base_url=args.server.rstrip("/"), timeout=30) as client:
                findings += check.check_server(receipt, client)
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as error:
            _report(findings)
            print(f"prongsai: cannot check against {args.server}: {error}", file=sys.stderr)
            return check.SERVER_UNREACHABLE
    _report(findings)
    failed = [f for f in findings if f.holds is False]
    if failed:
        print(f"prongsai: receipt verification FAILED: {failed[0].message}", file=sys.stderr)
        return failed[0].code
    print(f"receipt of bid {receipt.bid_id} (version {receipt.version}) on {receipt.ocid} verified")
    return 0


def _report(findings: list[check.Finding]) -> None:
    for finding in findings:
        said = {True: "ok", False: "FAILED", None: "not checked"}[finding.holds]
        print(f"{said}: {finding.message}")
