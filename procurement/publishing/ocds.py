"""OCDS 1.1: the release schema, merging releases into records, and packages."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import ocdsmerge

from core.ledger.service import format_time

BIDS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "v1.1.5/extension.json"
)


LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "v1.1.5/extension.json"
)


SCHEMA_DIR = Path(__file__).with_name("ocds_schema")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch, as OCDS extensions are applied to the schema."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@cache
def release_schema() -> dict[str, Any]:
    """The OCDS 1.1.5 release schema with the Bids extension merged in."""
    core = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    bids = json.loads((SCHEMA_DIR / "bids-extension-release-schema.json").read_text())
    return merge_patch(core, bids)


@cache
def _merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(schema=release_schema())


def compile_release(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release of a process, by the OCDS merge rules."""
    return _merger().create_compiled_release(releases)


def ocid(prefix: str, tender_id: int) -> str:
    """The tender's Open Contracting ID."""
    return f"{prefix}-{tender_id}"


def amount(minor: int, currency: str) -> dict[str, Any]:
    """An OCDS Value from integer minor units (2 decimals)."""
    major = Decimal(minor) / 100
    return {
        "amount": int(major) if major == major.to_integral() else float(major),
        "currency": currency,
    }


def package(releases: list[dict[str, Any]], *, uri: str, published: datetime, publisher: str):
    """A release package around some releases."""
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": [BIDS_EXTENSION, LOTS_EXTENSION],
        "publishedDate": format_time(published),
        "publisher": {"name": publisher},
        "license": "https://opendatacommons.org/licenses/by/1-0/",
        "publicationPolicy": "https://github.com/prongsai/prongsai#open-data-and-api",
        "releases": releases,
    }


class Named(Protocol):
    """An organisation as a release names it: an Organisation, or its columns (Name)."""

    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def registration_id(self) -> str | None: ...


class Name(NamedTuple):
    slug: str
    name: str
    registration_id: str | None


def party(organisation: Named, roles: list[str]) -> dict[str, Any]:
    identifier = {
        "id": organisation.registration_id or organisation.slug,
        "legalName": organisation.name,
    }
    return {
        "id": organisation.slug,
        "name": organisation.name,
        "identifier": identifier,
        "roles": roles,
    }


def organisation_ref(organisation: Named) -> dict[str, str]:
    return {"id": organisation.slug, "name": organisation.name}
