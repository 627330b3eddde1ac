"""Application forms generated from a permit type: checking the values and the documents."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from core.errors import InvalidInput
from core.forms import FormErrors, Invalid
from core.i18n import current_locale, gettext
from permits import uploads
from permits.schemas import FormField, TypeDefinition
from permits.uploads import CheckedUpload, Upload

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


def _label(label: str, label_th: str | None) -> str:
    return label_th if label_th and current_locale() == "th" else label


def _invalid(errors: FormErrors) -> Invalid:
    """Every problem at its field; the message (what the API answers) names each by its label."""
    said = [f"{errors.labels.get(name, name)}: {text}" for name, text in errors.fields.items()]
    return Invalid(errors, message=" ".join([*errors.general, *said]))


def check_values(definition: TypeDefinition, values: dict[str, str]) -> dict[str, str]:
    """The form's values, trimmed and type-checked; Invalid names every bad field at once."""
    clean: dict[str, str] = {}
    problems: dict[str, str] = {}
    labels: dict[str, str] = {}
    for field in definition.fields:
        value = (values.get(field.name) or "").strip()
        if not value and not field.required:
            continue
        if not value:
            problem: str | None = gettext("This is required.")
        elif len(value) > field.max_length:
            problem = gettext("Enter at most %(max_length)s characters.") % {
                "max_length": field.max_length
            }
        else:
            problem = _kind_problem(field.kind, value, field.choices)
        if problem:
            problems[field.name] = problem
            labels[field.name] = _label(field.label, field.label_th)
        else:
            clean[field.name] = value
    if problems:
        raise _invalid(FormErrors(fields=problems, labels=labels))
    return clean


def _kind_problem(kind: str, value: str, choices: tuple[str, ...]) -> str | None:
    if kind == "number":
        try:
            number = Decimal(value)
        except InvalidOperation:
            return gettext("Enter a number, such as 24.")
        if not number.is_finite() or number < 0:
            return gettext("Enter a positive number.")
    elif kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return gettext("Enter a date, such as 2026-12-31.")
    elif kind == "email" and not EMAIL.match(value):
        return gettext("Enter an email address, such as name@example.com.")
    elif kind == "phone" and not PHONE.match(value):
        return gettext("Enter a telephone number, such as 02 123 4567.")
    elif kind == "choice" and value not in choices:
        return gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}
    return None


def check_documents(
    definition: TypeDefinition, files: list[Upload], *, max_bytes: int, all_required: bool = True
) -> list[CheckedUpload]:
    """Check every upload against its requirement; with all_required, each required one is there
    (Invalid names every one missing)."""
    requirements = {doc.code: doc for doc in definition.documents}
    checked = []
    for upload in files:
        requirement = requirements.get(upload.requirement)
        if requirement is None:
            raise InvalidInput(
                gettext("This form asks for no document %(code)s.")
                % {"code": repr(upload.requirement)}
            )
        checked.append(
            uploads.check(
                upload,
                accept=requirement.accept,
                label=_label(requirement.label, requirement.label_th),
                max_bytes=max_bytes,
            )
        )
    if all_required:
        given = {upload.requirement for upload in checked}
        missing = [d for d in definition.documents if d.required and d.code not in given]
        if missing:
            raise _invalid(
                FormErrors(
                    fields={d.code: gettext("Choose the file to upload.") for d in missing},
                    labels={d.code: _label(d.label, d.label_th) for d in missing},
                )
            )
    return checked


def check_application(
    definition: TypeDefinition, values: dict[str, str], files: list[Upload], *, max_bytes: int
) -> tuple[dict[str, str], list[CheckedUpload]]:
    """The values and documents of an application, or Invalid naming every problem of both."""
    errors = FormErrors()
    clean: dict[str, str] = {}
    checked: list[CheckedUpload] = []
    try:
        clean = check_values(definition, values)
    except Invalid as problem:
        errors = problem.errors
    try:
        checked = check_documents(definition, files, max_bytes=max_bytes)
    except Invalid as problem:
        errors = errors | problem.errors
    except InvalidInput as problem:  # a file that is not what it claims: about the whole form
        errors = errors | FormErrors(general=(problem.message,))
    if errors:
        raise _invalid(errors)
    return clean, checked


def public_description(definition: TypeDefinition, values: dict[str, str]) -> str:
    """The public description: the type's name and the fields it declares public, only."""
    parts = [
        f"{field.label}: {values[field.name]}"
        for field in definition.fields
        if field.public and values.get(field.name)
    ]
    return "; ".join([definition.name, *parts])[:500]


def thai_description(definition: TypeDefinition, description: str) -> str | None:
    """A stored public description (see `public_description`: written at filing with the
    type's and the fields' English names) with the definition's Thai names in their place; the
    values stay as the applicant typed them. None when the text is not one the definition made
    (a type renamed since, say): a reader is shown the stored text then, never a guess."""
    if not description.startswith(definition.name):
        return None
    rest = description[len(definition.name) :]
    found: list[tuple[int, FormField, str]] = []
    cursor = 0
    for field in definition.fields:
        marker = f"; {field.label}: "
        at = rest.find(marker, cursor) if field.public else -1
        if at >= 0:
            found.append((at, field, marker))
            cursor = at + len(marker)
    if rest and (not found or found[0][0] != 0):
        return None
    parts = [definition.name_th or definition.name]
    for position, (at, field, marker) in enumerate(found):
        end = found[position + 1][0] if position + 1 < len(found) else len(rest)
        parts.append(f"{field.label_th or field.label}: {rest[at + len(marker) : end]}")
    return "; ".join(parts)
