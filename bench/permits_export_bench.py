"""Permit BLDS export benchmark: first byte, whole download and peak memory of
/api/permits/export.json and /api/permits/export.csv on an existing database.

    .venv/bin/python bench/permits_export_bench.py --database sqlite:////tmp/p1/sqlite.db \\
        --data-dir /tmp/p1
    .venv/bin/python bench/permits_export_bench.py --database ... --data-dir ... \\
        --baseline /tmp/base --timeout 120                # the code of an earlier commit too

Each download runs in a process of its own (so its peak resident set is its own): the app is
built there, in process, and called through ASGI directly with a GET of the export, the body
counted and hashed as it arrives, never kept. The first byte is the first body chunk's arrival
after the call, the whole download the last chunk's; the peak RSS is the process's VmHWM at
the end. With --baseline DIR (a checkout of an earlier commit: `mkdir /tmp/base && git
archive <commit> | tar -x -C /tmp/base`) that code is measured too, on the same database; a
download still running after --timeout seconds is stopped and reported with its peak so far.
The database is only read: on SQLite every connection is `PRAGMA query_only`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.databases import run_header  # noqa: E402

EXPORTS = {"json": "/api/permits/export.json", "csv": "/api/permits/export.csv"}


def peak_rss_mb(pid: int | str = "self") -> float:
    """VmHWM of a process, in MB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def download(app, path: str) -> dict:
    """GET `path` from the ASGI app: status, bytes, sha256, first byte and total seconds."""
    done = asyncio.Event()
    sent = False
    result: dict = {"status": None, "bytes": 0, "first_byte_s": None}
    digest = hashlib.sha256()

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()  # the client stays until the whole body has come
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            result["status"] = message["status"]
        elif message["type"] == "http.response.body":
            body = message.get("body", b"")
            if body and result["first_byte_s"] is None:
                result["first_byte_s"] = time.perf_counter() - started
            result["bytes"] += len(body)
            digest.update(body)
            if not message.get("more_body", False):
                done.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench.example")],
        "client": ("127.0.0.1", 50000),
        "server": ("bench.example", 443),
    }
    started = time.perf_counter()
    await app(scope, receive, send)
    result["total_s"] = time.perf_counter() - started
    result["sha256"] = digest.hexdigest()[:16]
    return result


def one(args: argparse.Namespace) -> None:
    """In the child: build the app on the database and download one export."""
    from sqlalchemy import event

    from core.db import make_engine
    from core.settings import Settings
    from prongsai.app import create_app

    engine = make_engine(args.database)
    if engine.dialect.name == "sqlite":

        def query_only(connection, _record) -> None:
            connection.execute("PRAGMA query_only=ON")

        event.listen(engine, "connect", query_only)
    settings = Settings(
        data_dir=args.data_dir,
        database_url=args.database,
        secret_key="b" * 32,
        run_scheduler=False,
        log_level="WARNING",
    )
    app = create_app(settings, engine=engine)
    before = peak_rss_mb()
    result = asyncio.run(download(app, EXPORTS[args.one]))
    result.update(rss_before_mb=round(before), peak_rss_mb=round(peak_rss_mb()))
    print(json.dumps(result))
    engine.dispose()


def measure(args: argparse.Namespace, source: Path, export: str) -> dict:
    """One download in a process of its own, running `source`'s code; stopped at --timeout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRONGSAI_")}
    env["PYTHONPATH"] = str(source)
    command = [sys.executable, str(Path(__file__).resolve()), "--one", export]
    command += ["--database", args.database, "--data-dir", str(args.data_dir)]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=source, stdout=subprocess.PIPE, text=True)
    peak = 0.0
    while child.poll() is None:
        peak = max(peak, peak_rss_mb(child.pid))
        if time.perf_counter() - started > args.timeout:
            child.kill()
            child.wait()
            return {"timeout": True, "peak_rss_mb": round(peak)}
        time.sleep(0.2)
    out = child.stdout.read() if child.stdout else ""
    if child.returncode != 0 or not out.strip():
        raise SystemExit(f"{export} on {source} failed ({child.returncode})")
    return json.loads(out.strip().splitlines()[-1])


def describe(found: dict, timeout: float) -> str:
    if found.get("timeout"):
        return f"not finished in {timeout:.0f} s · {found['peak_rss_mb']:,} MB so far"
    return (
        f"{found['first_byte_s']:.2f} s · {found['total_s']:.1f} s · "
        f"{found['peak_rss_mb']:,} MB (app alone {found['rss_before_mb']:,} MB; body "
        f"{found['bytes'] / 1e6:.1f} MB, sha256 {found['sha256']})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="the database to export (only read)")
    parser.add_argument("--data-dir", type=Path, required=True, help="its data folder")
    parser.add_argument("--baseline", type=Path, help="a checkout of earlier code, timed too")
    parser.add_argument("--source", type=Path, default=ROOT, help="the code timed (this one)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a download at most")
    parser.add_argument("--exports", default="json,csv", help="which: json, csv or both")
    parser.add_argument("--one", choices=sorted(EXPORTS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args)
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(args.database)
    with engine.connect() as c:
        applications = c.execute(text("SELECT count(*) FROM permits_application")).scalar()
        stages = c.execute(text("SELECT count(*) FROM permits_stage")).scalar()
    engine.dispose()
    print(
        run_header(
            engine.dialect.name,
            f"{applications:,} applications, {stages:,} stages",
            "in process (ASGI), a process per download",
        )
    )
    codes = [("after", args.source)] + ([("before", args.baseline)] if args.baseline else [])
    print("| download | code | first byte · all · peak RSS |")
    print("|---|---|---|")
    for export in args.exports.split(","):
        for label, source in codes:
            found = measure(args, source, export)
            print(f"| {EXPORTS[export]} | {label} | {describe(found, args.timeout)} |")
            sys.stdout.flush()
    print(f"# load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
