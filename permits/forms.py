"""Application forms generated from a permit type: checking the values and the documents."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from core.errors import InvalidInput
from permits import uploads
from permits.schemas import TypeDefinition
from permits.uploads import CheckedUpload, Upload

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


def check_values(definition: TypeDefinition, values: dict[str, str]) -> dict[str, str]:
    """The form's values, trimmed and typed-checked; InvalidInput names the first bad field."""
    clean: dict[str, str] = {}
    for field in definition.fields:
        value = (values.get(field.name) or "").strip()
        name = f"{field.label} ({field.name})"
        if not value:
            if field.required:
                raise InvalidInput(f"The field {name} is required.", field=field.name)
            continue
        if len(value) > field.max_length:
            raise InvalidInput(
                f"The field {name} has at most {field.max_length} characters.", field=field.name
            )
        problem = _kind_problem(field.kind, value, field.choices)
        if problem:
            raise InvalidInput(f"The field {name} {problem}.", field=field.name)
        clean[field.name] = value
    return clean


def _kind_problem(kind: str, value: str, choices: tuple[str, ...]) -> str | None:
    if kind == "number":
        try:
            number = Decimal(value)
        except InvalidOperation:
            return "must be a number"
        if not number.is_finite() or number < 0:
            return "must be a positive number"
    elif kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "must be a date (YYYY-MM-DD)"
    elif kind == "email" and not EMAIL.match(value):
        return "must be an email address"
    elif kind == "phone" and not PHONE.match(value):
        return "must be a telephone number"
    elif kind == "choice" and value not in choices:
        return f"must be one of: {', '.join(choices)}"
    return None


def check_documents(
    definition: TypeDefinition, files: list[Upload], *, max_bytes: int, all_required: bool = True
) -> list[CheckedUpload]:
    """Check every upload against its requirement; with all_required, each required one is there."""
    requirements = {doc.code: doc for doc in definition.documents}
    checked = []
    for upload in files:
        requirement = requirements.get(upload.requirement)
        if requirement is None:
            raise InvalidInput(f"This form asks for no document {upload.requirement!r}.")
        checked.append(
            uploads.check(
                upload, accept=requirement.accept, label=requirement.label, max_bytes=max_bytes
            )
        )
    if all_required:
        given = {upload.requirement for upload in checked}
        for doc in definition.documents:
            if doc.required and doc.code not in given:
                raise InvalidInput(
                    f"The document {doc.label} ({doc.code}) is required.", field=doc.code
                )
    return checked


def public_description(definition: TypeDefinition, values: dict[str, str]) -> str:
    """The public description: the type's name and the fields it declares public, only."""
    parts = [
        f"{field.label}: {values[field.name]}"
        for field in definition.fields
        if field.public and values.get(field.name)
    ]
    return "; ".join([definition.name, *parts])[:500]
