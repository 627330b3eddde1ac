"""`prongsai backup DIR` and `prongsai restore DIR`: a deployment's database, keys and files.

A backup folder holds:

    manifest.json          what was saved, when, at which migration, and the SHA-256 of each file
    database.sqlite3       SQLite's online backup (a consistent copy while the app runs), or
    database.pgdump        `pg_dump --format=custom` of the PostgreSQL database
    keys/                  the log's signing key, the cookie secret, and the opening key
    files/                 the data folder's files (uploaded documents), copied after the database

The database is copied first and the files after it: a document is written before the commit
that refers to it, so every document the copied database names is in the copy (a later upload
may be there too, unreferenced and harmless).

The opening key is what lets the opening step read sealed bids. Whoever holds it and the
database together can open bids before their time, so a backup that carries both must be kept
as carefully as the application hosts; `--without-opening-key` leaves it out, to be kept apart
(in a KMS or a safe) and put back at its path before a restore.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from core.db import make_engine, read_only
from core.ledger import service as ledger_service
from core.ledger import verify as ledger_verify
from core.ledger.keys import load_signer
from core.settings import Settings
from prongsai import schema

FORMAT = 1
MANIFEST = "manifest.json"
OPENING_KEY_WARNING = (
    "this backup holds the opening key beside the database: whoever has both can read sealed "
    "bids before their opening. Keep it where only the application hosts' operators can reach "
    "it, or make backups with --without-opening-key and keep the key apart."
)


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says what to do."""


@dataclass(frozen=True)
class Summary:
    folder: Path
    database: str
    schema_revision: str | None
    tree_size: int
    files: int
    opening_key: bool


def backup(settings: Settings, folder: Path, *, opening_key: bool, now: datetime) -> Summary:
    """Write a backup of this deployment into `folder` (new or empty)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} is not an empty folder; give a new one for each backup.")
    url = settings.resolved_database_url
    engine = make_engine(url)
    try:
        schema.check_current(engine)
        with Session(read_only(engine)) as session:
            checkpoint = ledger_service.latest_checkpoint(session)
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        dialect = engine.dialect.name
        if dialect == "sqlite":
            _sqlite_copy(Path(make_url(url).database or ""), folder / "database.sqlite3")
        else:
            dump = folder / "database.pgdump"
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _libpq_url(url)])
        revision = schema.current_revision(engine)
    finally:
        engine.dispose()
    keys = {"log-signing-key.pem": settings.signing_key_path}
    for name in ("secret_key", "idempotency-key"):  # a retried bid's key matches after a restore
        if (settings.data_dir / name).exists():
            keys[name] = settings.data_dir / name
    opening = "none yet"  # made when the first tender is published
    if settings.opening_key_path.exists():
        opening = "included" if opening_key else "left out"
        if opening_key:
            keys["opening-key"] = settings.opening_key_path
    for name, path in keys.items():
        _private_copy(path, folder / "keys" / name)
    files = _copy_files(settings, folder / "files")
    written = sorted(p for p in folder.rglob("*") if p.is_file())
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "database": dialect,
        "schema_revision": revision,
        "checkpoint": None
        if checkpoint is None
        else {"tree_size": checkpoint.tree_size, "root_hash": checkpoint.root_hash.hex()},
        "opening_key": opening,
        "files": {str(p.relative_to(folder)): _sha256(p) for p in written},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return Summary(
        folder,
        dialect,
        revision,
        checkpoint.tree_size if checkpoint else 0,
        files,
        "opening-key" in keys,
    )


def restore(settings: Settings, folder: Path, *, force: bool) -> ledger_verify.Report:
    """Put a backup back in place of this deployment's database, keys and files."""
    manifest = _read_manifest(folder)
    url = settings.resolved_database_url
    engine = make_engine(url)
    try:
        if engine.dialect.name != manifest["database"]:
            raise BackupError(
                f"the backup is of a {manifest['database']} database and this deployment uses "
                f"{engine.dialect.name}; restore it into a deployment of the same kind."
            )
        held = _entries_held(engine)
        if held is not None and not force:
            raise BackupError(
                f"the database at {make_url(url).render_as_string()} holds a deployment "
                f"({held} log entries); a restore replaces it. Stop the application and add "
                "--force to replace it."
            )
        _check_keys(settings, manifest)
        if engine.dialect.name == "sqlite":
            engine.dispose()
            _sqlite_copy(folder / "database.sqlite3", Path(make_url(url).database or ""))
        else:
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            engine.dispose()
            dump = folder / "database.pgdump"
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--exit-on-error",
                    f"--dbname={_libpq_url(url)}",
                    str(dump),
                ]
            )
    finally:
        engine.dispose()
    for key in sorted((folder / "keys").glob("*")):
        target = _key_target(settings, key.name)
        target.unlink(missing_ok=True)
        _private_copy(key, target)
    if (folder / "files").is_dir():
        shutil.copytree(folder / "files", settings.data_dir, dirs_exist_ok=True)
    return _verify(settings, manifest)


def _verify(settings: Settings, manifest: dict) -> ledger_verify.Report:
    engine = make_engine(settings.resolved_database_url)
    try:
        schema.check_current(engine)
        signer = load_signer(settings.signing_key_path, name=settings.origin, may_create=False)
        with Session(read_only(engine)) as session:
            report = ledger_verify.verify(
                ledger_verify.DatabaseSource(session, signer.verifier_key)
            )
            saved = manifest.get("checkpoint")
            if report.ok and saved is not None:
                kept = ledger_service.root_hash(session, size=saved["tree_size"])
                if kept.hex() != saved["root_hash"]:
                    problem = "the restored log does not hold the checkpoint the backup recorded"
                    return ledger_verify.Report(
                        False, report.tree_size, report.checkpoints, problem
                    )
        return report
    finally:
        engine.dispose()


def _read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} holds no {MANIFEST}: it is not a Prongsai backup.") from None
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder / MANIFEST} cannot be read: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is a backup of format {manifest.get('format')!r}, not 1.")
    for name, digest in manifest["files"].items():
        path = folder / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(
                f"{name} in the backup is missing or changed since it was made; "
                "nothing was restored."
            )
    return manifest


def _entries_held(engine: Engine) -> int | None:
    """The log size of the deployment in this database, or None when it holds none."""
    if not inspect(engine).get_table_names():
        return None
    with engine.connect() as connection:
        try:
            return connection.execute(text("SELECT tree_size FROM ledger_head")).scalar() or 0
        except Exception:  # tables of something, but not a migrated deployment: still live data
            return 0


def _check_keys(settings: Settings, manifest: dict) -> None:
    """The keys the backup carries replace this deployment's (whose database is replaced too);
    an opening key left out of the backup must already be in place."""
    left_out = manifest["opening_key"] == "left out"
    if left_out and not settings.opening_key_path.exists():
        raise BackupError(
            f"the backup was made without the opening key: put it at {settings.opening_key_path} "
            "first, or the tenders it sealed can never be opened."
        )


def _key_target(settings: Settings, name: str) -> Path:
    return {
        "log-signing-key.pem": settings.signing_key_path,
        "opening-key": settings.opening_key_path,
    }.get(name, settings.data_dir / name)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while the application writes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        _closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        _closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
    target.chmod(0o600)


class _closing:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *_exc: object) -> None:
        self.connection.close()


def _copy_files(settings: Settings, target: Path) -> int:
    """Every folder of the data folder (uploaded documents); the database and keys are apart."""
    count, inside = 0, target.resolve().parents
    for folder in sorted(p for p in settings.data_dir.iterdir() if p.is_dir()):
        if folder.resolve() in inside:
            continue  # the backup itself, made inside the data folder
        shutil.copytree(folder, target / folder.name)
        count += sum(1 for p in (target / folder.name).rglob("*") if p.is_file())
    return count


def _private_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(source.read_bytes())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq's tools read it (no `+psycopg`)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed; install PostgreSQL's client tools.")
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()[-500:]}")
