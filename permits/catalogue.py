"""Permit types loaded from their versioned definition files, and the business calendar."""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import holidays
from pydantic import ValidationError
from sqlmodel import Session, col, select

from core.auth.models import Organisation, OrganisationKind
from core.db import stored_id
from core.errors import Conflict, NotFound
from core.i18n import gettext
from core.ledger import service as ledger_service
from core.settings import Settings
from permits.exceptions import InvalidDefinition
from permits.models import Closure, PermitType
from permits.rules import Calendar
from permits.schemas import ClosurePublic, Holiday, PermitsSetup, TypeDefinition, TypeVersion

DEFINITIONS = Path(__file__).parent / "definitions"


def parse_definition(text: str, *, source: str = "definition") -> TypeDefinition:
    """Check a TOML definition; InvalidDefinition names what is wrong and where."""
    try:
        return _parsed(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidDefinition(f"{source}: not valid TOML ({error})") from None
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in error.errors()
        )
        raise InvalidDefinition(f"{source}: {problems}") from None


@lru_cache(maxsize=64)
def _parsed(text: str) -> TypeDefinition:
    """A definition parsed once per process: the same files are loaded at every start."""
    return TypeDefinition.model_validate(tomllib.loads(text))


def load_type(session: Session, *, text: str, now: datetime, source: str = "definition") -> bool:
    """Load one definition; True if it is a new version, False if already loaded as is."""
    definition = parse_definition(text, source=source)
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = session.exec(
        select(PermitType).where(
            PermitType.code == definition.code, PermitType.version == definition.version
        )
    ).first()
    if existing is not None:
        if existing.source_sha256 != digest:
            raise InvalidDefinition(
                f"{source}: {definition.code} version {definition.version} is already loaded "
                "with other content; applications in progress keep their version, so give "
                "the changed definition a new version number."
            )
        return False
    slugs = {stage.department for stage in definition.stages}
    known = set(
        session.exec(
            select(Organisation.slug).where(
                col(Organisation.slug).in_(slugs), Organisation.kind == OrganisationKind.DEPARTMENT
            )
        )
    )
    if missing := sorted(slugs - known):
        raise InvalidDefinition(f"{source}: no department with the slug {', '.join(missing)}")
    session.add(
        PermitType(
            code=definition.code,
            version=definition.version,
            name=definition.name,
            name_th=definition.name_th,
            definition=definition.model_dump_json(),
            source_sha256=digest,
            loaded_at=now,
        )
    )
    ledger_service.append(
        session,
        entry_type="permits.type.loaded",
        payload={"code": definition.code, "version": definition.version, "sha256": digest},
        now=now,
        subject=f"permit-type:{definition.code}",
    )
    session.commit()
    return True


def load_types(session: Session, *, now: datetime, directory: Path = DEFINITIONS) -> list[str]:
    """Load every definition file of a folder; the codes and versions newly loaded."""
    loaded = []
    for path in sorted(directory.glob("*.toml")):
        if load_type(session, text=path.read_text(encoding="utf-8"), now=now, source=path.name):
            definition = parse_definition(path.read_text(encoding="utf-8"))
            loaded.append(f"{definition.code} v{definition.version}")
    return loaded


@lru_cache(maxsize=256)
def _definition(text: str) -> TypeDefinition:
    return TypeDefinition.model_validate_json(text)


def definition_of(permit_type: PermitType) -> TypeDefinition:
    """The parsed definition of a loaded type version."""
    return _definition(permit_type.definition)


def definitions_by_id(session: Session) -> dict[int, TypeDefinition]:
    """Every type version's parsed definition, by the type row's id (a handful of rows)."""
    return {stored_id(t): definition_of(t) for t in session.exec(select(PermitType))}


def latest_types(session: Session) -> list[PermitType]:
    """The newest version of each permit type, the ones new applications use."""
    rows = session.exec(select(PermitType).order_by(col(PermitType.code), col(PermitType.version)))
    latest: dict[str, PermitType] = {}
    for row in rows:
        latest[row.code] = row
    return list(latest.values())


def latest_type(session: Session, *, code: str) -> PermitType:
    """The newest version of one permit type; NotFound if there is none."""
    row = session.exec(
        select(PermitType).where(PermitType.code == code).order_by(col(PermitType.version).desc())
    ).first()
    if row is None:
        raise NotFound(gettext("There is no permit type %(code)s.") % {"code": repr(code)})
    return row


@lru_cache(maxsize=16)
def _holidays(country: str, first_year: int, last_year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=range(first_year, last_year + 1)))


def calendar(session: Session, *, settings: Settings, around: datetime) -> Calendar:
    """Business days near an instant: national holidays of the country plus local closures."""
    year = around.year
    closures = session.exec(select(col(Closure.closure_date))).all()
    national = _holidays(settings.permits_holiday_country, year - 2, year + 2)
    return Calendar(zone=settings.zone, closed=national | frozenset(closures))


def add_closure(session: Session, *, closure_date: date, reason: str, now: datetime) -> Closure:
    """Declare a local office closure (an admin's act); later due dates skip it."""
    if session.exec(select(Closure.id).where(Closure.closure_date == closure_date)).first():
        raise Conflict(
            gettext("%(date)s is already declared a closure.") % {"date": closure_date.isoformat()}
        )
    closure = Closure(closure_date=closure_date, reason=reason.strip(), created_at=now)
    session.add(closure)
    ledger_service.append(
        session,
        entry_type="permits.closure.declared",
        payload={"date": closure_date.isoformat(), "reason": closure.reason},
        now=now,
    )
    session.commit()
    return closure


def list_closures(session: Session) -> list[Closure]:
    """Every local closure, by date."""
    return list(session.exec(select(Closure).order_by(col(Closure.closure_date))))


def stage_names(definition: TypeDefinition) -> dict[str, str]:
    """Stage code → English name."""
    return {stage.code: stage.name for stage in definition.stages}


def canonical(value: object) -> str:
    """Compact, sorted JSON (for the private form data)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def setup_for_admin(session: Session, *, settings: Settings, now: datetime) -> PermitsSetup:
    """Every version of every permit type (the newest in force), local closures, and this
    year's and next year's national holidays."""
    rows = list(
        session.exec(select(PermitType).order_by(col(PermitType.code), col(PermitType.version)))
    )
    newest = {row.code: row.version for row in rows}
    year = now.astimezone(settings.zone).year
    national = holidays.country_holidays(settings.permits_holiday_country, years=(year, year + 1))
    return PermitsSetup(
        types=[
            TypeVersion(
                code=r.code,
                version=r.version,
                name=r.name,
                name_th=r.name_th,
                source_sha256=r.source_sha256,
                loaded_at=r.loaded_at,
                in_force=newest[r.code] == r.version,
            )
            for r in rows
        ],
        closures=[
            ClosurePublic(closure_date=c.closure_date, reason=c.reason)
            for c in list_closures(session)
        ],
        holidays=[Holiday(holiday_date=d, name=n) for d, n in sorted(national.items())],
        country=settings.permits_holiday_country,
    )
